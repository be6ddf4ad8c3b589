"""People who sign in, their roles per organisation, and their API tokens.

Nothing here is ever joined to content: content rows carry HMAC tags, not user ids.
"""

from __future__ import annotations

import enum
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Protocol

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


class MemberOf:
    """Role questions asked of a person's memberships: shared by the User model and the signed-in person's row."""

    if TYPE_CHECKING:  # supplied by the class it is mixed into (a mapped column or a plain attribute)
        memberships: Sequence[MembershipLike]
        password_hash: str | None

    @property
    def has_password(self) -> bool:
        """True when a password can sign this account in (a used one-time password cannot)."""
        return self.password_hash is not None and self.password_hash != "" and not self.password_hash.startswith("!")

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


class MembershipLike(Protocol):
    """What MemberOf reads of a membership: a Membership row or a MembershipRow."""

    @property
    def organisation_id(self) -> Any: ...
    @property
    def role(self) -> Any: ...
    @property
    def staff_group_id(self) -> Any: ...
    @property
    def speak_up_guardian(self) -> Any: ...


class User(UserMixin, MemberOf, Model):
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
    def is_active(self) -> bool:  # flask-login
        return self.active


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


@dataclass(frozen=True, slots=True)
class MembershipRow:
    """A membership as a request reads it: ids and role, without the organisation and staff group rows."""

    organisation_id: int
    role: str
    staff_group_id: int | None
    speak_up_guardian: bool


class SignedInUser(UserMixin, MemberOf):
    """The signed-in person as one request sees them, read from narrow rows instead of built as ORM objects.

    Every check a request makes (roles and organisations, the password mark, the user key) reads these values,
    loaded with the session's or token's check in one statement. Anything else (tokens, a membership's organisation
    name) comes from the User row, loaded on first use; code that changes the account works on that row (record()).
    """

    is_guest = False
    guest_conversation_id = None

    def __init__(self, id: int, email: str, display_name: str, user_key: str, password_hash: str | None,
                 must_change_password: bool, memberships: tuple[MembershipRow, ...]) -> None:
        self.id = id
        self.email = email
        self.display_name = display_name
        self.user_key = user_key
        self.password_hash = password_hash
        self.must_change_password = must_change_password
        self.memberships = memberships
        self._record: User | None = None

    # The User columns and Membership columns a signed-in request reads, in from_rows's order.
    USER_COLUMNS = ("id", "email", "display_name", "user_key", "password_hash", "must_change_password")
    MEMBERSHIP_COLUMNS = ("organisation_id", "role", "staff_group_id", "speak_up_guardian")

    @classmethod
    def from_rows(cls, rows: Sequence[Sequence[Any]]) -> SignedInUser:
        """One person from rows of USER_COLUMNS then MEMBERSHIP_COLUMNS (an outer join: NULLs for no membership)."""
        id, email, display_name, user_key, password_hash, must_change_password = rows[0][:6]
        memberships = tuple(MembershipRow(*row[6:10]) for row in rows if row[6] is not None)
        return cls(id, email, display_name, user_key, password_hash, must_change_password, memberships)

    @property
    def is_active(self) -> bool:  # flask-login; only active accounts are loaded
        return True

    def record(self) -> User | None:
        """This person's User row (None if it has gone since the request began), loaded once."""
        if self._record is None:
            from app.extensions import db

            self._record = db.session.get(User, self.id)
        return self._record

    def __getattr__(self, name: str) -> Any:
        # Only for attributes not read above: a page or view asking for something rarer gets the row's value.
        if name.startswith("_"):
            raise AttributeError(name)
        record = self.record()
        if record is None:
            raise AttributeError(name)
        return getattr(record, name)
