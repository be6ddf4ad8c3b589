"""Single sign-on accounts: who a verified OpenID Connect identity is in Chorus, linking and just-in-time creation.

The protocol (redirects, tokens, signatures) is app/auth/oidc.py; this module only sees claims that have
already been verified, and decides which account they sign in to. The rules are in docs/anonymity.md.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from app.extensions import db
from app.models import Membership, PasswordLink, Role, User
from app.services.accounts.users import find_organisation, normalise_email
from app.services.common.errors import InvalidInput, NotFound, ServiceError

_TENANT = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_ORG_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,19}$")


class SignInRefused(ServiceError):
    """The person proved who they are, but may not sign in to Chorus; `title` heads the page that says why."""

    status = 403

    def __init__(self, title: str, message: str) -> None:
        super().__init__(message)
        self.title = title


@dataclass(frozen=True)
class SsoPolicy:
    """Who may sign in: Entra tenant ids and email domains, each with an organisation code for new accounts or None."""

    tenants: dict[str, str | None] = field(default_factory=dict)
    domains: dict[str, str | None] = field(default_factory=dict)

    @classmethod
    def parse(cls, setting: str) -> SsoPolicy:
        """Read CHORUS_OIDC_ALLOW, e.g. "nhs.net=RVR, 3f2a…-…=NTH"; InvalidInput names a bad entry."""
        tenants: dict[str, str | None] = {}
        domains: dict[str, str | None] = {}
        for entry in filter(None, (part.strip() for part in (setting or "").split(","))):
            key, _, code = (piece.strip() for piece in entry.partition("="))
            key = key.lower().lstrip("@")
            if code and not _ORG_CODE.match(code):
                raise InvalidInput(f"CHORUS_OIDC_ALLOW: {code!r} is not an organisation code")
            if _TENANT.match(key):
                tenants[key] = code or None
            elif _DOMAIN.match(key):
                domains[key] = code or None
            else:
                raise InvalidInput(f"CHORUS_OIDC_ALLOW: {key!r} is neither a tenant id nor an email domain")
        if not tenants and not domains:
            raise InvalidInput("CHORUS_OIDC_ALLOW must name at least one tenant id or email domain")
        return cls(tenants, domains)


@dataclass(frozen=True)
class SsoIdentity:
    """What Chorus takes from a verified ID token."""

    subject: str  # unique and stable per person at this provider: "tid:oid", or "oidc:" + hash(iss, sub)
    tenant: str | None
    email: str | None
    email_verified: bool
    display_name: str

    @classmethod
    def from_claims(cls, claims: dict[str, Any]) -> SsoIdentity:
        """Entra tokens are keyed by tenant and object id (stable across apps); others by issuer and subject."""
        tenant = _text(claims.get("tid")).lower() or None
        oid = _text(claims.get("oid")).lower()
        if tenant and oid:
            subject = f"{tenant}:{oid}"
        else:
            scoped = f"{_text(claims.get('iss'))}\n{_text(claims.get('sub'))}"
            subject = "oidc:" + hashlib.sha256(scoped.encode()).hexdigest()
        email = _text(claims.get("email")) or None
        if email is None and tenant:
            # Entra sends `email` only when the optional claim is configured; the sign-in name is the address.
            email = _text(claims.get("preferred_username")) or None
        return cls(
            subject=subject[:128], tenant=tenant, email=email,
            email_verified=claims.get("email_verified") is True, display_name=_text(claims.get("name"))[:120],
        )


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _trusted_email(identity: SsoIdentity, policy: SsoPolicy) -> str | None:
    """The email address if it may link or create an account: from an allowed tenant, or verified in an allowed domain."""
    if not identity.email:
        return None
    try:
        address = normalise_email(identity.email)
    except InvalidInput:
        return None
    if identity.tenant in policy.tenants:
        return address  # the tenant's administrators own its people's addresses
    if identity.email_verified and address.rsplit("@", 1)[1] in policy.domains:
        return address
    return None


NOT_SET_UP = "Your organisation is not set up for Chorus"


def _refuse_not_allowed(identity: SsoIdentity, policy: SsoPolicy) -> None:
    if identity.tenant in policy.tenants or _trusted_email(identity, policy):
        return
    raise SignInRefused(
        NOT_SET_UP,
        "You signed in with an account from an organisation that cannot use Chorus here. "
        "If you think this is wrong, ask your Chorus administrator.",
    )


def _refuse_inactive(user: User) -> User:
    if not user.active:
        raise SignInRefused(
            "Your Chorus account is not active",
            "Your account has been deactivated, so you cannot sign in. Ask your Chorus administrator if you need it back.",
        )
    return user


def _organisation_code(identity: SsoIdentity, email: str, policy: SsoPolicy) -> str | None:
    """The organisation for a new account: the email domain's first (more specific), then the tenant's."""
    return policy.domains.get(email.rsplit("@", 1)[1]) or policy.tenants.get(identity.tenant or "")


def sign_in_with_sso(identity: SsoIdentity, policy: SsoPolicy) -> User:
    """The active account this identity signs in to: already linked, linked now by email, or created now."""
    _refuse_not_allowed(identity, policy)
    user = db.session.scalar(sa.select(User).where(User.sso_subject == identity.subject))
    if user is not None:
        return _refuse_inactive(user)
    email = _trusted_email(identity, policy)
    if email is None:
        raise SignInRefused(
            "We could not confirm your email address",
            "Your organisation's sign-in did not give Chorus a confirmed email address, so we cannot find "
            "your account. Ask your Chorus administrator.",
        )
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is not None:
        return _link(user, identity)
    return _create(identity, email, policy)


def _link(user: User, identity: SsoIdentity) -> User:
    """Link an account an administrator made (by email) to its first single sign-on; user_key never changes."""
    _refuse_inactive(user)
    if user.sso_subject is not None:
        raise SignInRefused(
            "Your email address is linked to a different sign-in",
            "The Chorus account with your email address already signs in with another organisation account. "
            "Ask your Chorus administrator.",
        )
    user.sso_subject = identity.subject
    # A8: an SSO account has no password, so no password an admin knows (or set) can sign it in any more.
    user.password_hash, user.must_change_password = None, False
    db.session.execute(sa.delete(PasswordLink).where(PasswordLink.user_id == user.id))
    return _commit_or_existing(user, identity)


def _create(identity: SsoIdentity, email: str, policy: SsoPolicy) -> User:
    """A new staff account (participant) in the organisation the tenant or domain maps to."""
    code = _organisation_code(identity, email, policy)
    try:
        organisation = find_organisation(code) if code else None
    except NotFound:
        organisation = None
    if organisation is None:
        raise SignInRefused(
            NOT_SET_UP,
            f"There is no Chorus account for {email}, and new accounts are not made automatically for your "
            "organisation. Ask your Chorus administrator to add you.",
        )
    user = User(email=email, display_name=identity.display_name, password_hash=None,
                user_key=identity.subject, sso_subject=identity.subject)
    user.memberships.append(Membership(organisation=organisation, role=Role.PARTICIPANT.value))
    db.session.add(user)
    return _commit_or_existing(user, identity)


def _commit_or_existing(user: User, identity: SsoIdentity) -> User:
    """Commit; if a simultaneous first sign-in of the same person won the race, use the account it made or linked."""
    try:
        db.session.commit()
    except sa.exc.IntegrityError:
        db.session.rollback()
        winner = db.session.scalar(sa.select(User).where(User.sso_subject == identity.subject))
        if winner is None:
            raise SignInRefused(
                "Your account could not be set up",
                "Another account already uses your email address or sign-in. Ask your Chorus administrator.",
            ) from None
        return _refuse_inactive(winner)
    return user
