"""Passwords without impersonation (rule A8): one-time admin resets, own changes and set-password links.

An admin can never choose a password that keeps working: what they set signs in once and must then be
replaced by the person, every reset is counted and shown to the person, and it ends every session and token.
Accounts that sign in through their organisation (SSO) have no password at all.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

import sqlalchemy as sa

from app.crypto import hash_token
from app.extensions import db
from app.models import ApiToken, PasswordLink, User
from app.models.base import this_hour, utcnow
from app.services.accounts import users
from app.services.common.errors import InvalidInput, NotAllowedNow, NotFound

LINK_DAYS = 7
SSO_HAS_NO_PASSWORD = ("This person signs in with their organisation's account (single sign-on), "
                       "so Chorus keeps no password for them.")
LINK_GONE = "This link has expired or has already been used. Ask your Chorus admin for a new one."


def _matching(password: str, confirm: str) -> None:
    if password != confirm:
        raise InvalidInput("The passwords do not match", field="confirm")


def _end_tokens_and_links(person: User) -> None:
    """Revoke every API token and drop every set-password link (flushes)."""
    db.session.execute(sa.update(ApiToken).where(ApiToken.user_id == person.id).values(revoked=True))
    db.session.execute(sa.delete(PasswordLink).where(PasswordLink.user_id == person.id))
    db.session.flush()


def admin_reset(actor: User, person: User, password: str, confirm: str) -> None:
    """An admin sets a one-time password: it signs in once, must be replaced, is shown, ends every session and token."""
    if person.id == actor.id:
        raise NotAllowedNow("To change your own password, use Change your password in your account.")
    if person.sso_subject is not None:
        raise InvalidInput(SSO_HAS_NO_PASSWORD, field="password")
    _matching(password, confirm)
    person.password_hash = users.hash_password(password)  # a new hash ends their sessions (app/auth)
    person.must_change_password = True
    person.admin_resets = (person.admin_resets or 0) + 1
    person.admin_reset_on = utcnow().date()  # the day only: enough for the person to recognise it
    _end_tokens_and_links(person)
    db.session.commit()


def change_own_password(person: User, current: str, password: str, confirm: str) -> None:
    """The person sets their own password; the current one is required unless an admin's one-time password was just used."""
    if person.sso_subject is not None:
        raise NotAllowedNow("You sign in with your organisation's account, so you have no Chorus password to change.")
    if not person.must_change_password and not users.password_matches(person, current):
        raise InvalidInput("Enter your current password correctly", field="current")
    _matching(password, confirm)
    if person.must_change_password:
        _end_tokens_and_links(person)
    users.set_password(person, password)


def _add_link(person: User) -> str:
    """Add a set-password link for `person` and return its secret (flushes; only the hash is stored)."""
    secret = secrets.token_urlsafe(32)
    # Rounded up to the hour, so the row keeps no finer time than that.
    expires = this_hour() + timedelta(days=LINK_DAYS, hours=1)
    db.session.add(PasswordLink(user_id=person.id, token_hash=hash_token(secret), expires_at=expires))
    db.session.execute(sa.delete(PasswordLink).where(PasswordLink.expires_at <= utcnow()))
    db.session.flush()
    return secret


def add_links(people: list[User]) -> list[str]:
    """Set-password links for new accounts, in the same transaction as the accounts (flushes)."""
    db.session.flush()
    return [_add_link(person) for person in people]


def issue_link(person: User) -> str:
    """A one-time set-password link for an account without an SSO sign-in; shown once, valid for 7 days."""
    if person.sso_subject is not None:
        raise InvalidInput(SSO_HAS_NO_PASSWORD, field="password")
    secret = _add_link(person)
    db.session.commit()
    return secret


def link_owner(secret: str) -> User:
    """The active, password-based account a live link belongs to, or NotFound."""
    record = db.session.scalar(sa.select(PasswordLink).where(
        PasswordLink.token_hash == hash_token(secret or ""), PasswordLink.expires_at > utcnow()))
    user = db.session.get(User, record.user_id) if record else None
    if user is None or not user.active or user.sso_subject is not None:
        raise NotFound(LINK_GONE)
    return user


def set_password_with_link(secret: str, password: str, confirm: str) -> User:
    """Choose a password through a link; the link (and any other for the account) is then gone."""
    user = link_owner(secret)
    _matching(password, confirm)
    user.password_hash = users.hash_password(password)
    user.must_change_password = False
    db.session.execute(sa.delete(PasswordLink).where(PasswordLink.user_id == user.id))
    db.session.commit()
    return user
