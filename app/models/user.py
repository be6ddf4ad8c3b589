"""People who sign in, their roles per organisation, and their API tokens.

Nothing here is ever joined to content: content rows carry HMAC tags, not user ids.
"""

from __future__ import annotations

import enum
import secrets
from datetime import date, datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import Model
from app.models.base import utcnow
from app.models.organisation import Organisation, StaffGroup


class Role(enum.StrEnum):
    """What a person may do in one organisation; each role includes the ones before it."""

    PARTICIPANT = "participant"
    FACILITATOR = "facilitator"
    LEAD = "lead"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return list(Role).index(self)

    @property
    def label(self) -> str:
        return {"lead": "Change-hub lead"}.get(self.value, self.value.capitalize())


def new_user_key() -> str:
    """The immutable pseudonymous identity of a local account (accounts made by SSO use their SSO subject)."""
    return "local:" + secrets.token_hex(32)


class User(UserMixin, Model):
    """A person with an account."""

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(120), default="")
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    user_key: Mapped[str] = mapped_column(sa.String(128), unique=True, default=new_user_key)
    # The single sign-on identity (Entra "tid:oid", else a hash of iss and sub), kept apart from user_key:
    # linking an existing account must not change its user_key, or its posts and votes would be orphaned.
    sso_subject: Mapped[str | None] = mapped_column(sa.String(128), unique=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A8: a password an admin chose works once and must then be replaced by the person; until then every
    # page but "set your password" is closed to the account. Resets are counted and dated (the day only) so
    # the person sees each one, including any they did not ask for.
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    admin_resets: Mapped[int] = mapped_column(default=0, server_default="0")
    admin_reset_on: Mapped[date | None]

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )
    tokens: Mapped[list[ApiToken]] = relationship(back_populates="user", cascade="all, delete-orphan")

    @property
    def has_password(self) -> bool:
        """True when a password can sign this account in (a used one-time password cannot)."""
        return self.password_hash is not None and self.password_hash != "" and not self.password_hash.startswith("!")

    @property
    def is_active(self) -> bool:  # flask-login
        return self.active

    def role_in(self, organisation_id: int) -> Role | None:
        for membership in self.memberships:
            if membership.organisation_id == organisation_id:
                return Role(membership.role)
        return None

    def has_role(self, role: Role, organisation_id: int | None = None) -> bool:
        """True when the person holds `role` or higher, in one organisation or in any."""
        return any(
            Role(m.role).rank >= role.rank
            for m in self.memberships
            if organisation_id is None or m.organisation_id == organisation_id
        )

    @property
    def organisation_ids(self) -> frozenset[int]:
        return frozenset(m.organisation_id for m in self.memberships)

    @property
    def guardian_of(self) -> frozenset[int]:
        """Organisations where this person is the Freedom to Speak Up Guardian (apart from the ranked roles)."""
        return frozenset(m.organisation_id for m in self.memberships if m.speak_up_guardian)


class Membership(Model):
    """A person's role and staff group in one organisation."""

    __table_args__ = (sa.UniqueConstraint("user_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(sa.String(20), default=Role.PARTICIPANT.value)
    staff_group_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_group.id", ondelete="SET NULL"))
    # The Freedom to Speak Up Guardian: not a rank, so an admin is not a Guardian unless appointed one.
    speak_up_guardian: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    user: Mapped[User] = relationship(back_populates="memberships")
    organisation: Mapped[Organisation] = relationship(lazy="joined")
    staff_group: Mapped[StaffGroup | None] = relationship(lazy="joined")


class ApiToken(Model):
    """A personal API token; only its SHA-256 hash is stored."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(80), default="API token")
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked: Mapped[bool] = mapped_column(default=False)

    user: Mapped[User] = relationship(back_populates="tokens")
