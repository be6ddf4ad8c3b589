"""A pooled PostgreSQL connection is checked before use by its socket, and pinged only after it sat idle.

SQLAlchemy's `pool_pre_ping` sends an empty statement and waits for the answer on every checkout: a round trip per
request (about 3% of a vote's CPU in process, more under gevent, where the wait is a switch to the hub and back). What it guards
against is a connection the server has closed (a restart, a failover, `pg_terminate_backend`, `idle_session_timeout`):
the server then says so on the socket (an error message, then end of stream), and an idle connection otherwise has
nothing to read. So a connection with anything to read is replaced before use (redis-py checks its pooled
connections the same way), without a round trip. A connection that sat idle for longer than IDLE_PING_SECONDS is
also pinged, as before, since a middlebox can drop an idle connection silently. Under load every connection is
used many times a second and is never pinged; a quiet pool pings as it did.
"""

from __future__ import annotations

import select
import time
from typing import Any

import sqlalchemy as sa

IDLE_PING_SECONDS = 1.0
_RETURNED = "chorus.returned"  # connection info key: when the connection last went back to the pool (monotonic)


def _unread(dbapi_connection: Any, dbapi_error: type[Exception]) -> bool | None:
    """Whether the server has written to this idle connection (it never does, except to say it is closing it);
    None when the socket cannot be asked (select() without gevent refuses descriptors above 1023)."""
    try:
        readable, _, _ = select.select([dbapi_connection.pgconn.socket], [], [], 0)
    except dbapi_error:  # the driver has already seen it closed: no socket
        return True
    except (OSError, ValueError):
        return None
    return bool(readable)


def install(engine: sa.Engine) -> None:
    """Check this PostgreSQL (psycopg) engine's pooled connections at checkout, in place of `pool_pre_ping`."""
    dialect = engine.dialect

    @sa.event.listens_for(engine, "checkin")
    def _returned(dbapi_connection: Any, record: Any) -> None:
        if dbapi_connection is not None:  # None: invalidated, and replaced at its next checkout anyway
            record.info[_RETURNED] = time.monotonic()

    @sa.event.listens_for(engine, "checkout")
    def _check(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        returned = record.info.get(_RETURNED)
        if returned is None:
            return  # just connected (info is cleared with each new connection)
        unread = _unread(dbapi_connection, dialect.loaded_dbapi.Error)
        if unread:
            raise sa.exc.DisconnectionError("the server closed this connection")  # the pool connects afresh
        if unread is None or time.monotonic() - returned > IDLE_PING_SECONDS:
            try:
                dialect.do_ping(dbapi_connection)
            except dialect.loaded_dbapi.Error as error:
                if dialect.is_disconnect(error, dbapi_connection, None):
                    raise sa.exc.DisconnectionError("the idle connection did not answer") from error
                raise
