"""Facilitators' broadcasts: schedule, cancel and list invitations, reminders and announcements, and set the
conversation's Teams channel. Sending is in sending.py; recipients are the audience alone (audience.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from app.extensions import db
from app.jobs import outbox as job_outbox
from app.models import (Conversation, ConversationStatus, MessageKind, MessageStatus, Outcome, OutreachMessage,
                        TeamsWebhook)
from app.models.base import this_hour, utcnow
from app.services.common.errors import InvalidInput, NotAllowedNow, NotFound
from app.services.common.transaction import transaction
from app.services.messaging import audience, teams

SEND_JOB = "messages.send"
WHEN = ("now", "before_close", "at")
REMINDER_DAYS = 3
NOTE_LIMIT = 1000


@dataclass(frozen=True)
class Request:
    """What a facilitator asked for: shape already checked by the form or the API schema."""

    kind: str
    by_email: bool
    by_teams: bool
    when: str
    at: datetime | None = None
    organisation_ids: tuple[int, ...] = ()
    staff_group_ids: tuple[int, ...] = ()
    note: str = ""


def due_hour(conversation: Conversation, when: str, at: datetime | None, now: datetime | None = None) -> datetime:
    """The hour a message is due: this hour, three days before closing, or a chosen hour (never in the past)."""
    hour = (now or utcnow()).replace(minute=0, second=0, microsecond=0)
    if when == "now":
        return hour
    if when == "before_close":
        if conversation.closes_at is None:
            raise InvalidInput("This conversation has no closing date: choose a date and time instead.", field="when")
        due = (conversation.closes_at - timedelta(days=REMINDER_DAYS)).replace(minute=0, second=0, microsecond=0)
        if due < hour:
            raise InvalidInput("It closes in less than three days: send the reminder now instead.", field="when")
        return due
    if when != "at":
        raise InvalidInput("Choose when to send it.", field="when")
    if at is None:
        raise InvalidInput("Enter the date and time to send it.", field="at")
    due = at.replace(minute=0, second=0, microsecond=0)
    if due < hour:
        raise InvalidInput("The date and time must be in the future.", field="at")
    if due > hour + timedelta(days=366):
        raise InvalidInput("The date must be within a year.", field="at")
    return due


def has_outcomes(conversation: Conversation) -> bool:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Outcome)
                             .where(Outcome.conversation_id == conversation.id)) != 0


def webhook(conversation: Conversation) -> TeamsWebhook | None:
    return db.session.get(TeamsWebhook, conversation.id)


def readiness(conversation: Conversation, kind: MessageKind) -> str | None:
    """Why a message of this kind cannot go out yet (it waits), or None when it can."""
    if kind is MessageKind.ANNOUNCEMENT:
        return None if has_outcomes(conversation) else "Publish at least one “You said, we did” outcome first."
    if conversation.status == ConversationStatus.DRAFT or (conversation.opens_at and utcnow() < conversation.opens_at):
        return "It is sent once the conversation opens."
    return None


def schedule_message(conversation: Conversation, request: Request) -> OutreachMessage:
    """Schedule a broadcast (or send it at once, for "now"); all-or-nothing, InvalidInput when refused."""
    message_id = _record(conversation, request)
    job_outbox.dispatch()  # after commit: a message due now is sent at once (a Redis outage leaves it to the tick)
    message = db.session.get(OutreachMessage, message_id)
    assert message is not None
    return message


@transaction
def _record(conversation: Conversation, request: Request) -> int:
    try:
        kind = MessageKind(request.kind)
    except ValueError:
        raise InvalidInput("Choose what to send: an invitation, a reminder or an announcement.", field="kind") from None
    if not (request.by_email or request.by_teams):
        raise InvalidInput("Choose email, Microsoft Teams or both.", field="channels")
    if request.by_teams and webhook(conversation) is None:
        raise InvalidInput("Set this conversation's Teams channel address first (below), or choose email only.",
                           field="channels")
    note = (request.note or "").strip()
    if len(note) > NOTE_LIMIT:
        raise InvalidInput(f"The note must be {NOTE_LIMIT:,} characters or fewer.", field="note")
    if conversation.status == ConversationStatus.CLOSED and kind is not MessageKind.ANNOUNCEMENT:
        raise NotAllowedNow("This conversation has closed: only “You said, we did” announcements can be sent.")
    if kind is MessageKind.ANNOUNCEMENT and not has_outcomes(conversation):
        raise NotAllowedNow("Publish at least one “You said, we did” outcome before announcing them.")
    due = due_hour(conversation, request.when, request.at)
    if kind is not MessageKind.ANNOUNCEMENT and conversation.closes_at and due >= conversation.closes_at:
        raise InvalidInput("That is after the conversation closes: choose an earlier time.", field="at")
    chosen = audience.check_filter(conversation, list(request.organisation_ids), list(request.staff_group_ids))
    message = OutreachMessage(conversation_id=conversation.id, kind=kind.value, by_email=request.by_email,
                              by_teams=request.by_teams, audience_filter=chosen, note=note, due_hour=due,
                              status=MessageStatus.SCHEDULED.value, recipients=audience.count(conversation, chosen, kind))
    db.session.add(message)
    db.session.flush()
    if due <= this_hour():
        job_outbox.defer(SEND_JOB, message.id)  # queued after commit (app/jobs/outbox.py)
    return message.id


def messages(conversation: Conversation) -> list[OutreachMessage]:
    """The conversation's send log, newest first."""
    return list(db.session.scalars(sa.select(OutreachMessage).where(OutreachMessage.conversation_id == conversation.id)
                                   .order_by(OutreachMessage.id.desc())))


def get_message(conversation: Conversation, message_id: int) -> OutreachMessage:
    message = db.session.get(OutreachMessage, message_id)
    if message is None or message.conversation_id != conversation.id:
        raise NotFound("We could not find that message.")
    return message


@transaction
def cancel_message(conversation: Conversation, message_id: int) -> OutreachMessage:
    """Stop a scheduled message; one already being sent or sent cannot be called back."""
    message = get_message(conversation, message_id)
    updated = db.session.execute(sa.update(OutreachMessage).where(
        OutreachMessage.id == message.id, OutreachMessage.status == MessageStatus.SCHEDULED.value)
        .values(status=MessageStatus.CANCELLED.value).execution_options(synchronize_session=False))
    if not getattr(updated, "rowcount", 0):
        raise NotAllowedNow("Only a message that is still scheduled can be cancelled.")
    db.session.refresh(message)
    return message


@transaction
def set_teams_webhook(conversation: Conversation, url: str) -> TeamsWebhook | None:
    """Set (or, with an empty address, remove) the Teams channel this conversation's posts go to."""
    current = webhook(conversation)
    if not (url or "").strip():
        if current is not None:
            db.session.delete(current)
        return None
    checked = teams.check_webhook_url(url)
    if current is None:
        current = TeamsWebhook(conversation_id=conversation.id, url=checked)
        db.session.add(current)
    else:
        current.url = checked
    return current


def masked(hook: TeamsWebhook | None) -> str | None:
    """The address as pages show it: the host only, because the rest works like a password."""
    if hook is None:
        return None
    from urllib.parse import urlsplit

    return f"{urlsplit(hook.url).scheme}://{urlsplit(hook.url).netloc}/…"
