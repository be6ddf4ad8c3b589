"""The Guardian's side of the Speak Up route: the queue, a thread, replies and closing.

A Guardian sees the post's words, where it was posted (conversation and question) and the hour, and the messages;
never an author tag, a nonce, a pseudonym or a name, even in a named-mode conversation. Nothing here can tell a
Guardian who wrote a post, unless its author wrote that in a message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import Comment, ContentStatus, Conversation, Idea, SpeakUpMessage, SpeakUpThread, ThreadStatus
from app.services.access import get_guardian_thread
from app.services.common.errors import InvalidInput
from app.services.speakup.threads import add_message

PER_PAGE = 50


@dataclass(frozen=True)
class SentPost:
    """What a Guardian may know of a post: its words (unless withdrawn) and where it was posted, never who wrote it."""

    kind: str  # "idea" or "comment"
    body: str | None  # None once the author has withdrawn it
    conversation: str
    organisation_id: int
    question: str
    on_idea: str | None  # a comment's idea, when that idea is published
    created_hour: datetime


@dataclass(frozen=True)
class QueueItem:
    thread: SpeakUpThread
    post: SentPost


def sent_post(thread: SpeakUpThread) -> SentPost:
    """What a Guardian (or the author) may see of a thread's post."""
    conversation: Conversation = thread.conversation
    if thread.idea is not None:
        idea, kind, on_idea = thread.idea, "idea", None
        body = idea.body
        status = idea.status
    else:
        comment: Comment | None = thread.comment
        assert comment is not None  # a thread points at exactly one post (a check constraint)
        idea, kind = comment.idea, "comment"
        on_idea = idea.body if idea.status == ContentStatus.PUBLISHED else None
        body, status = comment.body, comment.status
    return SentPost(kind, None if status == ContentStatus.WITHDRAWN else body, conversation.title,
                    conversation.organisation_id, idea.question.text, on_idea,
                    (thread.idea or thread.comment).created_hour)  # type: ignore[union-attr]


def queue(guardian_of: frozenset[int], status: str = ThreadStatus.OPEN.value) -> list[QueueItem]:
    """Threads sent to these organisations' Guardians: unread first, then newest (by hour)."""
    if not guardian_of:
        return []
    status = status if status in {s.value for s in ThreadStatus} else ThreadStatus.OPEN.value
    hour = sa.func.coalesce(Idea.created_hour, Comment.created_hour)
    threads = db.session.scalars(
        sa.select(SpeakUpThread).join(Conversation, Conversation.id == SpeakUpThread.conversation_id)
        .outerjoin(Idea, Idea.id == SpeakUpThread.idea_id).outerjoin(Comment, Comment.id == SpeakUpThread.comment_id)
        .where(Conversation.organisation_id.in_(guardian_of), SpeakUpThread.status == status)
        .order_by(SpeakUpThread.guardian_unread.desc(), hour.desc(), SpeakUpThread.id)
        .options(selectinload(SpeakUpThread.conversation), selectinload(SpeakUpThread.messages),
                 selectinload(SpeakUpThread.idea).selectinload(Idea.question),
                 selectinload(SpeakUpThread.comment).selectinload(Comment.idea).selectinload(Idea.question))
        .limit(PER_PAGE)).all()
    return [QueueItem(thread, sent_post(thread)) for thread in threads]


def counts(guardian_of: frozenset[int]) -> dict[str, int]:
    """Open, unread and closed threads, for the Guardian's own queue page."""
    if not guardian_of:
        return {"open": 0, "unread": 0, "closed": 0}
    base = (sa.select(SpeakUpThread.status, SpeakUpThread.guardian_unread, sa.func.count())
            .join(Conversation, Conversation.id == SpeakUpThread.conversation_id)
            .where(Conversation.organisation_id.in_(guardian_of))
            .group_by(SpeakUpThread.status, SpeakUpThread.guardian_unread))
    result = {"open": 0, "unread": 0, "closed": 0}
    for status, unread, n in db.session.execute(base):
        result[status] = result.get(status, 0) + n
        if unread:
            result["unread"] += n
    return result


def read_thread(guardian_of: frozenset[int], thread_id: str) -> QueueItem:
    """One thread for a Guardian, marked read (the mark is the Guardian's, on the thread, never the author's)."""
    thread = get_guardian_thread(guardian_of, thread_id)
    if thread.guardian_unread:
        thread.guardian_unread = False
        db.session.commit()
    return QueueItem(thread, sent_post(thread))


def reply(guardian_of: frozenset[int], guardian_name: str, thread_id: str, body: str) -> SpeakUpMessage:
    """A Guardian's reply; the author reads it on their own "My ideas and comments" page."""
    thread = get_guardian_thread(guardian_of, thread_id)
    message = add_message(thread, body, guardian_name=guardian_name or "Freedom to Speak Up Guardian")
    thread.replies += 1
    thread.status, thread.guardian_unread = ThreadStatus.OPEN.value, False  # replying is reading
    db.session.commit()
    return message


def set_status(guardian_of: frozenset[int], thread_id: str, status: str) -> SpeakUpThread:
    """Close a thread the Guardian has finished with, or reopen it."""
    if status not in {s.value for s in ThreadStatus}:
        raise InvalidInput("Choose open or closed.", field="status")
    thread = get_guardian_thread(guardian_of, thread_id)
    thread.status = status
    db.session.commit()
    return thread
