"""Numbering a transaction's live events in the same network write as its COMMIT (PostgreSQL, psycopg 3).

Every write to a conversation takes the next event numbers by updating the conversation's row, and holds that row
lock until its COMMIT has finished. Sent as separate statements, the lock is held across a round trip and, under
gevent, for as long as the greenlet then waits behind the other busy greenlets before it even sends COMMIT: every
other write to the conversation queues behind that (issue #18). Here the numbering statement, COMMIT and a Sync go
to the server in one pipeline (libpq pipeline mode, one write on the socket), so the row is locked only while the
server itself numbers, stores and commits.

app/live/store.py decides at `before_commit` what to number and leaves it on the connection; the engine's `commit`
event, which runs just before SQLAlchemy's own COMMIT, sends it. That COMMIT then finds the connection idle and
sends nothing (psycopg's `commit()` returns at once when no transaction is open). Errors are raised as SQLAlchemy
raises any statement's (wrapped in its DBAPIError classes; a lost connection is invalidated), so a failed COMMIT
is still a 503, never a 500, and the events of a transaction that did not commit are never numbered or published.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

_NUMBERING = "chorus.live_numbering"  # Connection.info key: what to number at this connection's next COMMIT
# Pruning runs with every PRUNE_EVERY-th event of a conversation, so the log stays bounded without a job.
PRUNE_EVERY = 50

# $1 conversation, $2 how many events, $3 their hour, $4-$6 positions (1-based), types and payloads of those stored,
# $7 the pruning cutoff. Numbers and stores in one statement (a data-modifying WITH); old events of every
# conversation are deleted when these numbers pass a multiple of PRUNE_EVERY (a one-time filter: no scan otherwise).
NUMBER_AND_STORE = (
    "WITH numbered AS (UPDATE conversation SET live_seq = live_seq + $2 WHERE id = $1 RETURNING live_seq), "
    "stored AS (INSERT INTO live_event (conversation_id, id, type, payload, created_hour) "
    "SELECT $1, numbered.live_seq - $2 + event.position, event.type, event.payload, $3 "
    "FROM numbered, unnest(CAST($4 AS integer[]), CAST($5 AS text[]), CAST($6 AS text[])) "
    "AS event(position, type, payload)), "
    f"pruned AS (DELETE FROM live_event WHERE created_hour < $7 AND EXISTS (SELECT FROM numbered "
    f"WHERE live_seq / {PRUNE_EVERY} <> (live_seq - $2) / {PRUNE_EVERY})) "
    "SELECT live_seq FROM numbered"
)


@dataclass
class Numbering:
    """The events one transaction numbers at its COMMIT: per conversation, the statement's parameters."""

    conversations: list[tuple[int, list[Any], tuple[Any, ...]]] = field(default_factory=list)  # (id, messages, params)


def supported(connection: sa.Connection) -> bool:
    """Whether this connection can send the numbering with its COMMIT: psycopg 3 with pipeline mode, in a
    transaction of its own (not a savepoint inside someone else's transaction, whose COMMIT comes later)."""
    if connection.dialect.name != "postgresql" or connection.dialect.driver != "psycopg":
        return False
    import psycopg

    return (psycopg.Pipeline.is_supported() and connection.in_transaction()
            and not connection.in_nested_transaction())


def plan(connection: sa.Connection, conversation_id: int, messages: list[Any], hour: datetime, kept: list[int],
         payloads: list[str], cutoff: datetime) -> None:
    """Number these messages of a conversation at the connection's COMMIT (call in conversation id order)."""
    params = (conversation_id, len(messages), hour, [n + 1 for n in kept], [messages[n].type for n in kept],
              [payloads[n] for n in kept], cutoff)
    numbering = connection.info.setdefault(_NUMBERING, Numbering())
    numbering.conversations.append((conversation_id, messages, params))


@sa.event.listens_for(Engine, "rollback")
def _discard(connection: sa.Connection) -> None:
    # An invalidated connection (lost mid-transaction) had its info cleared with it, and reading it would raise.
    if not connection.invalidated:
        connection.info.pop(_NUMBERING, None)


@sa.event.listens_for(Engine, "commit")
def _number_with_commit(connection: sa.Connection) -> None:
    """Send the planned numbering statements, COMMIT and a Sync in one write; give the messages their numbers."""
    if connection.invalidated:
        return
    numbering: Numbering | None = connection.info.pop(_NUMBERING, None)
    if numbering is None or not numbering.conversations:
        return
    import psycopg

    raw = connection.connection.driver_connection
    assert isinstance(raw, psycopg.Connection)
    statements = [(NUMBER_AND_STORE, params) for _, _, params in numbering.conversations]
    # Statement logs, counters (tests/perf) and tracing see these statements as they see any other. There is no
    # SQLAlchemy execution context: listeners get a plain object they may read the statement from and keep their
    # own attributes on (Flask-SQLAlchemy's query recording does).
    contexts = [SimpleNamespace(statement=statement, parameters=params, executemany=False, cursor=None)
                for statement, params in statements]
    events = connection._has_events or connection.engine._has_events  # what SQLAlchemy checks before its own
    if events:
        for (statement, params), context in zip(statements, contexts):
            for before in connection.dispatch.before_cursor_execute:
                before(connection, None, statement, params, context, False)
    try:
        values = _send(raw, statements)
    except BaseException as error:
        if raw.pgconn.pipeline_status != psycopg.pq.PipelineStatus.OFF:
            # Interrupted mid-pipeline (a timeout, a lost connection): what the server did is unknown, and a
            # connection left in pipeline mode cannot even roll back.
            connection.invalidate()
        if not isinstance(error, psycopg.Error):
            raise
        # Wrapped, classified (OperationalError and the like are a 503), a lost connection invalidated: as for a
        # failed statement anywhere else. Parameters are never shown (they hold the events' payloads).
        connection._handle_dbapi_exception(error, statements[0][0], None, None, None)
    for (_, messages, _), last in zip(numbering.conversations, values):
        first = last - len(messages) + 1
        for offset, message in enumerate(messages):
            object.__setattr__(message, "id", first + offset)  # frozen for readers; numbered exactly once, here
    if events:
        for (statement, params), context in zip(statements, contexts):
            for after in connection.dispatch.after_cursor_execute:
                after(connection, None, statement, params, context, False)


def _send(raw: Any, statements: list[tuple[str, tuple[Any, ...]]]) -> list[int]:
    """Run the statements and COMMIT in one pipeline on a psycopg connection; each statement's first value."""
    from psycopg import errors, generators, pq
    from psycopg.adapt import PyFormat, Transformer

    pgconn = raw.pgconn
    encoding = raw.info.encoding
    with raw.lock:
        pgconn.enter_pipeline_mode()
        # Nothing is sent until every message is queued: the numbering statement never reaches the server (and
        # locks the conversation row) before its COMMIT is on its way.
        for statement, params in statements:
            transformer = Transformer(raw)
            dumped = transformer.dump_sequence(params, [PyFormat.AUTO] * len(params))
            pgconn.send_query_params(statement.encode(encoding), dumped, param_types=transformer.types,
                                     param_formats=transformer.formats)
        pgconn.send_query_params(b"COMMIT", None)
        pgconn.pipeline_sync()
        groups = raw.wait(_communicate(generators, pgconn, len(statements) + 2))
        pgconn.exit_pipeline_mode()
    values = []
    for group in groups[:-1]:  # each statement's results, then COMMIT's; skipped ones say PIPELINE_ABORTED
        for result in group:
            if result.status == pq.ExecStatus.FATAL_ERROR:
                raise errors.error_from_result(result, encoding=encoding)
        if group and group[0].status == pq.ExecStatus.TUPLES_OK:
            values.append(int(group[0].get_value(0, 0)))
    if len(values) != len(statements) or not groups[-1] or groups[-1][0].status != pq.ExecStatus.PIPELINE_SYNC:
        raise errors.InternalError("unexpected results numbering live events at COMMIT")
    return values


def _communicate(generators: Any, pgconn: Any, expected: int) -> Any:
    """Flush what is queued, then read `expected` result groups (the last one the Sync)."""
    yield from generators.send(pgconn)
    groups = []
    for _ in range(expected):
        groups.append((yield from generators.fetch_many(pgconn)))
    return groups
