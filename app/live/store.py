"""The replay log: recording events in the writer's transaction, reading them back, forgetting them."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import CursorResult, Engine

from app.extensions import db
from app.live.bus import LiveMessage
from app.models import Conversation, LiveEvent
from app.models.base import this_hour

REPLAY_LIMIT = 500
# Pruning runs with every PRUNE_EVERY-th event of a conversation, so the log stays bounded without a job.
PRUNE_EVERY = 50


def record(conversation_id: int, type_: str, data: dict[str, Any]) -> LiveMessage:
    """Add an event to the current transaction; publish the returned message after commit.

    The per-conversation counter is bumped with UPDATE ... RETURNING, which locks the conversation row
    until commit, so event ids are in commit order and a stream can tell a gap from a duplicate.
    """
    seq = db.session.execute(
        sa.update(Conversation)
        .where(Conversation.id == conversation_id)
        .values(live_seq=Conversation.live_seq + 1)
        .returning(Conversation.live_seq),
        execution_options={"synchronize_session": False},
    ).scalar_one()
    db.session.add(LiveEvent(conversation_id=conversation_id, id=seq, type=type_,
                             payload=json.dumps(data, sort_keys=True, separators=(",", ":"))))
    if seq % PRUNE_EVERY == 0:
        prune()
    return LiveMessage(conversation_id, seq, type_, data)


def prune(retention_hours: int | None = None) -> int:
    """Delete events older than the retention (flushes only; the caller commits)."""
    from flask import current_app

    hours = retention_hours if retention_hours is not None else current_app.config.get("CHORUS_LIVE_RETENTION_HOURS", 24)
    cutoff = this_hour() - timedelta(hours=hours)
    result = db.session.execute(sa.delete(LiveEvent).where(LiveEvent.created_hour < cutoff))
    return cast(CursorResult[Any], result).rowcount or 0  # Session.execute types every result as Result; an UPDATE/DELETE gives a CursorResult


def forget(conversation_id: int) -> None:
    """Delete a conversation's whole log (at close), in the caller's transaction."""
    db.session.execute(sa.delete(LiveEvent).where(LiveEvent.conversation_id == conversation_id))


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
