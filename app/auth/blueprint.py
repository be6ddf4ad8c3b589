"""The auth blueprint and starting a signed-in session, shared by the sign-in and the password pages."""

from __future__ import annotations

from flask import Blueprint, redirect, session
from flask.typing import ResponseReturnValue
from flask_login import login_user

from app.auth import password_mark
from app.models import User
from app.services.accounts.sessions import new_session_id
from app.urls import safe_next

bp = Blueprint("auth", __name__, url_prefix="/auth")


def signed_in(user: User, next_page: str | None) -> ResponseReturnValue:
    """Start a fresh session for `user` (nothing from before sign-in survives) and go to a page on this site."""
    session.clear()
    login_user(user)
    session["_pw"] = password_mark(user)
    session["_sid"] = new_session_id()  # revoked server-side at sign-out (app/services/accounts/sessions.py)
    return redirect(safe_next(next_page))
