"""Live events: the short replay log behind Server-Sent Events.

Rows carry no author or user and only an hour-truncated time; they are deleted when the
conversation closes and after a bounded retention (docs/anonymity.md, "Live events").
"""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model
from app.models.base import this_hour


class Phase(enum.StrEnum):
    """Phases of a live session, in order."""

    COLLECT = "collect"
    VOTE = "vote"
    REVIEW = "review"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return {"collect": "Sharing ideas", "vote": "Voting", "review": "Review", "closed": "Closed"}[self.value]


class LiveEvent(Model):
    """One event of a conversation, numbered per conversation (the SSE `id`)."""

    conversation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("conversation.id", ondelete="CASCADE"), primary_key=True
    )
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    type: Mapped[str] = mapped_column(sa.String(20))
    payload: Mapped[str] = mapped_column(sa.Text, default="{}")
    created_hour: Mapped[datetime] = mapped_column(default=this_hour, index=True)
