"""A plain SELECT before anything else in a transaction runs without BEGIN; anything else opens the transaction as
before, and what a request writes is still kept or undone as a whole (app/lazy_begin.py, PostgreSQL only)."""

from __future__ import annotations

import secrets
import tempfile
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa
from psycopg.pq import Trace, TransactionStatus

from app.extensions import db
from app.lazy_begin import LazyBeginCursor, reads_alone
from app.services.common.errors import InvalidInput
from tests.conftest import BACKEND

postgresql_only = pytest.mark.skipif(BACKEND != "postgresql", reason="psycopg's transactions")


@pytest.fixture
def one_connection_app(lone_app):  # type: ignore[no-untyped-def]
    """The shared one-connection app (tests/web/conftest.py) with routes that read, write and fail as a request
    would."""
    app, marker = lone_app, lone_app.config["TEST_MARKER"]
    count = sa.text("SELECT count(*) FROM organisation WHERE name LIKE :n || '%'")

    @app.get("/test/read")
    def _read() -> str:
        first = db.session.scalar(count, {"n": marker})
        second = db.session.scalar(sa.text("SELECT count(*) FROM organisation WHERE code = :c"), {"c": marker})
        return f"{first} {second}"

    @app.get("/test/read-write-fail")
    def _read_write_fail() -> str:
        db.session.scalar(count, {"n": marker})
        db.session.execute(sa.text("INSERT INTO organisation (name, code) VALUES (:n, :c)"),
                           {"n": marker, "c": secrets.token_hex(4)})
        db.session.scalar(count, {"n": marker})  # a read after the write, inside its transaction
        db.session.execute(sa.text("INSERT INTO organisation (name, code) VALUES (:n, :c)"),
                           {"n": f"{marker} second", "c": secrets.token_hex(4)})
        raise InvalidInput("refused after writing twice")  # handled: the teardown sees no exception

    @app.get("/test/read-write")
    def _read_write() -> str:
        db.session.scalar(count, {"n": marker})
        db.session.execute(sa.text("INSERT INTO organisation (name, code) VALUES (:n, :c)"),
                           {"n": marker, "c": secrets.token_hex(4)})
        seen = db.session.scalar(count, {"n": marker})
        db.session.commit()
        return str(seen)

    return app


def _driver(pooled) -> psycopg.Connection:  # type: ignore[no-untyped-def]
    raw = pooled.driver_connection
    assert isinstance(raw, psycopg.Connection)
    return raw


def _traced(app, run) -> list[str]:  # type: ignore[no-untyped-def]
    """The messages the pool's one connection sent to PostgreSQL while `run()` ran (libpq's trace)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "trace"
        with path.open("w") as out:
            with app.app_context():  # left before the requests run: each request has its own, as in production
                raw = db.engine.raw_connection()
                pgconn = _driver(raw).pgconn
                pgconn.trace(out.fileno())
                pgconn.set_trace_flags(Trace.SUPPRESS_TIMESTAMPS)
                raw.close()  # back to the pool, traced
            try:
                run()
            finally:
                with app.app_context():
                    raw = db.engine.raw_connection()
                    _driver(raw).pgconn.untrace()
                    raw.close()
        return [line for line in path.read_text().splitlines() if line.startswith("F\t")]


def _commands(lines: list[str]) -> list[str]:
    """The simple-protocol commands among traced messages (BEGIN, COMMIT, ROLLBACK, SAVEPOINT ...)."""
    return [line.split('"')[1] for line in lines if "\tQuery\t" in line]


@postgresql_only
def test_a_request_that_only_reads_sends_no_begin_and_no_commit(one_connection_app) -> None:  # type: ignore[no-untyped-def]
    client = one_connection_app.test_client()
    assert client.get("/test/read").get_data(as_text=True) == "0 0"  # the connection exists and is warm
    sent = _traced(one_connection_app, lambda: client.get("/test/read"))
    assert _commands(sent) == []
    assert sum("\tParse\t" in line or "\tBind\t" in line for line in sent) >= 2  # both reads did reach the server


@postgresql_only
def test_a_request_that_writes_opens_its_transaction_at_its_first_write(one_connection_app) -> None:  # type: ignore[no-untyped-def]
    client = one_connection_app.test_client()
    sent = _traced(one_connection_app, lambda: client.get("/test/read-write"))
    assert _commands(sent) == ["BEGIN", "COMMIT"]
    begin = next(n for n, line in enumerate(sent) if '"BEGIN"' in line)
    first_insert = next(n for n, line in enumerate(sent) if "INSERT INTO organisation" in line)
    assert begin < first_insert
    assert client.get("/test/read").get_data(as_text=True) == "1 0"


@postgresql_only
def test_a_request_that_read_wrote_twice_and_failed_keeps_nothing(one_connection_app) -> None:  # type: ignore[no-untyped-def]
    client = one_connection_app.test_client()
    response = client.get("/test/read-write-fail", headers={"Accept": "application/json"})
    assert response.status_code == 422
    assert client.get("/test/read").get_data(as_text=True) == "0 0"  # both INSERTs undone together


@postgresql_only
def test_a_locking_select_opens_the_transaction_and_holds_its_lock(one_connection_app) -> None:  # type: ignore[no-untyped-def]
    app = one_connection_app
    with app.app_context():
        db.session.execute(sa.text("INSERT INTO organisation (name, code) VALUES (:n, :c)"),
                           {"n": app.config["TEST_MARKER"], "c": app.config["TEST_MARKER"]})
        db.session.commit()
        locking = sa.text("SELECT id FROM organisation WHERE code = :c FOR UPDATE")
        db.session.execute(locking, {"c": app.config["TEST_MARKER"]})
        raw = _driver(db.session.connection().connection)
        assert raw.info.transaction_status == TransactionStatus.INTRANS
        other = psycopg.connect(db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False),
                                autocommit=True)
        try:
            with pytest.raises(psycopg.errors.LockNotAvailable):
                other.execute("SELECT id FROM organisation WHERE code = %s FOR UPDATE NOWAIT",
                              [app.config["TEST_MARKER"]])
        finally:
            other.close()
        db.session.rollback()


@postgresql_only
def test_plain_reads_run_alone_and_a_streamed_read_still_works(one_connection_app) -> None:  # type: ignore[no-untyped-def]
    app = one_connection_app
    with app.app_context():
        db.session.scalar(sa.text("SELECT 1"))
        raw = _driver(db.session.connection().connection)
        assert isinstance(raw.cursor(), LazyBeginCursor)
        assert raw.info.transaction_status == TransactionStatus.IDLE
        # yield_per: a server-side cursor, which PostgreSQL declares only inside a transaction
        rows = db.session.execute(sa.text("SELECT n FROM generate_series(1, 5) AS n").execution_options(yield_per=2))
        assert [row.n for row in rows] == [1, 2, 3, 4, 5]
        db.session.rollback()


@pytest.mark.parametrize("statement, alone", [
    ("SELECT count(*) FROM idea WHERE question_id = %(q)s", True),
    ("  select id from idea", True),
    ("SELECT id FROM idea WHERE id = 1 FOR UPDATE", False),
    ("SELECT id FROM idea FOR NO KEY UPDATE OF idea", False),
    ("SELECT id FROM idea WHERE id = 1 FOR SHARE", False),
    ("SELECT id FROM idea FOR KEY SHARE", False),
    ("SELECT nextval('idea_id_seq')", False),
    ("SELECT set_config('x.y', '1', true)", False),
    ("SELECT pg_advisory_xact_lock(1)", False),
    ("SELECT pg_notify('c', 'x')", False),
    ("SELECT * INTO copy FROM idea", False),
    ("WITH x AS (DELETE FROM idea RETURNING id) SELECT id FROM x", False),
    ("INSERT INTO idea (id) VALUES (1)", False),
    ("SAVEPOINT sa_savepoint_1", False),
    ("/* a comment */ SELECT 1", False),  # not read: left to psycopg
    ("SELECT 1; DELETE FROM idea", False),  # a second statement would run outside the transaction
    ("SELECT body FROM idea WHERE body = 'for update'", False),  # a literal that looks like a lock: BEGIN, as before
])
def test_only_a_plain_select_reads_alone(statement: str, alone: bool) -> None:
    assert reads_alone(statement) is alone
