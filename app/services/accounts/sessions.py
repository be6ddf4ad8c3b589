"""Server-side revocation of signed-out sessions, writing nothing that points to a person (rules A1, A2, A8)."""

from __future__ import annotations

import hashlib
import math
import secrets
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import RevokedSession
from app.models.base import this_hour, utcnow


def new_session_id() -> str:
    """A random id for one signed-in session, kept only in its (signed) cookie."""
    return secrets.token_urlsafe(24)


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def revoke_session(session_id: str, lifetime: timedelta) -> None:
    """Refuse this session from now on; the row holds a hash and an hour-rounded expiry, never a user id."""
    # A cookie is refused anyway once older than `lifetime`; keep the row until then, rounded up to the hour.
    expires = this_hour() + timedelta(hours=math.ceil(lifetime.total_seconds() / 3600) + 1)
    db.session.execute(sa.delete(RevokedSession).where(RevokedSession.expires_at <= utcnow()))
    db.session.add(RevokedSession(sid_hash=_hash(session_id), expires_at=expires))
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()  # signed out twice at once: already revoked


def revoked_clause() -> sa.Exists:
    """True when this session has signed out, as SQL with a parameter sid_hash (revoked_params), so the statement
    that loads the signed-in person answers it too (asked on every signed-in request)."""
    return sa.exists().where(RevokedSession.sid_hash == sa.bindparam("sid_hash"))


def revoked_params(session_id: str) -> dict[str, str]:
    """The value revoked_clause's parameter takes for this session."""
    return {"sid_hash": _hash(session_id)}
