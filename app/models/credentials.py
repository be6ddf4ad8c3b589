"""Sign-in credentials kept apart from the person record: set-password links and signed-out sessions."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model


class PasswordLink(Model):
    """A one-time link to choose a password; only the SHA-256 of the link's secret is stored."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    # Truncated to the hour: the link's age is all that matters.
    expires_at: Mapped[datetime]


class RevokedSession(Model):
    """A signed-out session's random id (hashed), so a copied cookie stops working.

    It carries no user id, so signing out writes nothing that points to a person; rows go once the
    cookie would have expired anyway.
    """

    sid_hash: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(index=True)
