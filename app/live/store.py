"""The replay log: recording events in the writer's transaction, reading them back, forgetting them."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import CursorResult, Engine
from sqlalchemy.orm import Session, SessionTransaction

from app.extensions import db
from app.live import numbering
from app.live.bus import LiveMessage
from app.models import Conversation, LiveEvent
from app.models.base import this_hour

REPLAY_LIMIT = 500
PRUNE_EVERY = numbering.PRUNE_EVERY
_PENDING = "chorus.live_pending"
_UNSTORED = "chorus.live_unstored"  # pending events recorded before a forget(): numbered, published, never stored
# Event types after which stored opinion groups may be out of date (votes, or an idea leaving or rejoining).
VOTE_EVENTS = ("votes", "idea", "idea_withdrawn")


# Built once, on the tables: numbering and storing events is on every write's path, and needs no ORM work.
_CONVERSATIONS = cast(sa.Table, Conversation.__table__)  # a declarative model's table: typed as any FromClause
_NUMBER = (sa.update(_CONVERSATIONS).where(_CONVERSATIONS.c.id == sa.bindparam("conversation_id"))
           .values(live_seq=_CONVERSATIONS.c.live_seq + sa.bindparam("count")).returning(_CONVERSATIONS.c.live_seq))
_STORE = sa.insert(cast(sa.Table, LiveEvent.__table__))
# PostgreSQL: number and store in ONE statement (a data-modifying WITH), sent with the COMMIT in one pipeline
# (app/live/numbering.py); this form, sent on its own, only where the driver cannot do that.
_NUMBER_AND_STORE = sa.text(
    "WITH numbered AS (UPDATE conversation SET live_seq = live_seq + :count WHERE id = :conversation_id "
    "RETURNING live_seq), "
    "stored AS (INSERT INTO live_event (conversation_id, id, type, payload, created_hour) "
    "SELECT :conversation_id, numbered.live_seq - :count + event.position, event.type, event.payload, :hour "
    "FROM numbered, unnest(CAST(:positions AS integer[]), CAST(:types AS text[]), CAST(:payloads AS text[])) "
    "AS event(position, type, payload)) "
    "SELECT live_seq FROM numbered"
)


def record(conversation_id: int, type_: str, data: dict[str, Any]) -> LiveMessage:
    """Add an event to the current transaction; publish the returned message after commit.

    The message is numbered when the transaction commits (see _number_pending): the conversation's counter is
    the last row the transaction locks, held only while the server numbers and commits (on PostgreSQL the
    numbering statement and COMMIT go in one network write), so writes to one conversation never queue on it while
    they do their own work, and event ids are still in commit order.
    """
    message = LiveMessage(conversation_id, 0, type_, data)
    db.session.info.setdefault(_PENDING, []).append(message)
    return message


@sa.event.listens_for(Session, "before_commit")
def _number_pending(session: Session) -> None:
    """Number and store the transaction's events, last of all (after every other write is flushed).

    On PostgreSQL with psycopg 3 they are numbered by the statement sent with the COMMIT itself
    (app/live/numbering.py); elsewhere here, by the last statements before it.
    """
    if session.in_nested_transaction():
        return  # releasing a savepoint commits nothing: numbered when the outermost transaction commits
    pending: list[LiveMessage] = session.info.pop(_PENDING, [])
    unstored: set[int] = session.info.pop(_UNSTORED, set())
    if not pending:
        return
    session.flush()
    by_conversation: dict[int, list[LiveMessage]] = defaultdict(list)
    for message in pending:
        by_conversation[message.conversation_id].append(message)
    connection = session.connection()
    if numbering.supported(connection):
        hour, cutoff = this_hour(), _prune_cutoff()
        for conversation_id in sorted(by_conversation):  # one lock order for every writer: no deadlock
            messages = by_conversation[conversation_id]
            payloads, kept = _payloads(messages, unstored)
            numbering.plan(connection, conversation_id, messages, hour, kept, payloads, cutoff)
        return
    prune_now = False
    for conversation_id in sorted(by_conversation):  # one lock order for every writer: no deadlock
        messages = by_conversation[conversation_id]
        last = _number_and_store(connection, conversation_id, messages, unstored)
        first = last - len(messages) + 1
        prune_now = prune_now or last // PRUNE_EVERY != (first - 1) // PRUNE_EVERY  # passed a multiple
    if prune_now:
        prune()


def _payloads(messages: list[LiveMessage], unstored: set[int]) -> tuple[list[str], list[int]]:
    """The messages' payloads as stored, and the positions of those to store (not forgotten)."""
    payloads = [json.dumps(m.data, sort_keys=True, separators=(",", ":")) for m in messages]
    return payloads, [n for n, m in enumerate(messages) if id(m) not in unstored]


def _number_and_store(connection: sa.Connection, conversation_id: int, messages: list[LiveMessage],
                      unstored: set[int]) -> int:
    """Take the next numbers of the conversation for these messages and store those not forgotten; the last number."""
    payloads, kept = _payloads(messages, unstored)
    if connection.dialect.name == "postgresql":
        last = connection.execute(_NUMBER_AND_STORE, {
            "conversation_id": conversation_id, "count": len(messages), "hour": this_hour(),
            "positions": [n + 1 for n in kept], "types": [messages[n].type for n in kept],
            "payloads": [payloads[n] for n in kept]}).scalar_one()
    else:
        last = connection.execute(_NUMBER, {"conversation_id": conversation_id, "count": len(messages)}).scalar_one()
    first = last - len(messages) + 1
    for offset, message in enumerate(messages):
        object.__setattr__(message, "id", first + offset)  # frozen for readers; numbered exactly once, here
    if connection.dialect.name != "postgresql" and kept:
        connection.execute(_STORE, [{"conversation_id": conversation_id, "id": messages[n].id,
                                     "type": messages[n].type, "payload": payloads[n]} for n in kept])
    return int(last)


@sa.event.listens_for(Session, "after_transaction_end")
def _forget_pending(session: Session, transaction: SessionTransaction) -> None:
    """Events of a transaction that rolled back were never stored: never number or publish them."""
    if transaction.parent is None:
        session.info.pop(_PENDING, None)
        session.info.pop(_UNSTORED, None)


def _prune_cutoff(retention_hours: int | None = None) -> datetime:
    from flask import current_app

    hours = retention_hours if retention_hours is not None else current_app.config.get("CHORUS_LIVE_RETENTION_HOURS", 24)
    return this_hour() - timedelta(hours=hours)


def prune(retention_hours: int | None = None) -> int:
    """Delete events older than the retention (flushes only; the caller commits)."""
    result = db.session.execute(sa.delete(LiveEvent).where(LiveEvent.created_hour < _prune_cutoff(retention_hours)))
    return cast(CursorResult[Any], result).rowcount or 0  # Session.execute types every result as Result; an UPDATE/DELETE gives a CursorResult


def forget(conversation_id: int) -> None:
    """Delete a conversation's whole log (at close), in the caller's transaction.

    Events this transaction recorded so far are forgotten too: they are still numbered and published, never stored.
    """
    db.session.execute(sa.delete(LiveEvent).where(LiveEvent.conversation_id == conversation_id))
    unstored: set[int] = db.session.info.setdefault(_UNSTORED, set())
    unstored.update(id(m) for m in db.session.info.get(_PENDING, []) if m.conversation_id == conversation_id)


def last_id(engine: Engine, conversation_id: int) -> int:
    with engine.connect() as connection:
        value = connection.scalar(sa.select(Conversation.live_seq).where(Conversation.id == conversation_id))
    return int(value or 0)


def replay(engine: Engine, conversation_id: int, after: int, limit: int = REPLAY_LIMIT) -> tuple[list[LiveMessage], bool]:
    """Events after `after`, oldest first, and whether they are complete (nothing pruned in between).

    Uses a short connection of its own, never the request's session, so a stream holds no transaction.
    """
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(LiveEvent.id, LiveEvent.type, LiveEvent.payload)
            .where(LiveEvent.conversation_id == conversation_id, LiveEvent.id > after)
            .order_by(LiveEvent.id)
            .limit(limit)
        ).all()
        current = connection.scalar(sa.select(Conversation.live_seq).where(Conversation.id == conversation_id)) or 0
    messages = [LiveMessage(conversation_id, row.id, row.type, json.loads(row.payload)) for row in rows]
    expected_first = after + 1
    complete = (not messages and current == after) or bool(messages and messages[0].id == expected_first)
    if len(messages) == limit and messages[-1].id < current:
        complete = False
    return messages, complete


def changed_since(conversation_id: int, after: int, types: tuple[str, ...] = VOTE_EVENTS) -> bool:
    """Whether an event of these types came after event `after` (True too when the log no longer says)."""
    newer = sa.select(LiveEvent.id).where(LiveEvent.conversation_id == conversation_id, LiveEvent.id > after)
    current = sa.select(Conversation.live_seq).where(Conversation.id == conversation_id).scalar_subquery()
    next_kept = sa.exists(newer.where(LiveEvent.id == after + 1))
    return bool(db.session.scalar(sa.select(
        sa.exists(newer.where(LiveEvent.type.in_(types)))
        | ((current > after) & ~next_kept)  # pruned (or forgotten) since: assume the votes changed
    )))
