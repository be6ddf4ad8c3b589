"""Triage of themes by change-hub leads: plans, actions, manual placements, comparisons and outcomes.

Nothing here links a person to content. Pairwise comparisons carry a per-conversation pseudonym
(an HMAC with its own purpose), never a user id. What a person has seen of outcome notices is kept by
their browser (app/notice_cookie.py), never on the server.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import Model
from app.models.base import utcnow


class ThemeStatus(enum.StrEnum):
    NEW = "new"
    UNDER_REVIEW = "under_review"
    PRIORITISED = "prioritised"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    NOT_TAKING_FORWARD = "not_taking_forward"

    @property
    def label(self) -> str:
        return {
            "new": "New", "under_review": "Under review", "prioritised": "Prioritised",
            "in_progress": "In progress", "done": "Done", "not_taking_forward": "Not taking forward",
        }[self.value]


class ThemePlan(Model):
    """A lead's plan for a theme: status, owner, due date, ratings, rank, and where a merged theme went."""

    theme_id: Mapped[int] = mapped_column(sa.ForeignKey("theme.id", ondelete="CASCADE"), primary_key=True)
    status: Mapped[str] = mapped_column(sa.String(20), default=ThemeStatus.NEW.value)
    public_reason: Mapped[str] = mapped_column(sa.Text, default="")
    owner: Mapped[str] = mapped_column(sa.String(160), default="")
    due_on: Mapped[date | None]
    impact: Mapped[int | None] = mapped_column(sa.SmallInteger)
    effort: Mapped[int | None] = mapped_column(sa.SmallInteger)
    manual_rank: Mapped[int | None]
    # A theme merged into another redirects there in every later run.
    merged_into_id: Mapped[int | None] = mapped_column(sa.ForeignKey("theme.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    __table_args__ = (
        sa.CheckConstraint("impact IS NULL OR impact BETWEEN 1 AND 5", name="impact_range"),
        sa.CheckConstraint("effort IS NULL OR effort BETWEEN 1 AND 5", name="effort_range"),
    )


class ThemeAction(Model):
    """One action under a theme: what, who, by when, done or not."""

    id: Mapped[int] = mapped_column(primary_key=True)
    theme_id: Mapped[int] = mapped_column(sa.ForeignKey("theme.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(sa.String(500))
    owner: Mapped[str] = mapped_column(sa.String(160), default="")
    due_on: Mapped[date | None]
    done: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class IdeaPlacement(Model):
    """A lead placed an idea in a theme by hand; every later run keeps it there."""

    __table_args__ = ({"sqlite_with_rowid": False},)

    idea_id: Mapped[str] = mapped_column(sa.ForeignKey("idea.id", ondelete="CASCADE"), primary_key=True)
    conversation_id: Mapped[int] = mapped_column(sa.ForeignKey("conversation.id", ondelete="CASCADE"), index=True)
    theme_id: Mapped[int] = mapped_column(sa.ForeignKey("theme.id", ondelete="CASCADE"), index=True)


class PairwiseChoice(Model):
    """One "which matters more?" answer; chooser is a per-conversation pseudonym, there is no time."""

    __table_args__ = (
        sa.CheckConstraint("choice IN ('left', 'right', 'skip')", name="choice_value"),
        sa.Index("ix_pairwise_choice_conversation_chooser", "conversation_id", "chooser"),
        sa.CheckConstraint(
            "(left_theme_id IS NOT NULL AND right_theme_id IS NOT NULL AND left_idea_id IS NULL AND right_idea_id IS NULL)"
            " OR (left_idea_id IS NOT NULL AND right_idea_id IS NOT NULL AND left_theme_id IS NULL AND right_theme_id IS NULL)",
            name="two_themes_or_two_ideas"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(sa.ForeignKey("conversation.id", ondelete="CASCADE"))
    # Either two themes or two ideas (see app.models.pairwise for what a conversation compares).
    left_theme_id: Mapped[int | None] = mapped_column(sa.ForeignKey("theme.id", ondelete="CASCADE"))
    right_theme_id: Mapped[int | None] = mapped_column(sa.ForeignKey("theme.id", ondelete="CASCADE"))
    left_idea_id: Mapped[str | None] = mapped_column(sa.ForeignKey("idea.id", ondelete="CASCADE"))
    right_idea_id: Mapped[str | None] = mapped_column(sa.ForeignKey("idea.id", ondelete="CASCADE"))
    choice: Mapped[str] = mapped_column(sa.String(5))
    chooser: Mapped[str] = mapped_column(sa.String(64))


class Outcome(Model):
    """"You said, we did" for one theme, published by a lead."""

    id: Mapped[int] = mapped_column(primary_key=True)
    theme_id: Mapped[int] = mapped_column(sa.ForeignKey("theme.id", ondelete="CASCADE"), unique=True)
    conversation_id: Mapped[int] = mapped_column(sa.ForeignKey("conversation.id", ondelete="CASCADE"), index=True)
    heard: Mapped[str] = mapped_column(sa.Text)
    will_do: Mapped[str] = mapped_column(sa.Text)
    by_whom: Mapped[str] = mapped_column(sa.String(160))
    by_when: Mapped[date | None]
    published_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Moves forward on every progress update, so notices know what is new.
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    updates: Mapped[list[OutcomeUpdate]] = relationship(
        back_populates="outcome", order_by="OutcomeUpdate.id", cascade="all, delete-orphan"
    )


class OutcomeUpdate(Model):
    """A later progress update on an outcome."""

    id: Mapped[int] = mapped_column(primary_key=True)
    outcome_id: Mapped[int] = mapped_column(sa.ForeignKey("outcome.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    outcome: Mapped[Outcome] = relationship(back_populates="updates")
