"""A request that only read ends its transaction with COMMIT instead of ROLLBACK (PostgreSQL through psycopg 3).

psycopg prepares a statement once it has run it five times on a connection, and at every ROLLBACK it forgets those
counts (and deallocates what it had prepared). Every request ends by closing its session, which rolls back, so the
statements of read-only requests (pages, lists, the live poll) were never prepared: PostgreSQL planned each one on
every request, and for the question page's question-and-access statement planning took ten times longer than running
it (issue #18, docs/benchmarks.md). For a transaction that ran nothing but SELECTs, COMMIT leaves the database exactly
as ROLLBACK does. Any other statement (INSERT, UPDATE, DELETE, a WITH that may write, whatever the ORM flushed), or an
ORM change not yet flushed, keeps the ROLLBACK, so a write that failed half-way is never kept.

Opt-in per engine (`install`): without it no connection is ever marked read-only and every session rolls back.
Where `app/lazy_begin.py` runs (READ COMMITTED servers), a request of plain reads opens no transaction at all, and
its end sends nothing either way; this still decides for a transaction that a locking SELECT opened, and for every
read-only request on a server whose default isolation level is another.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

_READ_ONLY = "chorus.read_only"  # Connection.info: this transaction has run only SELECTs so far
_CONNECTIONS = "chorus.connections"  # Session.info: the connections its current transaction uses


def install(engine: sa.Engine) -> None:
    """Track, per transaction on this engine's connections, whether anything but a SELECT ran."""

    @sa.event.listens_for(engine, "begin")
    def _begun(connection: sa.Connection) -> None:
        connection.info[_READ_ONLY] = True

    @sa.event.listens_for(engine, "before_cursor_execute")
    def _statement(connection: sa.Connection, cursor: Any, statement: str, parameters: Any, context: Any,
                   executemany: bool) -> None:
        if connection.info.get(_READ_ONLY) and statement.lstrip()[:6].upper() != "SELECT":
            connection.info[_READ_ONLY] = False


@sa.event.listens_for(Session, "after_begin")
def _joined(session: Session, transaction: Any, connection: sa.Connection) -> None:
    session.info.setdefault(_CONNECTIONS, []).append(connection)


@sa.event.listens_for(Session, "after_transaction_end")
def _ended(session: Session, transaction: Any) -> None:
    if transaction.parent is None:  # the outermost transaction: the next one starts afresh
        session.info.pop(_CONNECTIONS, None)


def commit_if_only_read(session: Session) -> bool:
    """COMMIT the session's transaction if it ran only SELECTs on engines that `install` tracks; whether it did."""
    connections = session.info.get(_CONNECTIONS)
    if not connections or not session.in_transaction() or session.new or session.dirty or session.deleted:
        return False
    if not all(connection.info.get(_READ_ONLY) is True for connection in connections):
        return False
    session.commit()
    return True
