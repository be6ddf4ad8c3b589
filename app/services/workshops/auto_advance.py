"""Moving a live session on by itself when its phase timer runs out (collect -> vote -> review).

A facilitator opts in per session. The server stays the authority: `phases.allows` already treats a
run-out phase as over, and the first request after time is up (a board, console, presenter view or
event poll), or else the scheduler's once-a-minute tick, records the move and tells every screen.
A conditional update makes sure two requests at the same moment move the session only once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import CursorResult

from app import live
from app.extensions import db
from app.models import Conversation, ConversationStatus
from app.models.base import utcnow
from app.services.conversations import release
from app.services.workshops.session import iso
from app.services.workshops.phases import due_phase, phase_label


def set_auto_advance(conversation: Conversation, on: bool) -> Conversation:
    """Opt this session in (or out of) moving on automatically when the timer ends."""
    conversation.auto_advance = bool(on)
    db.session.commit()
    return conversation


def catch_up(conversation: Conversation, now: datetime | None = None) -> bool:
    """Record a due automatic move and tell every screen; True if this call moved the session."""
    moving_to = due_phase(conversation, now)
    if moving_to is None:
        return False
    updated = db.session.execute(
        sa.update(Conversation)
        .where(Conversation.id == conversation.id, Conversation.phase == conversation.phase,
               Conversation.phase_ends_at == conversation.phase_ends_at)
        .values(phase=moving_to, phase_ends_at=None)
        .execution_options(synchronize_session=False))
    moved = cast(CursorResult[Any], updated).rowcount  # Session.execute types every result as Result; an UPDATE/DELETE gives a CursorResult
    if moved != 1:  # another request (or the tick) got there first
        db.session.rollback()
        db.session.refresh(conversation)
        return False
    db.session.refresh(conversation)
    released = release.release_held(conversation)  # batch release: everything collected so far appears
    message = live.record(conversation.id, "phase", {
        "phase": conversation.phase, "label": phase_label(conversation), "ends_at": iso(conversation.phase_ends_at),
        "automatic": True,
    })
    db.session.commit()
    release.announce(released)
    live.publish(message)
    return True


def advance_due(now: datetime | None = None) -> int:
    """For the scheduler: move on every opted-in session whose timer has run out; returns how many moved."""
    moment = now or utcnow()
    due = db.session.scalars(sa.select(Conversation).where(
        Conversation.auto_advance.is_(True), Conversation.status == ConversationStatus.OPEN.value,
        Conversation.phase.in_(("collect", "vote")), Conversation.phase_ends_at <= moment)).all()
    return sum(catch_up(conversation, moment) for conversation in due)
