"""What staff compare in pairs in a conversation: its themes, or a shortlist of ideas.

A lead chooses per conversation: the themes of the current run (the default), the ideas of one question,
or ideas the lead picked as "recommendations". Nothing here links a person to anything.
"""

from __future__ import annotations

import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model


class PairwiseItems(enum.StrEnum):
    THEMES = "themes"
    QUESTION = "question"  # the published ideas of one question
    PICKED = "picked"  # ideas the lead picked

    @property
    def label(self) -> str:
        return {"themes": "Themes", "question": "The ideas posted under one question",
                "picked": "Ideas you pick as recommendations"}[self.value]


class PairwiseSetup(Model):
    """Per conversation: what its pairs page compares (no row means themes)."""

    __table_args__ = (sa.CheckConstraint("items IN ('themes', 'question', 'picked')", name="items_value"),)

    conversation_id: Mapped[int] = mapped_column(sa.ForeignKey("conversation.id", ondelete="CASCADE"), primary_key=True)
    items: Mapped[str] = mapped_column(sa.String(10), default=PairwiseItems.THEMES.value)
    question_id: Mapped[int | None] = mapped_column(sa.ForeignKey("question.id", ondelete="SET NULL"))


class PairwiseIdea(Model):
    """An idea a lead picked for comparing in pairs."""

    __table_args__ = ({"sqlite_with_rowid": False},)

    conversation_id: Mapped[int] = mapped_column(sa.ForeignKey("conversation.id", ondelete="CASCADE"), primary_key=True)
    idea_id: Mapped[str] = mapped_column(sa.ForeignKey("idea.id", ondelete="CASCADE"), primary_key=True)
