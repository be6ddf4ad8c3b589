"""Opinion-group runs: one computation of a conversation's opinion groups, kept as aggregates only.

A run never stores which voter pseudonym fell in which group: only group sizes, the ideas that represent
each group with percentages, consensus and divisive ideas with per-group percentages, and counts.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model
from app.models.base import this_hour

PENDING_SQL = "status IN ('queued', 'running')"


class OpinionRun(Model):
    """A job payload carries only this run's id; the newest succeeded run is what readers see."""

    __table_args__ = (
        # At most one queued or running run per conversation, so page views cannot pile up jobs.
        sa.Index("ux_opinion_run_pending", "conversation_id", unique=True,
                 sqlite_where=sa.text(PENDING_SQL), postgresql_where=sa.text(PENDING_SQL)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(sa.ForeignKey("conversation.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(sa.String(10), default="queued")  # a RunStatus
    trigger: Mapped[str] = mapped_column(sa.String(10), default="view")
    # Conversation.live_seq read before the votes were loaded: the result is current until a later vote event.
    vote_version: Mapped[int] = mapped_column(default=0)
    voters: Mapped[int] = mapped_column(default=0)
    grouped: Mapped[int] = mapped_column(default=0)
    ideas_voted: Mapped[int] = mapped_column(default=0)
    min_votes: Mapped[int] = mapped_column(default=0)
    # [{"size": n, "statements": [{"idea_id", "direction", "percent_group", "percent_others"}]}], largest first
    groups: Mapped[list] = mapped_column(sa.JSON, default=list)
    # [{"idea_id", "percents": [percent of each group agreeing]}]
    consensus: Mapped[list] = mapped_column(sa.JSON, default=list)
    divisive: Mapped[list] = mapped_column(sa.JSON, default=list)
    # The opinion map: [[x, y, group], ...] scaled to 0..1000, sorted by value (never in voter or row order), only
    # for groups of at least k people; None when the run shows no groups. No point says whose it is.
    map_points: Mapped[list | None] = mapped_column(sa.JSON)
    error: Mapped[str | None] = mapped_column(sa.Text)
    # Hours only (rule A5): with vote_version, an exact time would say when votes were cast.
    created_at: Mapped[datetime] = mapped_column(default=this_hour)
    finished_at: Mapped[datetime | None]
