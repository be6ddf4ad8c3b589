"""The dates a facilitator sees for a conversation, worded for its state (draft, scheduled, open, closed)."""

from __future__ import annotations

from datetime import datetime

from app.models import Conversation
from app.models.base import utcnow
from app.models.conversation import ConversationStatus


def _long(value: datetime) -> str:
    return value.strftime("%-d %B %Y %H:%M UTC")


def _short(value: datetime) -> str:
    return value.strftime("%-d %b %Y %H:%M")


def ended_at(conversation: Conversation, now: datetime) -> datetime | None:
    """When it stopped taking part (closed by hand, or its closing time passed), else None."""
    if conversation.status == ConversationStatus.CLOSED:
        return conversation.closed_at or conversation.closes_at
    if conversation.status == ConversationStatus.OPEN and conversation.closes_at and conversation.closes_at <= now:
        return conversation.closes_at
    return None


def date_rows(conversation: Conversation, now: datetime | None = None) -> list[tuple[str, str]]:
    """Summary rows: what will happen for a draft or a scheduled one, what did happen once it runs or ends."""
    now = now or utcnow()
    ended = ended_at(conversation, now)
    if ended is not None or conversation.status == ConversationStatus.CLOSED:
        opened = [("Opened", _long(conversation.opens_at))] if conversation.opens_at else []
        return [*opened, ("Closed", _long(ended) if ended else "Closed")]
    if conversation.status == ConversationStatus.OPEN:
        if conversation.opens_at and conversation.opens_at > now:
            opens = ("Opens", _long(conversation.opens_at))
        else:
            opens = ("Opened", _long(conversation.opens_at) if conversation.opens_at else "Open now")
    else:
        opens = ("Opens", _long(conversation.opens_at) if conversation.opens_at else "When you open it")
    closes = _long(conversation.closes_at) if conversation.closes_at else "No closing date: stays open until you close it"
    return [opens, ("Closes", closes)]


def closes_cell(conversation: Conversation, now: datetime | None = None) -> str:
    """The "Closes" column of the facilitator's list: a closed conversation shows when it closed."""
    now = now or utcnow()
    ended = ended_at(conversation, now)
    if ended is not None:
        return f"Closed {ended.strftime('%-d %b %Y')}"
    if conversation.status == ConversationStatus.CLOSED:
        return "Closed"
    return _short(conversation.closes_at) if conversation.closes_at else "No closing date"
