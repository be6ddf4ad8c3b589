"""Pooled PostgreSQL connections (app/pool_check.py): a connection in use costs no round trip before a request, and a
connection the server closed, or one dropped silently while it sat idle, is replaced before use rather than failing
the request."""

from __future__ import annotations

import select
import time
from collections.abc import Callable, Iterator

import psycopg
import pytest
import sqlalchemy as sa
from flask import Flask

from app import pool_check
from app.extensions import db
from app.services.accounts.users import create_api_token
from tests.conftest import BACKEND

pytestmark = pytest.mark.skipif(BACKEND != "postgresql", reason="PostgreSQL's pooled connections")


@pytest.fixture
def api(app: Flask, make_user) -> Callable[[], int]:  # type: ignore[no-untyped-def]
    """An API request with a bearer token (its person, then the list: two statements); returns its status."""
    token = create_api_token(make_user())
    client = app.test_client()

    def call() -> int:
        status = client.get("/api/v1/conversations", headers={"Authorization": f"Bearer {token}"}).status_code
        db.session.remove()  # the test keeps the app context open: give the connection back as a request's end does
        return status

    db.session.remove()
    return call


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[list[str], list[str]]]:
    """What the driver sent through cursors, and the statements SQLAlchemy ran, while the test runs."""
    driver: list[str] = []
    statements: list[str] = []
    execute = psycopg.Cursor.execute

    def counted(cursor, query, *args, **kwargs):  # type: ignore[no-untyped-def]
        driver.append(str(query))
        return execute(cursor, query, *args, **kwargs)

    def statement(conn, cursor, text, parameters, context, executemany):  # type: ignore[no-untyped-def]
        statements.append(text)

    monkeypatch.setattr(psycopg.Cursor, "execute", counted)
    sa.event.listen(db.engine, "before_cursor_execute", statement)
    try:
        yield driver, statements
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", statement)


_OTHERS = sa.text("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")


def _backends() -> set[int]:
    """The server processes of the pool's connections (every other session on this test's own database)."""
    engine = sa.create_engine(db.engine.url, poolclass=sa.NullPool)
    with engine.connect() as connection:
        pids = set(connection.scalars(_OTHERS))
    engine.dispose()
    return pids


def _terminate_pooled_connections(sockets: list[int]) -> set[int]:
    """End the pool's connections from the server side, as a restart does; wait until each socket says so."""
    ended = _backends()
    assert ended
    engine = sa.create_engine(db.engine.url, poolclass=sa.NullPool)
    with engine.connect() as connection:
        for pid in ended:
            connection.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    engine.dispose()
    waiting = set(sockets)
    deadline = time.monotonic() + 120
    while waiting and time.monotonic() < deadline:
        readable, _, _ = select.select(list(waiting), [], [], 60)
        waiting -= set(readable)
    assert not waiting, "the server did not close the pooled connections"
    return ended


@pytest.fixture
def pooled_sockets(app: Flask) -> Iterator[list[int]]:
    """The sockets of the connections the pool takes back while the test runs."""
    sockets: list[int] = []

    def returned(dbapi_connection, record):  # type: ignore[no-untyped-def]
        sockets.append(dbapi_connection.pgconn.socket)

    sa.event.listen(db.engine, "checkin", returned)
    yield sockets
    sa.event.remove(db.engine, "checkin", returned)


def test_a_connection_in_use_is_not_pinged_before_each_request(api, sent) -> None:  # type: ignore[no-untyped-def]
    driver, statements = sent
    assert api() == 200
    driver.clear()
    statements.clear()
    assert api() == 200
    assert statements, "the request ran no statement"
    # pool_pre_ping sent its ping (";") here first: a round trip per request that SQLAlchemy's events never see.
    assert [query for query in driver if query not in statements] == []


def test_a_connection_the_server_closed_is_replaced_before_use(api, sent, pooled_sockets) -> None:  # type: ignore[no-untyped-def]
    assert api() == 200
    ended = _terminate_pooled_connections(pooled_sockets)
    driver, statements = sent
    driver.clear()
    statements.clear()
    assert api() == 200  # not a 503: the closed connection was never used
    assert [query for query in driver if query not in statements] == []  # told by its socket, without a ping
    assert _backends().isdisjoint(ended)


def test_an_idle_connection_dropped_without_a_word_is_pinged_and_replaced(api, pooled_sockets, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    assert api() == 200
    ended = _terminate_pooled_connections(pooled_sockets)
    # As a firewall that forgot an idle connection: nothing arrives on the socket, the connection is gone.
    monkeypatch.setattr(pool_check, "_unread", lambda dbapi_connection, dbapi_error: False)
    monkeypatch.setattr(pool_check, "IDLE_PING_SECONDS", -1.0)  # every checkout counts as after a long idle
    assert api() == 200
    assert _backends().isdisjoint(ended)
