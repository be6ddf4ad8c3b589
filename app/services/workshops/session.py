"""Running a live session: phases, the countdown timer, the spotlight and vote-count visibility.

Facilitator views call these with a conversation from get_managed_conversation. Each call commits,
then publishes its live event, so every board changes at once.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from app import live
from app.extensions import db
from app.models import ContentStatus, Conversation, ConversationStatus, Idea, Phase, Theme
from app.models.base import utcnow
from app.services.conversations.lifecycle import close_conversation
from app.services.conversations import release
from app.services.common.errors import InvalidInput, NotAllowedNow
from app.services.workshops.phases import phase_label

MAX_TIMER_MINUTES = 180


def iso(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") + "Z" if value else None


def _require_live(conversation: Conversation) -> None:
    if conversation.status == ConversationStatus.CLOSED:
        raise NotAllowedNow("This conversation has closed. Open it again before running a live session.")
    if conversation.phase is None:
        raise NotAllowedNow("Start the live session first by choosing a phase.")


def _phase_event(conversation: Conversation) -> live.LiveMessage:
    return live.record(conversation.id, "phase", {
        "phase": conversation.phase, "label": phase_label(conversation), "ends_at": iso(conversation.phase_ends_at),
    })


def set_phase(conversation: Conversation, phase: str) -> Conversation:
    """Move the session to a phase; starting one opens a draft, and `closed` closes the conversation.

    Any phase may follow any other (a facilitator may go back to collecting); the timer stops at each change.
    Posts waiting for a batch release appear at every change, so people vote on everything collected.
    """
    if phase not in {p.value for p in Phase}:
        raise InvalidInput("Choose a phase: collect ideas, vote, review or close", field="phase")
    if conversation.status == ConversationStatus.CLOSED:
        raise NotAllowedNow("This conversation has closed. Open it again before running a live session.")
    if phase == Phase.CLOSED:
        conversation.phase = Phase.CLOSED.value
        return close_conversation(conversation)
    if conversation.status == ConversationStatus.DRAFT:
        if conversation.key is None or conversation.key.wrapped is None:
            raise NotAllowedNow("This conversation has been archived and cannot be reopened.")
        if conversation.closes_at and conversation.closes_at <= utcnow():
            raise NotAllowedNow("The closing date has passed. Change it before starting the session.")
        conversation.status = ConversationStatus.OPEN.value
    if conversation.opens_at and conversation.opens_at > utcnow():
        conversation.opens_at = None  # starting the session live means it opens now
    conversation.phase = phase
    conversation.phase_ends_at = None
    released = release.release_held(conversation)  # batch release: everything collected so far appears
    message = _phase_event(conversation)
    db.session.commit()
    release.announce(released)
    live.publish(message)
    return conversation


def _timer_event(conversation: Conversation) -> live.LiveMessage:
    return live.record(conversation.id, "timer", {"ends_at": iso(conversation.phase_ends_at)})


def _minutes(minutes: object) -> int:
    if not isinstance(minutes, int) or isinstance(minutes, bool) or not 1 <= minutes <= MAX_TIMER_MINUTES:
        raise InvalidInput(f"Enter a number of minutes from 1 to {MAX_TIMER_MINUTES}", field="minutes")
    return minutes


def start_timer(conversation: Conversation, minutes: int | None) -> Conversation:
    """Count down from now; every screen shows the time left until phase_ends_at."""
    _require_live(conversation)
    conversation.phase_ends_at = utcnow().replace(microsecond=0) + timedelta(minutes=_minutes(minutes))
    message = _timer_event(conversation)
    db.session.commit()
    live.publish(message)
    return conversation


def add_time(conversation: Conversation, minutes: int | None) -> Conversation:
    """Add minutes to a running timer (or start one if it is stopped or has run out)."""
    _require_live(conversation)
    now = utcnow().replace(microsecond=0)
    base = conversation.phase_ends_at if conversation.phase_ends_at and conversation.phase_ends_at > now else now
    ends = base + timedelta(minutes=_minutes(minutes))
    if ends - now > timedelta(minutes=MAX_TIMER_MINUTES):
        raise InvalidInput(f"The timer can run for up to {MAX_TIMER_MINUTES} minutes", field="minutes")
    conversation.phase_ends_at = ends
    message = _timer_event(conversation)
    db.session.commit()
    live.publish(message)
    return conversation


def stop_timer(conversation: Conversation) -> Conversation:
    _require_live(conversation)
    if conversation.phase_ends_at is None:
        raise NotAllowedNow("The timer is not running.")
    conversation.phase_ends_at = None
    message = _timer_event(conversation)
    db.session.commit()
    live.publish(message)
    return conversation


def spotlight_payload(conversation: Conversation) -> dict[str, Any]:
    """What is in the spotlight, as every screen shows it (text already public on the board)."""
    if conversation.spotlight_idea_id:
        idea = db.session.get(Idea, conversation.spotlight_idea_id)
        if idea is not None and idea.status == ContentStatus.PUBLISHED and idea.conversation_id == conversation.id:
            return {"kind": "idea", "id": idea.id, "text": idea.body}
    if conversation.spotlight_theme_id:
        theme = db.session.get(Theme, conversation.spotlight_theme_id)
        if theme is not None and theme.conversation_id == conversation.id:
            return {"kind": "theme", "id": theme.id, "text": theme.label, "summary": theme.summary}
    return {"kind": None}


def set_spotlight(conversation: Conversation, *, idea_id: str | None = None, theme_id: int | None = None) -> Conversation:
    """Put one idea or theme on everyone's screen, or clear the spotlight (both None)."""
    _require_live(conversation)
    if idea_id and theme_id:
        raise InvalidInput("Choose an idea or a theme, not both", field="spotlight")
    if idea_id:
        idea = db.session.get(Idea, idea_id)
        if idea is None or idea.conversation_id != conversation.id or idea.status != ContentStatus.PUBLISHED:
            raise InvalidInput("Choose an idea from this conversation", field="spotlight")
    if theme_id:
        theme = db.session.get(Theme, theme_id)
        if theme is None or theme.conversation_id != conversation.id:
            raise InvalidInput("Choose a theme from this conversation", field="spotlight")
    conversation.spotlight_idea_id, conversation.spotlight_theme_id = idea_id or None, theme_id or None
    message = live.record(conversation.id, "spotlight", spotlight_payload(conversation))
    db.session.commit()
    live.publish(message)
    return conversation


def set_votes_hidden(conversation: Conversation, hidden: bool) -> Conversation:
    """Hide vote counts from each person until they vote on an idea, or until the vote phase ends."""
    if conversation.status == ConversationStatus.CLOSED:
        raise NotAllowedNow("This conversation has closed, so its vote counts are shown to everyone.")
    conversation.votes_hidden = bool(hidden)
    message = live.record(conversation.id, "visibility", {"votes_hidden": conversation.votes_hidden})
    db.session.commit()
    live.publish(message)
    return conversation
