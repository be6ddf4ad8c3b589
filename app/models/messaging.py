"""Invitations, reminders and announcements sent to a conversation's audience, and who asked for none.

A message row is scheduling metadata and a send log of counts: it never lists recipients or addresses, and is
written only by a facilitator scheduling or the sending job, never because of what anyone wrote or voted.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model
from app.models.base import this_hour


class MessageKind(enum.StrEnum):
    INVITATION = "invitation"
    REMINDER = "reminder"
    ANNOUNCEMENT = "announcement"

    @property
    def label(self) -> str:
        return {"invitation": "Invitation", "reminder": "Reminder",
                "announcement": "“You said, we did” announcement"}[self.value]

    @property
    def can_unsubscribe(self) -> bool:
        """Reminders and announcements honour a person's unsubscribe; an invitation is the first word."""
        return self is not MessageKind.INVITATION


class MessageStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"


class OutreachMessage(Model):
    """One broadcast to a conversation's audience (or organisations and staff groups of at least k people)."""

    __tablename__ = "outreach_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(sa.ForeignKey("conversation.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    by_email: Mapped[bool] = mapped_column(default=True)
    by_teams: Mapped[bool] = mapped_column(default=False)
    # {"organisation_ids": [...], "staff_group_ids": [...]}; both empty means the whole audience.
    audience_filter: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    note: Mapped[str] = mapped_column(sa.Text, default="")
    # Scheduling metadata, to the hour: sent by the first scheduler tick in or after this hour.
    due_hour: Mapped[datetime] = mapped_column(index=True)
    status: Mapped[str] = mapped_column(sa.String(10), default=MessageStatus.SCHEDULED.value, index=True)
    created_hour: Mapped[datetime] = mapped_column(default=this_hour)
    sent_hour: Mapped[datetime | None]
    # Retries: how many tries so far, and not before when the next one runs (backoff across ticks).
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None]
    claimed_at: Mapped[datetime | None]  # while a job is sending; a stale claim is released by the tick
    # The send log: counts only, never who. `progress` is how far through the (id-ordered) recipient list
    # sending has gone, so a retry carries on where the last try stopped instead of sending twice.
    recipients: Mapped[int] = mapped_column(default=0)
    progress: Mapped[int] = mapped_column(default=0)
    sent_count: Mapped[int] = mapped_column(default=0)
    failed_count: Mapped[int] = mapped_column(default=0)
    teams_posted: Mapped[bool] = mapped_column(default=False)
    last_error: Mapped[str] = mapped_column(sa.String(500), default="")

    @property
    def kind_label(self) -> str:
        return MessageKind(self.kind).label


class MessagePreference(Model):
    """A person asked for no more messages of one kind (reminders or announcements): written only by them."""

    __tablename__ = "message_preference"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(20), primary_key=True)


class TeamsWebhook(Model):
    """The Microsoft Teams incoming webhook (or Workflows) address a conversation's posts go to."""

    __tablename__ = "teams_webhook"

    conversation_id: Mapped[int] = mapped_column(sa.ForeignKey("conversation.id", ondelete="CASCADE"), primary_key=True)
    url: Mapped[str] = mapped_column(sa.String(2000))
