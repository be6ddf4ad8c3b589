"""People and sign-in: creating users, checking passwords, roles and API tokens."""

from __future__ import annotations

import secrets
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import joinedload, lazyload
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from email_validator import EmailNotValidError, validate_email

from app.crypto import hash_token
from app.extensions import db
from app.models import ApiToken, Membership, Organisation, Role, StaffGroup, User
from app.models.user import SignedInUser
from app.services.common.errors import Conflict, InvalidInput, NotFound
from app.services.common.offload import off_loop

_hasher = PasswordHasher()
# Verified against when the email is unknown, so a wrong email takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))
MIN_PASSWORD = 10


def normalise_email(email: str) -> str:
    """Lower-cased, validated email, or InvalidInput."""
    try:
        return validate_email((email or "").strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise InvalidInput("Enter an email address in the correct format, like name@nhs.net", field="email") from None


def _check_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD:
        raise InvalidInput(f"The password must be {MIN_PASSWORD} characters or more", field="password")


def hash_password(password: str) -> str:
    """The stored hash of a password that meets the policy, or InvalidInput."""
    _check_password(password)
    return off_loop(_hasher.hash, password)


def password_matches(user: User, password: str) -> bool:
    """True when `password` is this account's current, usable password."""
    if not user.has_password:
        return False
    try:
        return off_loop(_hasher.verify, user.password_hash or "", password or "")
    except (VerificationError, InvalidHashError):
        return False


def find_organisation(name_or_code: str) -> Organisation:
    """An organisation by code or name (case-insensitive), or NotFound."""
    value = (name_or_code or "").strip().lower()
    org = db.session.scalar(
        sa.select(Organisation).where(
            sa.or_(sa.func.lower(Organisation.code) == value, sa.func.lower(Organisation.name) == value)
        )
    )
    if org is None:
        raise NotFound(f"There is no organisation called {name_or_code!r}.")
    return org


def _staff_group(org: Organisation, name: str | None) -> StaffGroup | None:
    if not name:
        return None
    for group in org.staff_groups:
        if group.name.lower() == name.strip().lower():
            return group
    raise InvalidInput(f"{org.name} has no staff group called {name!r}", field="staff_group")


def create_user(
    email: str,
    *,
    organisation: Organisation,
    role: str = Role.PARTICIPANT.value,
    staff_group: str | None = None,
    password: str | None = None,
    display_name: str = "",
    one_time: bool = False,
) -> User:
    """Create an account with a role in one organisation; a `one_time` password must be replaced at first sign-in."""
    address = normalise_email(email)
    if role not in {r.value for r in Role}:
        raise InvalidInput("Choose a role: participant, facilitator, lead or admin", field="role")
    if password is not None:
        _check_password(password)
    if db.session.scalar(sa.select(User.id).where(User.email == address)) is not None:
        raise Conflict("An account with that email address already exists", field="email")
    user = User(
        email=address,
        display_name=(display_name or "").strip()[:120],
        password_hash=off_loop(_hasher.hash, password) if password else None,
        must_change_password=bool(password) and one_time,
    )
    user.memberships.append(Membership(organisation=organisation, role=role, staff_group=_staff_group(organisation, staff_group)))
    db.session.add(user)
    db.session.commit()
    return user


def set_membership(user: User, organisation: Organisation, role: str, staff_group: str | None = None) -> Membership:
    """Give a person a role (and staff group) in an organisation, replacing any they had there."""
    if role not in {r.value for r in Role}:
        raise InvalidInput("Choose a role: participant, facilitator, lead or admin", field="role")
    group = _staff_group(organisation, staff_group)
    membership = next((m for m in user.memberships if m.organisation_id == organisation.id), None)
    if membership is None:
        membership = Membership(organisation=organisation)
        user.memberships.append(membership)
    membership.role, membership.staff_group = role, group
    db.session.commit()
    return membership


def remove_membership(user: User, organisation_id: int) -> None:
    """Take a person out of an organisation (they keep their account and their posts stay anonymous)."""
    user.memberships = [m for m in user.memberships if m.organisation_id != organisation_id]
    db.session.commit()


def set_password(user: User, password: str) -> None:
    """Set the person's own password: it ends their other sessions (the session mark follows the hash)."""
    user.password_hash = hash_password(password)
    user.must_change_password = False
    db.session.commit()


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or None; takes similar time either way."""
    address = (email or "").strip().lower()
    user = db.session.scalar(sa.select(User).where(User.email == address)) if address else None
    stored = user.password_hash if user and user.password_hash else _DUMMY_HASH
    # Hand the connection back to the pool while the KDF runs: at 9 am hundreds of sign-ins queue for it, and
    # holding a connection each would exhaust the pool (500s after its timeout) while the database sits idle.
    db.session.rollback()
    try:
        off_loop(_hasher.verify, stored, password or "")  # ~0.6 s of CPU: never on the event loop
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.password_hash or not user.active:
        return None
    if user.must_change_password:
        # A8: an admin-chosen password signs in once. Spent here, so neither the admin nor anyone else can
        # use it again; the signed-in session may only set the person's own password (app/auth).
        # A conditional update, so two sign-ins racing with the same password cannot both win.
        spent = db.session.execute(
            sa.update(User).where(User.id == user.id, User.password_hash == stored)
            .values(password_hash="!" + secrets.token_hex(16)).execution_options(synchronize_session=False))
        db.session.commit()
        db.session.refresh(user)
        return user if cast(CursorResult[Any], spent).rowcount == 1 else None  # Session.execute types every result as Result; an UPDATE/DELETE gives a CursorResult
    if _hasher.check_needs_rehash(stored):
        user.password_hash = off_loop(_hasher.hash, password)
        db.session.commit()
    return user


def user_by_email(email: str) -> User:
    user = db.session.scalar(sa.select(User).where(User.email == (email or "").strip().lower()))
    if user is None:
        raise NotFound("There is no account with that email address.")
    return user


def create_api_token(user: User, name: str = "API token") -> str:
    """Create a personal API token and return it; only its hash is kept, so show it once."""
    token = "chorus_" + secrets.token_urlsafe(32)
    db.session.add(ApiToken(user=user, name=name[:80] or "API token", token_hash=hash_token(token)))
    db.session.commit()
    return token


def signed_in_columns() -> list[Any]:
    """The User and Membership columns a signed-in request reads (SignedInUser.from_rows); join Membership outer."""
    return ([getattr(User, name) for name in SignedInUser.USER_COLUMNS]
            + [getattr(Membership, name) for name in SignedInUser.MEMBERSHIP_COLUMNS])


# One statement built once, one narrow row per membership: a token request (a vote, a post) runs on a tight budget.
# The token row is only joined and filtered on; no ORM object is built for it, the user or the memberships.
_TOKEN = (sa.select(*signed_in_columns()).select_from(ApiToken).join(User, User.id == ApiToken.user_id)
          .outerjoin(Membership, Membership.user_id == User.id)
          .where(ApiToken.token_hash == sa.bindparam("token_hash"), ApiToken.revoked.is_(False), User.active.is_(True)))


def user_for_token(token: str) -> SignedInUser | None:
    """The active person a bearer token belongs to, or None."""
    if not token or not token.startswith("chorus_"):
        return None
    rows = db.session.connection().execute(_TOKEN, {"token_hash": hash_token(token)}).all()
    return SignedInUser.from_rows(rows) if rows else None
