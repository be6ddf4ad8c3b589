"""Partnerships, organisations (trusts) and the staff groups within them."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import Model


class Partnership(Model):
    """A group of organisations that run conversations together (for example two trusts)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)

    organisations: Mapped[list[Organisation]] = relationship(back_populates="partnership")


class Organisation(Model):
    """An employing organisation such as an NHS trust."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(160), unique=True)
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    partnership_id: Mapped[int | None] = mapped_column(sa.ForeignKey("partnership.id", ondelete="SET NULL"))

    partnership: Mapped[Partnership | None] = relationship(back_populates="organisations")
    staff_groups: Mapped[list[StaffGroup]] = relationship(
        back_populates="organisation", order_by="StaffGroup.name", cascade="all, delete-orphan"
    )


class StaffGroup(Model):
    """A staff group on an organisation's roster, e.g. Nursing and Midwifery."""

    __table_args__ = (sa.UniqueConstraint("organisation_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(80))

    organisation: Mapped[Organisation] = relationship(back_populates="staff_groups")
