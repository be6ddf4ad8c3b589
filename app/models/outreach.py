"""The workforce baseline: how many staff each organisation has in each staff group (headcounts only).

Admins upload it from a workforce report or count it from the people table. Nothing here names a person;
the outreach monitor divides the participation batch's counts by these headcounts.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import Model
from app.models.organisation import Organisation, StaffGroup


class WorkforceBaseline(Model):
    """One staff group's headcount in one organisation, replaced whole by each upload or sync."""

    __table_args__ = (sa.CheckConstraint("headcount >= 0", name="headcount_not_negative"),)

    staff_group_id: Mapped[int] = mapped_column(sa.ForeignKey("staff_group.id", ondelete="CASCADE"), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    headcount: Mapped[int]
    source: Mapped[str] = mapped_column(sa.String(12))  # "upload" or "people"
    updated_on: Mapped[date]  # the day only

    organisation: Mapped[Organisation] = relationship()
    staff_group: Mapped[StaffGroup] = relationship(lazy="joined")
