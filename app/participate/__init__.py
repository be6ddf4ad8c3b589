"""Taking part: conversations, ideas, comments, votes and "my posts"."""

from __future__ import annotations

from flask import Blueprint, request
from flask.typing import ResponseReturnValue
from flask_login import current_user

from app.extensions import login_manager

bp = Blueprint("participate", __name__)


@bp.before_request
def _sign_in_required() -> ResponseReturnValue | None:
    if request.endpoint in ("participate.home",):
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    return None


from app.participate import live, moderation, opinions, outcomes, routes, themes  # noqa: E402,F401
