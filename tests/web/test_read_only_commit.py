"""A request that only read ends with COMMIT, so psycopg keeps the statements it prepared; one that wrote anything
ends with ROLLBACK when it did not commit, so a write that failed half-way is never kept (app/read_only_commit.py)."""

from __future__ import annotations

import secrets

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.services.common.errors import InvalidInput
from tests.conftest import BACKEND

postgresql_only = pytest.mark.skipif(BACKEND != "postgresql", reason="psycopg's prepared statements")


@pytest.fixture
def lone_app(lone_app):  # type: ignore[no-untyped-def]
    """The shared one-connection app (tests/web/conftest.py) with a read and two writes that fail after writing."""
    app, marker = lone_app, lone_app.config["TEST_MARKER"]

    @app.get("/test/read")
    def _read() -> str:
        return str(db.session.scalar(sa.text("SELECT count(*) FROM organisation WHERE name = :n"), {"n": marker}))

    @app.get("/test/write-then-fail")
    def _write_then_fail() -> str:
        db.session.execute(sa.text("INSERT INTO organisation (name, code) VALUES (:n, :c)"),
                           {"n": marker, "c": secrets.token_hex(4)})
        raise InvalidInput("refused after writing")  # a handled error: the teardown sees no exception

    @app.get("/test/flushed-then-fail")
    def _flushed_then_fail() -> str:
        from app.models import Organisation

        db.session.add(Organisation(name=marker, code=secrets.token_hex(4)))
        db.session.flush()
        db.session.scalar(sa.text("SELECT 1"))  # a read after the write
        raise InvalidInput("refused after writing")

    return app


@postgresql_only
def test_a_request_that_only_read_keeps_what_psycopg_prepared(lone_app) -> None:  # type: ignore[no-untyped-def]
    """Run six times on the one connection, the read is prepared by psycopg (its threshold is five); before, every
    request's ROLLBACK reset the count, so a page's statements were planned by PostgreSQL on every request."""
    client = lone_app.test_client()
    for _ in range(6):
        assert client.get("/test/read").get_data(as_text=True) == "0"
    with lone_app.app_context():
        prepared = db.session.scalars(sa.text(
            "SELECT statement FROM pg_prepared_statements WHERE statement LIKE '%FROM organisation WHERE name%'")).all()
        db.session.rollback()
    assert prepared, "psycopg prepared nothing: the read-only requests did not keep its counts"


@pytest.mark.parametrize("route", ["/test/write-then-fail", "/test/flushed-then-fail"])
def test_a_request_that_wrote_and_failed_keeps_nothing(lone_app, route) -> None:  # type: ignore[no-untyped-def]
    client = lone_app.test_client()
    assert client.get(route, headers={"Accept": "application/json"}).status_code == 422
    assert client.get("/test/read").get_data(as_text=True) == "0"  # the INSERT was rolled back
