"""Taking part: conversations, ideas, comments, votes and "my posts"."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user

from app.extensions import login_manager
from app.join.forms import JoinForm

bp = Blueprint("participate", __name__)


@bp.before_request
def _sign_in_required() -> ResponseReturnValue | None:
    if request.endpoint in ("participate.home",):
        return None
    if not current_user.is_authenticated:
        if request.endpoint == "participate.live_board_page" and request.method == "GET":
            # A guest who typed the board's address has a code, not an account: offer both.
            return render_template("join/join.html", form=JoinForm(formdata=None), sign_in_next=request.path)
        return login_manager.unauthorized()
    return None


from app.participate import frameworks, live, moderation, opinions, outcomes, polls, routes, speakup, themes  # noqa: E402,F401
