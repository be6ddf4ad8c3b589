"""Participation figures as stored aggregates: one snapshot per conversation, written only by a scheduled batch.

A snapshot holds totals and rounded, suppressed counts by organisation and staff group, with every group
below k already folded into "Other". No row says who took part, and none is written when someone posts or
votes (rules A1 and A4): the batch recomputes everything in memory and keeps only these numbers.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model


class ParticipationSnapshot(Model):
    """The last batch's figures for one conversation; replaced in place by the next batch."""

    conversation_id: Mapped[int] = mapped_column(sa.ForeignKey("conversation.id", ondelete="CASCADE"), primary_key=True)
    # Truncated to the hour: the batch's time says nothing finer than "this hour's figures".
    computed_hour: Mapped[datetime]
    min_group_size: Mapped[int]
    ideas: Mapped[int]
    comments: Mapped[int]
    votes: Mapped[int]
    participants: Mapped[int | None]  # rounded to 5; None when fewer than k people took part
    # [[label, rounded count or null], ...] with groups below k already folded into "Other".
    by_organisation: Mapped[list[Any]] = mapped_column(sa.JSON)
    by_staff_group: Mapped[list[Any]] = mapped_column(sa.JSON)
