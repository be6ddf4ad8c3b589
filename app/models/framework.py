"""Frameworks (the NHS People Promise by default, or a trust's own), their elements, and how content maps onto them.

Mappings are derived from content by a theme run and replaced whole in that run's transaction, so they carry no
person and no time (rule A5). A lead's correction records only what was decided (add or remove an element for a
theme or an idea), like a manual placement (IdeaPlacement): no person, no time.
"""

from __future__ import annotations

import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import Model


class MappingSource(enum.StrEnum):
    RUN = "run"
    LEAD = "lead"


class Framework(Model):
    """A set of elements ideas and themes are mapped onto; organisation_id NULL: built in, offered to everyone."""

    __table_args__ = (sa.UniqueConstraint("organisation_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    # Set only on built-in frameworks ("people-promise"), so the default is found (and created once) by it.
    builtin_key: Mapped[str | None] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    description: Mapped[str] = mapped_column(sa.Text, default="")

    elements: Mapped[list[FrameworkElement]] = relationship(
        back_populates="framework", order_by="FrameworkElement.position", cascade="all, delete-orphan")

    @property
    def is_builtin(self) -> bool:
        return self.builtin_key is not None


class FrameworkElement(Model):
    """One element of a framework (e.g. "We are compassionate and inclusive"), with example phrases."""

    __table_args__ = (sa.UniqueConstraint("framework_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(sa.ForeignKey("framework.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(sa.String(120))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    examples: Mapped[list] = mapped_column(sa.JSON, default=list)

    framework: Mapped[Framework] = relationship(back_populates="elements")


class IdeaElement(Model):
    """An idea maps onto an element with a confidence (0-1); replaced whole by each theme run."""

    __table_args__ = ({"sqlite_with_rowid": False},)

    idea_id: Mapped[str] = mapped_column(sa.ForeignKey("idea.id", ondelete="CASCADE"), primary_key=True)
    element_id: Mapped[int] = mapped_column(sa.ForeignKey("framework_element.id", ondelete="CASCADE"), primary_key=True)
    conversation_id: Mapped[int] = mapped_column(sa.ForeignKey("conversation.id", ondelete="CASCADE"), index=True)
    confidence: Mapped[float] = mapped_column(default=0.0)
    source: Mapped[str] = mapped_column(sa.String(4), default=MappingSource.RUN.value)


class ThemeElement(Model):
    """A theme maps onto an element with a confidence (0-1); replaced whole by each theme run."""

    __table_args__ = ({"sqlite_with_rowid": False},)

    theme_id: Mapped[int] = mapped_column(sa.ForeignKey("theme.id", ondelete="CASCADE"), primary_key=True)
    element_id: Mapped[int] = mapped_column(sa.ForeignKey("framework_element.id", ondelete="CASCADE"), primary_key=True)
    conversation_id: Mapped[int] = mapped_column(sa.ForeignKey("conversation.id", ondelete="CASCADE"), index=True)
    confidence: Mapped[float] = mapped_column(default=0.0)
    source: Mapped[str] = mapped_column(sa.String(4), default=MappingSource.RUN.value)


class ElementCorrection(Model):
    """A lead added (added=True) or removed an element for one theme or one idea; every later run keeps it."""

    __table_args__ = (
        sa.CheckConstraint("(theme_id IS NULL) <> (idea_id IS NULL)", name="theme_or_idea"),
        # NULLs are distinct, so each constraint binds only the rows for its kind of target.
        sa.UniqueConstraint("element_id", "theme_id"),
        sa.UniqueConstraint("element_id", "idea_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(sa.ForeignKey("conversation.id", ondelete="CASCADE"), index=True)
    element_id: Mapped[int] = mapped_column(sa.ForeignKey("framework_element.id", ondelete="CASCADE"), index=True)
    theme_id: Mapped[int | None] = mapped_column(sa.ForeignKey("theme.id", ondelete="CASCADE"))
    idea_id: Mapped[str | None] = mapped_column(sa.ForeignKey("idea.id", ondelete="CASCADE"))
    added: Mapped[bool] = mapped_column()
