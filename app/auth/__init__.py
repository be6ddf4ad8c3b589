"""Sign-in: sessions for people, bearer tokens for integrations."""

from __future__ import annotations

import hashlib
import hmac

import sqlalchemy as sa
from flask import Flask, current_app, g, session

from app.extensions import db, login_manager
from app.models import User
from app.services.accounts import user_for_token


def password_mark(user: User) -> str:
    """A keyed fingerprint of the password hash, kept in the session: a new password ends every other session."""
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, (user.password_hash or "").encode(), hashlib.sha256).hexdigest()[:16]


def init_login(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Sign in to take part."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def _load_user(user_id: str) -> User | None:
        if not user_id.isdigit():
            return None
        user = db.session.scalar(sa.select(User).where(User.id == int(user_id), User.active.is_(True)))
        if user is None or not hmac.compare_digest(str(session.get("_pw", "")), password_mark(user)):
            return None  # deactivated, or the password has changed since this session signed in
        return user

    @login_manager.request_loader
    def _load_from_token(req) -> User | None:  # type: ignore[no-untyped-def]
        header = req.headers.get("Authorization", "")
        if not header.lower().startswith("bearer "):
            from app.join.guest import guest_from_session

            return guest_from_session()  # type: ignore[return-value]
        user = user_for_token(header[7:].strip())
        if user is not None:
            g.bearer_auth = True  # token callers are exempt from CSRF: no ambient cookie is involved
        return user
