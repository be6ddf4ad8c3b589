"""Themes: stable theme identities, the runs that compute them, and per-run snapshots.

A run writes its snapshots and assignments under its own id; the conversation points at its
current run, switched in one transaction, so readers never see half a run.
"""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import Model
from app.models.base import this_hour


class RunStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class ThemeRun(Model):
    """One clustering of a conversation's ideas; a job payload carries only this run's id."""

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(sa.ForeignKey("conversation.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(sa.String(10), default=RunStatus.QUEUED.value)
    trigger: Mapped[str] = mapped_column(sa.String(10), default="manual")
    backend: Mapped[str | None] = mapped_column(sa.String(40))
    idea_count: Mapped[int] = mapped_column(default=0)
    theme_count: Mapped[int] = mapped_column(default=0)
    unthemed_count: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(sa.Text)
    # Where a run is (queued, representing, clustering, labelling, done) and how far: n of N ideas read.
    # No time is kept with it: the row's hours are enough to say a run is stuck.
    stage: Mapped[str] = mapped_column(sa.String(12), default="queued", server_default="queued")
    progress_done: Mapped[int] = mapped_column(default=0, server_default="0")
    progress_total: Mapped[int] = mapped_column(default=0, server_default="0")
    # Hours only (rule A5): exact run times, next to the ideas each run saw, would date posts to the second.
    created_at: Mapped[datetime] = mapped_column(default=this_hour)
    finished_at: Mapped[datetime | None]


class Theme(Model):
    """A theme's lasting identity: survives re-runs with its lead-edited name and flags."""

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(sa.ForeignKey("conversation.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(sa.String(120))
    label_locked: Mapped[bool] = mapped_column(default=False)
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    pinned: Mapped[bool] = mapped_column(default=False)
    not_a_theme: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=this_hour)  # made by a run: its hour only
    # The same theme in the session before (a Change Hub's last month), matched by what its ideas say: the
    # theme keeps one identity across sessions (app/services/triage/recurring.py). Links themes, never people.
    previous_theme_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("theme.id", ondelete="SET NULL"), index=True, default=None)


class ThemeSnapshot(Model):
    """What a run found for one theme: label, evidence and size."""

    __table_args__ = (sa.UniqueConstraint("run_id", "theme_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(sa.ForeignKey("theme_run.id", ondelete="CASCADE"), index=True)
    theme_id: Mapped[int] = mapped_column(sa.ForeignKey("theme.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(sa.String(120))
    top_terms: Mapped[list] = mapped_column(sa.JSON, default=list)
    quote_ids: Mapped[list] = mapped_column(sa.JSON, default=list)
    size: Mapped[int] = mapped_column(default=0)
    coherence: Mapped[float] = mapped_column(default=0.0)
    sentiment: Mapped[float | None]

    theme: Mapped[Theme] = relationship(lazy="joined")


class ThemeAssignment(Model):
    """Which theme an idea belongs to in a run (theme_id NULL: unthemed)."""

    __table_args__ = (sa.Index("ix_theme_assignment_run_theme", "run_id", "theme_id"), {"sqlite_with_rowid": False})

    run_id: Mapped[int] = mapped_column(sa.ForeignKey("theme_run.id", ondelete="CASCADE"), primary_key=True)
    idea_id: Mapped[str] = mapped_column(sa.ForeignKey("idea.id", ondelete="CASCADE"), primary_key=True)
    theme_id: Mapped[int | None] = mapped_column(sa.ForeignKey("theme.id", ondelete="CASCADE"))


class IdeaVector(Model):
    """A cached sentence embedding of an idea, computed once on arrival and reused by every run."""

    __table_args__ = ({"sqlite_with_rowid": False},)

    idea_id: Mapped[str] = mapped_column(sa.ForeignKey("idea.id", ondelete="CASCADE"), primary_key=True)
    backend: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    vector: Mapped[bytes] = mapped_column(sa.LargeBinary)
