"""Batch release: in small conversations new posts wait, unseen, and then appear together.

In a team of twelve, the hour a post appears, or just the order posts appear in, can say who wrote it
("it came up right after Sam left the meeting"). With batch release on, a new idea or comment is stored
as *waiting*: only its author sees it (in "My ideas and comments"), and every list, count, search,
theme, export, API answer and live event leaves it out, because they all show published content only.

The waiting posts are published together when `batch_size` of them are waiting, when the oldest has
waited `batch_max_wait_hours` (the scheduler tick), when a facilitator releases them, when a live
session changes phase, when the conversation closes, or when the setting is turned off. A release is
one transaction that writes the posts in a shuffled order, one UPDATE each, all with the same hour (the
release hour), and records their live events in that same order: neither times, event ids nor the
tables' physical order keep the order they were written in (docs/anonymity.md).

Moderation comes first: a post a moderator must see stays pending, and approving it moves it to
waiting, so it joins the next batch instead of appearing alone at the moment of approval.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa

from app import live
from app.extensions import db
from app.models import Comment, ContentStatus, Conversation, ConversationStatus, Idea
from app.models.base import this_hour, utcnow
from app.models.conversation import PostingState
from app.services.common.errors import InvalidInput

SIZE_RANGE = (3, 100)
WAIT_RANGE = (1, 168)  # hours: up to a week
_random = secrets.SystemRandom()


@dataclass
class Released:
    """What a release did, for the caller to announce after its commit."""

    messages: list[live.LiveMessage] = field(default_factory=list)
    embed_conversations: set[int] = field(default_factory=set)  # whose released ideas need embedding

    @property
    def count(self) -> int:
        return len(self.messages)


def _whole(value: object, low: int, high: int, field_name: str, message: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise InvalidInput(message, field=field_name)
    return value


def checked_settings(on: bool, size: object, max_wait_hours: object) -> tuple[bool, int, int]:
    """The batch settings, or InvalidInput naming the field that is out of range."""
    low, high = SIZE_RANGE
    size = _whole(size, low, high, "batch_size", f"Enter a batch size from {low} to {high} posts")
    low, high = WAIT_RANGE
    wait = _whole(max_wait_hours, low, high, "batch_max_wait_hours", f"Enter a longest wait from {low} to {high} hours")
    return bool(on), size, wait


def apply_settings(conversation: Conversation, on: bool, size: object, max_wait_hours: object) -> Released:
    """Check and set the batch settings (flushes only); turning it off releases what is waiting."""
    settings = checked_settings(on, size, max_wait_hours)
    conversation.batch_release, conversation.batch_size, conversation.batch_max_wait_hours = settings
    if not conversation.batch_release:
        return release_held(conversation)
    return hold_or_release(conversation)  # a smaller batch size may already be reached


def new_status(conversation: PostingState) -> str:
    """The status of a new post that needs no moderator."""
    return ContentStatus.WAITING if conversation.batch_release else ContentStatus.PUBLISHED


def publish_or_hold(conversation: Conversation, item: Idea | Comment, was_published: bool) -> None:
    """A moderator approved an item: a post already out stays out; a new one joins the next batch."""
    if was_published or not conversation.batch_release:
        item.status = ContentStatus.PUBLISHED
        return
    item.status = ContentStatus.WAITING
    item.created_hour = this_hour()  # its wait counts from approval, not from when it was written


def _waiting_filter(model: type[Idea] | type[Comment], conversation_id: int) -> sa.ColumnElement[bool]:
    return (model.conversation_id == conversation_id) & (model.status == ContentStatus.WAITING)


def waiting_count(conversation: PostingState) -> int:
    """How many posts are waiting for the next batch (a count only: facilitators never see them)."""
    return sum(
        db.session.scalar(sa.select(sa.func.count()).select_from(model).where(_waiting_filter(model, conversation.id))) or 0
        for model in (Idea, Comment)
    )


def _lock(conversation: PostingState) -> None:
    """Serialise releases and arrivals per conversation (PostgreSQL row lock; SQLite writes are serial)."""
    db.session.execute(sa.select(Conversation.id).where(Conversation.id == conversation.id).with_for_update())


def shuffle(items: list[Idea | Comment]) -> None:
    """Put a batch in a random order (a function of its own so a test can fix the order)."""
    _random.shuffle(items)


def release_held(conversation: PostingState) -> Released:
    """Publish every waiting post with one shared hour, in a shuffled order (flushes only)."""
    from app.services.workshops import events

    _lock(conversation)
    items: list[Idea | Comment] = []
    for model in (Idea, Comment):
        items.extend(db.session.scalars(sa.select(model).where(_waiting_filter(model, conversation.id))))
    shuffle(items)
    hour, released = this_hour(), Released()
    for item in items:
        item.status, item.created_hour = ContentStatus.PUBLISHED, hour
        if not item.notice_action:
            item.edited = False  # nobody else saw the text before it was edited
        db.session.flush()  # one UPDATE per post, in the shuffled order
    for item in items:
        message = events.idea_posted(item) if isinstance(item, Idea) else events.comment_posted(item)
        if message is not None:  # always, as every item was just published
            released.messages.append(message)
        if isinstance(item, Idea):
            released.embed_conversations.add(item.conversation_id)
    return released


def hold_or_release(conversation: PostingState) -> Released:
    """After a post joined the waiting posts: release them all if the batch is full (flushes only)."""
    if not conversation.batch_release:
        return Released()
    _lock(conversation)
    if waiting_count(conversation) >= conversation.batch_size:
        return release_held(conversation)
    return Released()


def announce(released: Released) -> None:
    """After the commit: tell every board, and queue the released ideas' embeddings."""
    from app.services.themes.embeddings import queue_embedding

    live.publish(*released.messages)
    for conversation_id in released.embed_conversations:
        queue_embedding(conversation_id)


def release_now(conversation: Conversation) -> int:
    """A facilitator's "Release waiting posts now"; returns how many posts appeared."""
    released = release_held(conversation)
    db.session.commit()
    announce(released)
    return released.count


def _due(conversation: Conversation, now: datetime) -> bool:
    if not conversation.batch_release or conversation.status != ConversationStatus.OPEN:
        return True
    if conversation.closes_at and now >= conversation.closes_at:
        return True
    if waiting_count(conversation) >= conversation.batch_size:
        return True
    oldest = min(
        (db.session.scalar(sa.select(sa.func.min(model.created_hour)).where(_waiting_filter(model, conversation.id)))
         for model in (Idea, Comment)),
        key=lambda hour: hour or datetime.max,
    )
    return oldest is not None and oldest + timedelta(hours=conversation.batch_max_wait_hours) <= now


def release_due(now: datetime | None = None) -> int:
    """For the scheduler tick: release every batch that is full, has waited long enough, or is left over
    in a conversation that closed or turned the setting off. Returns how many posts appeared."""
    now = now or utcnow()
    ids = set(db.session.scalars(sa.select(Idea.conversation_id).where(Idea.status == ContentStatus.WAITING)))
    ids |= set(db.session.scalars(sa.select(Comment.conversation_id).where(Comment.status == ContentStatus.WAITING)))
    total = 0
    for conversation_id in sorted(ids):
        conversation = db.session.get(Conversation, conversation_id)
        if conversation is None or not _due(conversation, now):
            continue
        released = release_held(conversation)
        db.session.commit()
        announce(released)
        total += released.count
    return total
