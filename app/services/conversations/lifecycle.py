"""Conversations: what each person can see, and creating, editing, opening and closing them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from app import live
from app.extensions import db
from app.services.common.transaction import transaction
from app.models import (
    Conversation,
    ConversationKind,
    ConversationStatus,
    Idea,
    Organisation,
    Question,
    Vote,
    VotingMode,
)
from app.models.base import utcnow
from app.services.access import allowed_audience
from app.services.common.errors import InvalidInput, NotAllowedNow
from app.services.conversations import release
from app.services.common.keys import create_key
from app.services.common.text import clean_text

MAX_QUESTIONS = 10


@dataclass
class ConversationDetails:
    """What a facilitator sets on a conversation."""

    title: str
    description: str = ""
    kind: str = ConversationKind.ONLINE.value
    voting_mode: str = VotingMode.SUPPORT.value
    comments_enabled: bool = True
    named_mode: bool = False
    audience_ids: list[int] = field(default_factory=list)
    questions: list[str] = field(default_factory=list)
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    # Batch release (app/services/conversations/release.py): off by default; 5 posts or 24 hours when turned on.
    batch_release: bool = False
    batch_size: int = 5
    batch_max_wait_hours: int = 24


def _validated(details: ConversationDetails, allowed: list[Organisation]) -> tuple[str, str, list[str], list[Organisation]]:
    title = clean_text(details.title, minimum=3, maximum=160, what="title", field="title")
    description = (details.description or "").strip()
    if len(description) > 5000:
        raise InvalidInput("The description must be 5,000 characters or fewer", field="description")
    if details.kind not in {k.value for k in ConversationKind}:
        raise InvalidInput("Choose a type of conversation", field="kind")
    if details.voting_mode not in {m.value for m in VotingMode}:
        raise InvalidInput("Choose how people vote", field="voting_mode")
    questions = [q.strip() for q in details.questions if q and q.strip()]
    if not questions:
        raise InvalidInput("Add at least one question", field="questions")
    if len(questions) > MAX_QUESTIONS:
        raise InvalidInput(f"A conversation can have up to {MAX_QUESTIONS} questions", field="questions")
    for text in questions:
        if len(text) > 300:
            raise InvalidInput("Each question must be 300 characters or fewer", field="questions")
    if details.opens_at and details.closes_at and details.closes_at <= details.opens_at:
        raise InvalidInput("The closing date must be after the opening date", field="closes_at")
    # One message for an unknown id and another trust's, so the answer does not say which ids exist.
    chosen = set(details.audience_ids or [])
    orgs = [o for o in allowed if o.id in chosen]
    if not orgs or len(orgs) != len(chosen):
        raise InvalidInput("Choose which organisations can take part from the list", field="audience_ids")
    return title, description, questions, orgs


@transaction
def create_conversation(organisation_id: int, details: ConversationDetails) -> Conversation:
    """Create a draft conversation with its questions and its own pseudonym key."""
    owner = db.session.get(Organisation, organisation_id)
    if owner is None:
        raise InvalidInput("Choose the organisation that runs this conversation", field="organisation_id")
    title, description, questions, orgs = _validated(details, allowed_audience(owner))
    batch_release, batch_size, batch_wait = release.checked_settings(
        details.batch_release, details.batch_size, details.batch_max_wait_hours)
    conversation = Conversation(
        organisation_id=organisation_id,
        title=title,
        description=description,
        kind=details.kind,
        voting_mode=details.voting_mode,
        comments_enabled=details.comments_enabled,
        named_mode=details.named_mode,
        opens_at=details.opens_at,
        closes_at=details.closes_at,
        audience=orgs,
        questions=[Question(text=text, position=i) for i, text in enumerate(questions)],
        batch_release=batch_release, batch_size=batch_size, batch_max_wait_hours=batch_wait,
    )
    db.session.add(conversation)
    db.session.flush()
    create_key(conversation)
    db.session.commit()
    return conversation


@transaction
def update_conversation(conversation: Conversation, details: ConversationDetails) -> Conversation:
    """Edit a conversation; questions that already have ideas keep their ids and are only reworded."""
    if conversation.status == ConversationStatus.CLOSED:
        raise NotAllowedNow("A closed conversation cannot be edited.")
    title, description, questions, orgs = _validated(
        details, allowed_audience(conversation.organisation, list(conversation.audience)))
    batch = release.checked_settings(details.batch_release, details.batch_size, details.batch_max_wait_hours)
    has_votes = db.session.scalar(sa.select(sa.exists().where(Vote.conversation_id == conversation.id)))
    if has_votes and details.voting_mode != conversation.voting_mode:
        raise InvalidInput("People have already voted, so the way of voting cannot change", field="voting_mode")
    existing = list(conversation.questions)
    used = set(db.session.scalars(sa.select(Idea.question_id).where(Idea.conversation_id == conversation.id)))
    if used and details.named_mode != conversation.named_mode:
        raise InvalidInput("People have already posted, so names cannot be turned on or off", field="named_mode")
    if len(questions) < len(existing) and any(q.id in used for q in existing[len(questions):]):
        raise InvalidInput("A question that already has ideas cannot be removed", field="questions")
    for i, text in enumerate(questions):
        if i < len(existing):
            existing[i].text = text
        else:
            conversation.questions.append(Question(text=text, position=i))
    for question in existing[len(questions):]:
        conversation.questions.remove(question)
    conversation.title, conversation.description = title, description
    conversation.kind, conversation.voting_mode = details.kind, details.voting_mode
    conversation.comments_enabled, conversation.named_mode = details.comments_enabled, details.named_mode
    conversation.opens_at, conversation.closes_at = details.opens_at, details.closes_at
    conversation.audience = orgs
    released = release.apply_settings(conversation, *batch)
    db.session.commit()
    release.announce(released)
    return conversation


@transaction
def open_conversation(conversation: Conversation) -> Conversation:
    """Open a draft (or reopen a closed conversation whose key still exists)."""
    if conversation.key is None or conversation.key.wrapped is None:
        raise NotAllowedNow("This conversation has been archived and cannot be reopened.")
    if conversation.closes_at and conversation.closes_at <= utcnow():
        raise NotAllowedNow("The closing date has passed. Change it before opening the conversation.")
    conversation.status = ConversationStatus.OPEN
    conversation.closed_at = None
    db.session.commit()
    return conversation


@transaction
def close_conversation(conversation: Conversation) -> Conversation:
    """Close a conversation; its key is destroyed after the grace period by shred_expired_keys."""
    if conversation.status == ConversationStatus.CLOSED:
        raise NotAllowedNow("This conversation is already closed.")
    conversation.status = ConversationStatus.CLOSED
    conversation.closed_at = utcnow()
    released, message = _forget_live_events(conversation)
    db.session.commit()
    release.announce(released)
    live.publish(message)
    return conversation


def _forget_live_events(conversation: Conversation) -> tuple[release.Released, live.LiveMessage]:
    """At close the replay log is deleted (an ordered log would date posts more precisely than an hour);
    only the news that it closed is kept, so open boards learn it. Posts waiting for a batch appear first."""
    released = release.release_held(conversation)
    live.forget(conversation.id)
    if conversation.phase is not None:
        conversation.phase, conversation.phase_ends_at = "closed", None
    return released, live.record(conversation.id, "phase", {"phase": "closed", "label": "Closed", "ends_at": None})


def close_due_conversations(now: datetime | None = None) -> list[int]:
    """Mark open conversations whose closing date has passed as closed (closed_at = their closing date)."""
    now = now or utcnow()
    due = db.session.scalars(
        sa.select(Conversation).where(
            Conversation.status == ConversationStatus.OPEN, Conversation.closes_at.is_not(None),
            Conversation.closes_at <= now,
        )
    ).all()
    released = []
    for conversation in due:
        conversation.status = ConversationStatus.CLOSED
        conversation.closed_at = conversation.closes_at
        released.append(_forget_live_events(conversation)[0])
    live.prune()
    db.session.commit()
    for batch in released:
        release.announce(batch)
    return [c.id for c in due]
