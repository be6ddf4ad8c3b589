"""Who took part in a conversation, by group only: a pseudonym, an organisation and a staff-group label.

A row says "someone in this organisation and staff group took part", never what they wrote or when:
no user id, no time, and the pseudonym is an HMAC under the conversation key that no content row shares.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


class Participation(db.Model):
    """One row per person per conversation, enforced by the primary key (inserted with ON CONFLICT DO NOTHING)."""

    __table_args__ = ({"sqlite_with_rowid": False},)

    conversation_id: Mapped[int] = mapped_column(sa.ForeignKey("conversation.id", ondelete="CASCADE"), primary_key=True)
    pseudonym: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisation.id", ondelete="SET NULL"))
    # The roster staff group's name, or "Other" when that group is smaller than the minimum group size.
    staff_group: Mapped[str] = mapped_column(sa.String(80))
