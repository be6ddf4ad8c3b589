"""Sign-in: sessions for people, bearer tokens for integrations."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask, g

from app.extensions import db, login_manager
from app.models import User
from app.services.accounts import user_for_token


def init_login(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Sign in to take part."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def _load_user(user_id: str) -> User | None:
        if not user_id.isdigit():
            return None
        return db.session.scalar(sa.select(User).where(User.id == int(user_id), User.active.is_(True)))

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
