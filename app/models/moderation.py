"""Reports on content and the moderation log.

A report carries a per-conversation reporter pseudonym (an HMAC), never a user id, so one person's
report on an item is unique in the database without recording who made it. The log names the
moderator (moderators are accountable) and never the author.
"""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model
from app.models.base import random_id, utcnow


class ReportReason(enum.StrEnum):
    IDENTIFYING = "identifying"
    ABUSIVE = "abusive"
    OFF_TOPIC = "off_topic"
    DUPLICATE = "duplicate"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            "identifying": "It could identify someone",
            "abusive": "It is abusive or offensive",
            "off_topic": "It is off topic",
            "duplicate": "It repeats another post",
            "other": "Something else",
        }[self.value]


class ModerationLogAction(enum.StrEnum):
    APPROVE = "approve"
    HIDE = "hide"
    REDACT = "redact"
    AUTO_HIDE = "auto_hide"  # hidden automatically after enough reports

    @property
    def label(self) -> str:
        return {"approve": "Approved", "hide": "Hidden", "redact": "Edited to remove details",
                "auto_hide": "Hidden after reports"}[self.value]


class ContentReport(Model):
    """One person's report of one idea or comment; `cleared` once a moderator has dealt with it."""

    __table_args__ = (
        sa.UniqueConstraint("idea_id", "reporter"),
        sa.UniqueConstraint("comment_id", "reporter"),
        sa.CheckConstraint("(idea_id IS NULL) <> (comment_id IS NULL)", name="one_item"),
        {"sqlite_with_rowid": False},
    )

    id: Mapped[str] = mapped_column(sa.String(24), primary_key=True, default=random_id)
    conversation_id: Mapped[int] = mapped_column(sa.ForeignKey("conversation.id", ondelete="CASCADE"), index=True)
    idea_id: Mapped[str | None] = mapped_column(sa.ForeignKey("idea.id", ondelete="CASCADE"))
    comment_id: Mapped[str | None] = mapped_column(sa.ForeignKey("comment.id", ondelete="CASCADE"))
    reporter: Mapped[str] = mapped_column(sa.String(64))
    reason: Mapped[str] = mapped_column(sa.String(20))
    note: Mapped[str] = mapped_column(sa.String(500), default="")
    cleared: Mapped[bool] = mapped_column(default=False)


class ModerationEntry(Model):
    """One moderation decision: what, why, by which moderator and when; never the author."""

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(sa.ForeignKey("conversation.id", ondelete="CASCADE"), index=True)
    item_kind: Mapped[str] = mapped_column(sa.String(8))
    item_id: Mapped[str] = mapped_column(sa.String(24))
    action: Mapped[str] = mapped_column(sa.String(12))
    reason: Mapped[str | None] = mapped_column(sa.String(20))
    note: Mapped[str] = mapped_column(sa.String(500), default="")
    moderator_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
