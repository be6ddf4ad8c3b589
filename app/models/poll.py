"""Quick polls in a live session: a question with 2-6 choices or a 1-5 scale, answered once per person.

An answer carries only a pseudonym made for that one poll (HMAC of the conversation key, "poll", the poll id and
the person's user key), so answers to different polls, and votes, cannot be linked to each other; one answer
per person per poll is the primary key. No time is kept with an answer (rule A5).
"""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model
from app.models.base import this_hour


class PollKind(enum.StrEnum):
    CHOICE = "choice"
    SCALE = "scale"


class PollStatus(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


class Poll(Model):
    """One quick poll of a conversation; its options are kept in order (a scale's are "1" to "5")."""

    __table_args__ = (
        sa.CheckConstraint("kind IN ('choice', 'scale')", name="kind_known"),
        sa.CheckConstraint("status IN ('draft', 'open', 'closed')", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(sa.ForeignKey("conversation.id", ondelete="CASCADE"), index=True)
    question: Mapped[str] = mapped_column(sa.String(300))
    kind: Mapped[str] = mapped_column(sa.String(10), default=PollKind.CHOICE.value)
    options: Mapped[list] = mapped_column(sa.JSON, default=list)
    status: Mapped[str] = mapped_column(sa.String(10), default=PollStatus.DRAFT.value)
    created_at: Mapped[datetime] = mapped_column(default=this_hour)  # the hour only (rule A5)


class PollAnswer(Model):
    """One answer: the option's position and the answerer's per-poll pseudonym, nothing else."""

    __table_args__ = (
        sa.CheckConstraint("choice >= 0 AND choice < 6", name="choice_range"),
        {"sqlite_with_rowid": False},  # rows kept in key order, not in the order people answered
    )

    poll_id: Mapped[int] = mapped_column(sa.ForeignKey("poll.id", ondelete="CASCADE"), primary_key=True)
    answerer: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    choice: Mapped[int] = mapped_column(sa.SmallInteger)
