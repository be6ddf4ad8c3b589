"""Issue #17.2: the database or Redis being unavailable is a 503 with Retry-After, never a 500, and the error page
itself needs neither the database nor the signed-in person."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
import sqlalchemy as sa
from flask import Flask

from app import create_app
from app.extensions import db

DOWN_DB = "postgresql+psycopg://nobody@127.0.0.1:1/none"  # connection refused at once


@pytest.fixture
def down_app() -> Iterator[Flask]:
    """An app whose database does not answer (PostgreSQL stopped or restarting)."""
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": DOWN_DB, "CHORUS_RETRY_AFTER_SECONDS": 7})
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.mark.parametrize("path", ["/", "/conversations/1", "/facilitate/", "/auth/sign-in"])
def test_a_page_while_the_database_is_down_is_a_503_page(client, login, make_user, down_app, path) -> None:  # type: ignore[no-untyped-def]
    login(make_user("facilitator"))  # signed in while the database worked; now it has gone away
    down = down_app.test_client()
    down.set_cookie("session", client.get_cookie("session").value)
    response = down.get(path)  # loading the signed-in person needs the database
    assert response.status_code == 503, response.get_data(as_text=True)[:300]
    assert response.headers["Retry-After"] == "7"
    page = response.get_data(as_text=True)
    assert "unavailable" in page and "nhsuk-header" in page and "Sign out" not in page
    assert "nobody" not in page and "127.0.0.1" not in page  # nothing about the connection leaks


def test_json_callers_get_the_json_error_shape(client, login, make_user, down_app) -> None:  # type: ignore[no-untyped-def]
    login(make_user())
    down = down_app.test_client()
    down.set_cookie("session", client.get_cookie("session").value)
    response = down.get("/api/v1/conversations")
    assert response.status_code == 503 and response.headers["Retry-After"] == "7"
    assert response.get_json() == {"error": {"status": 503, "message": response.get_json()["error"]["message"]}}
    assert "try again" in response.get_json()["error"]["message"]


def _app_with(route: str, view) -> Flask:  # type: ignore[no-untyped-def]
    app = create_app({"TESTING": True})
    app.add_url_rule(route, view_func=view)
    with app.app_context():
        db.create_all()
    return app


def test_an_exhausted_pool_is_a_fast_503(tmp_path: Path) -> None:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'pool.sqlite'}", poolclass=sa.pool.QueuePool, pool_size=1,
                              max_overflow=0, pool_timeout=0.1)
    held = engine.connect()  # every connection of the pool is taken

    def busy():  # type: ignore[no-untyped-def]
        with engine.connect():
            return "never"

    try:
        response = _app_with("/busy", busy).test_client().get("/busy")
    finally:
        held.close()
        engine.dispose()
    assert response.status_code == 503 and "Retry-After" in response.headers


def test_redis_unavailable_in_a_request_is_a_503() -> None:
    def needs_redis():  # type: ignore[no-untyped-def]
        redis.Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=1).ping()
        return "never"

    response = _app_with("/redis", needs_redis).test_client().get("/redis")
    assert response.status_code == 503 and "Retry-After" in response.headers


def test_a_real_bug_is_still_a_500_with_a_page(client, app) -> None:  # type: ignore[no-untyped-def]
    def broken():  # type: ignore[no-untyped-def]
        raise RuntimeError("a bug")

    other = _app_with("/broken", broken)
    response = other.test_client().get("/broken")
    assert response.status_code == 500 and "Retry-After" not in response.headers
    assert "problem with the service" in response.get_data(as_text=True)


def test_a_later_error_caused_by_a_dropped_connection_is_a_503() -> None:
    # Seen in the PostgreSQL restart fault test: the dropped connection surfaced as a PendingRollbackError.
    def dropped():  # type: ignore[no-untyped-def]
        try:
            sa.create_engine(DOWN_DB, connect_args={"connect_timeout": 5}).connect()
        except sa.exc.OperationalError:
            raise sa.exc.PendingRollbackError("Can't reconnect until invalid transaction is rolled back.", None, None)
        return "never"

    response = _app_with("/dropped", dropped).test_client().get("/dropped")
    assert response.status_code == 503 and "Retry-After" in response.headers


def test_a_connection_dropped_as_the_request_ends_is_not_a_500(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """CI (PostgreSQL restart fault test): the response was ready, then closing the session rolled back on a
    connection the restarting server had closed; the error escaped the teardown and gunicorn answered 500."""
    from sqlalchemy.orm import Session

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'chorus.sqlite'}"})
    with app.app_context():
        db.create_all()
    dropped = sa.exc.OperationalError("ROLLBACK", {}, Exception("server closed the connection unexpectedly"))
    real_close = Session.close

    def close_on_a_dead_connection(self: Session) -> None:
        real_close(self)
        raise dropped

    monkeypatch.setattr(Session, "close", close_on_a_dead_connection)
    client = app.test_client()  # no app context is pushed here: each request ends its own, as under gunicorn
    try:
        assert client.get("/healthz/ready").status_code == 200  # it reads the database through the session
    finally:
        monkeypatch.undo()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
