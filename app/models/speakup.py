"""The Freedom to Speak Up route: a post its author chose to send to their organisation's Guardian.

A thread points at the idea or comment it was opened from and at nothing else: no user id, no user key, no
organisation or staff group of the author. Its author is recognised only by recomputing the author tag of that
post (app/services/content/authorship.py), so opening a thread in the posting request adds no person-linked
row (rule A1), and once the conversation's key is destroyed nobody can tell whose thread it was (rule A6).
Tables are WITHOUT ROWID on SQLite and keyed by random ids, so storage order says nothing either.
"""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import Model
from app.models.base import random_id, this_hour
from app.models.content import Comment, Idea
from app.models.conversation import Conversation


class ThreadStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"  # the Guardian has finished; the author may still read it, and writing again reopens it


class SpeakUpThread(Model):
    """One post sent to the Guardian of the organisation that runs its conversation."""

    __table_args__ = (
        sa.CheckConstraint("(idea_id IS NULL) <> (comment_id IS NULL)", name="one_post"),
        {"sqlite_with_rowid": False},
    )

    id: Mapped[str] = mapped_column(sa.String(24), primary_key=True, default=random_id)
    conversation_id: Mapped[int] = mapped_column(sa.ForeignKey("conversation.id", ondelete="CASCADE"), index=True)
    # The post: a thread per post at most (unique), so sending twice is harmless.
    idea_id: Mapped[str | None] = mapped_column(sa.ForeignKey("idea.id", ondelete="CASCADE"), unique=True)
    comment_id: Mapped[str | None] = mapped_column(sa.ForeignKey("comment.id", ondelete="CASCADE"), unique=True)
    # No time of its own: a post sent while waiting for batch release would keep the hour the release hides.
    status: Mapped[str] = mapped_column(sa.String(12), default=ThreadStatus.OPEN.value)
    # Set for everyone alike by the other side's message, cleared when the Guardian reads it; never per person.
    guardian_unread: Mapped[bool] = mapped_column(default=True)
    replies: Mapped[int] = mapped_column(default=0)  # Guardian messages, so the author's list needs no join

    conversation: Mapped[Conversation] = relationship()
    idea: Mapped[Idea | None] = relationship()
    comment: Mapped[Comment | None] = relationship()
    messages: Mapped[list[SpeakUpMessage]] = relationship(
        back_populates="thread", order_by="SpeakUpMessage.seq",
        cascade="all, delete-orphan")


class SpeakUpMessage(Model):
    """A message in a thread: from the author (no name) or from a Guardian (their display name)."""

    __table_args__ = ({"sqlite_with_rowid": False},)

    id: Mapped[str] = mapped_column(sa.String(24), primary_key=True, default=random_id)
    thread_id: Mapped[str] = mapped_column(sa.ForeignKey("speak_up_thread.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int]  # order within the thread (times are kept only to the hour)
    from_guardian: Mapped[bool]
    guardian_name: Mapped[str | None] = mapped_column(sa.String(120))
    body: Mapped[str] = mapped_column(sa.Text)
    created_hour: Mapped[datetime] = mapped_column(default=this_hour)

    thread: Mapped[SpeakUpThread] = relationship(back_populates="messages")


class SpeakUpContact(Model):
    """What an organisation tells its staff about speaking up: the Guardian's contact and its own routes."""

    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True)
    guardian_contact: Mapped[str] = mapped_column(sa.String(1000), default="")
    local_routes: Mapped[str] = mapped_column(sa.String(2000), default="")
