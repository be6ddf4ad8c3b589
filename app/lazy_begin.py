"""A plain SELECT that comes before anything else in a transaction runs without BEGIN (PostgreSQL through psycopg 3).

psycopg opens a transaction before a connection's first statement: a BEGIN and its answer, a round trip of its own,
and at the end a COMMIT or ROLLBACK, another. A page that reads three statements made five round trips, each a
switch to gevent's hub and back in a worker and a command for PostgreSQL to parse (measured: BEGIN and COMMIT
around one SELECT cost 116 µs of client CPU and 84 µs of the server's more than the SELECT alone; issue #18,
docs/benchmarks.md). Under READ COMMITTED, PostgreSQL's default and Chorus's, every statement takes its own snapshot
whether or not it is in a transaction block, so a SELECT that holds no lock and changes nothing reads exactly the
same outside one. Such a statement, while no transaction is open on the connection, is sent on its own; the first
statement that is anything else (INSERT, UPDATE, DELETE, WITH, SAVEPOINT, a locking SELECT ... FOR UPDATE, a SELECT
calling a function with effects that last to the end of a transaction, or any text this module cannot read) opens
the transaction as before, and everything after it runs inside. A request that only read opens none, and its
commit or rollback costs nothing (psycopg sends neither while no transaction is open, and keeps what it prepared).

Only on a connection whose transactions are READ COMMITTED (`install` checks the server's default; a connection
given another isolation level, autocommit or a pipeline is left to psycopg). Server-side cursors (`yield_per`),
COPY and pipelines are psycopg's own as before.
"""

from __future__ import annotations

import functools
import re
from typing import Any

import psycopg
import sqlalchemy as sa
from psycopg import IsolationLevel
from psycopg.abc import PQGen, Query
from psycopg.pq import TransactionStatus

_SELECT = re.compile(r"\s*SELECT\s", re.IGNORECASE)
# What makes a SELECT need its transaction: row locks, SELECT INTO, and functions whose effects last until COMMIT or
# that do not read alone (sequences, settings, notifications, advisory locks, transaction ids, large objects).
_NEEDS_TRANSACTION = re.compile(
    r"\bFOR\s+(?:NO\s+KEY\s+UPDATE|UPDATE|KEY\s+SHARE|SHARE)\b|\bINTO\b"
    r"|\b(?:nextval|setval|currval|lastval|set_config|pg_notify|pg_advisory\w*|pg_try_advisory\w*"
    r"|txid_\w+|pg_current_xact_id\w*|pg_snapshot\w*|lo_\w+|dblink\w*)\s*\(",
    re.IGNORECASE)
_READ_COMMITTED = (None, IsolationLevel.READ_COMMITTED)


@functools.lru_cache(maxsize=1024)
def reads_alone(statement: str) -> bool:
    """Whether this statement is a SELECT that reads the same outside a transaction as at the start of one. Text
    with a semicolon may hold a second statement (psycopg sends a statement without parameters as a simple query,
    which runs them all), so it opens the transaction as before."""
    return bool(_SELECT.match(statement)) and ";" not in statement and not _NEEDS_TRANSACTION.search(statement)


class LazyBeginCursor(psycopg.Cursor[Any]):
    """psycopg's cursor, except that a plain SELECT sent while no transaction is open does not open one."""

    def _start_query(self, query: Query | None = None) -> PQGen[None]:  # psycopg's: sends BEGIN if needed
        # psycopg's private names, read so that if an upgrade renames them this falls back to psycopg's own BEGIN
        connection = getattr(self, "_conn", None)
        if (type(query) is str and connection is not None and getattr(connection, "_autocommit", True) is False
                and getattr(connection, "_pipeline", True) is None and connection.isolation_level in _READ_COMMITTED
                and connection.pgconn.transaction_status == TransactionStatus.IDLE and reads_alone(query)):
            connection._autocommit = True  # for this statement only: psycopg then sends it without BEGIN
            try:
                yield from super()._start_query(query)
            finally:
                connection._autocommit = False
        else:
            yield from super()._start_query(query)


def install(engine: sa.Engine) -> None:
    """Give this psycopg engine's new connections the lazy cursor when the server's transactions are READ COMMITTED."""

    @sa.event.listens_for(engine, "connect")
    def _connected(dbapi_connection: Any, record: Any) -> None:
        # The dialect read the server's default isolation level on the pool's first connection, before this event.
        if engine.dialect.default_isolation_level == "READ COMMITTED" and type(dbapi_connection) is psycopg.Connection:
            dbapi_connection.cursor_factory = LazyBeginCursor
