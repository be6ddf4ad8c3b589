"""Sign-in: sessions for people, bearer tokens for integrations."""

from __future__ import annotations

import hashlib
import hmac
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask import Flask, Request, abort, current_app, g, redirect, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from app.extensions import db, login_manager
from app.models import Membership, User
from app.models.user import SignedInUser
from app.services.accounts.users import signed_in_columns, user_for_token
from app.services.accounts.sessions import revoked_clause, revoked_params

if TYPE_CHECKING:
    from app.join.guest import GuestUser

# What an account whose admin-set password was just used may reach: setting its own password, and leaving.
_WHILE_SETTING_PASSWORD = {"auth.change_password", "auth.logout", "static", "pages.healthz", "pages.healthz_live",
                           "pages.accessibility", "pages.anonymity"}


# Every signed-in request loads its person with their memberships, and whether the session has signed out, in one
# statement built once with parameters, as narrow rows (one per membership) rather than ORM objects.
_SIGNED_IN = (sa.select(*signed_in_columns(), revoked_clause().label("signed_out"))
              .select_from(User).outerjoin(Membership, Membership.user_id == User.id)
              .where(User.id == sa.bindparam("id"), User.active.is_(True)))


def password_mark(user: User | SignedInUser) -> str:
    """A keyed fingerprint of the password hash, kept in the session: a new password ends every other session."""
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, (user.password_hash or "").encode(), hashlib.sha256).hexdigest()[:16]


def signed_in_record() -> User:
    """The signed-in person's User row, for the views that change the account or read its related rows.

    A guest has none: 404, as for any page that is not theirs.
    """
    user = current_user._get_current_object()
    if isinstance(user, User):  # signed in during this request: login_user set the row itself
        return user
    record = user.record() if isinstance(user, SignedInUser) else None
    if record is None:
        abort(404)
    return record


def init_login(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Sign in to take part."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"
    for name in ("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE"):
        if app.config.get(name) is None:  # unset: Secure in production, plain HTTP allowed in development
            app.config[name] = app.config.get("CHORUS_ENV") == "production"

    @login_manager.user_loader
    def _load_user(user_id: str) -> SignedInUser | None:
        if not (user_id.isascii() and user_id.isdigit()):
            return None
        sid = session.get("_sid")
        if not isinstance(sid, str) or not sid:
            return None
        rows = db.session.connection().execute(_SIGNED_IN, {"id": int(user_id), **revoked_params(sid)}).all()
        if not rows:
            return None  # deactivated or gone
        user = SignedInUser.from_rows(rows)
        if not hmac.compare_digest(str(session.get("_pw", "")), password_mark(user)):
            return None  # the password has changed since this session signed in
        if rows[0].signed_out:
            return None  # signed out: a copy of this cookie must not sign anyone in
        return user

    @app.before_request
    def _until_own_password() -> ResponseReturnValue | None:
        """A8: after an admin's one-time password, nothing (least of all "my posts") opens until the person sets their own."""
        if request.endpoint in _WHILE_SETTING_PASSWORD or not current_user.is_authenticated:
            return None
        if not getattr(current_user, "must_change_password", False):
            return None
        if request.path.startswith("/api/"):
            abort(403, "Sign in on the website and set your own password first.")
        return redirect(url_for("auth.change_password"))

    @login_manager.request_loader
    def _load_from_token(req: Request) -> SignedInUser | GuestUser | None:
        header = req.headers.get("Authorization", "")
        if not header.lower().startswith("bearer "):
            from app.join.guest import guest_from_session

            return guest_from_session()
        user = user_for_token(header[7:].strip())
        if user is not None:
            g.bearer_auth = True  # token callers are exempt from CSRF: no ambient cookie is involved
        return user
