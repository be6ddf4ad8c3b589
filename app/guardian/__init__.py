"""Freedom to Speak Up Guardians: the queue of posts authors sent them, and replies. Nobody else reaches it (404)."""

from __future__ import annotations

from flask import Blueprint, abort
from flask.typing import ResponseReturnValue
from flask_login import current_user

from app.extensions import login_manager

bp = Blueprint("guardian", __name__)


@bp.before_request
def _guardians_only() -> ResponseReturnValue | None:
    """Sign in first; anyone who is not a Guardian somewhere gets a 404, admins included."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not getattr(current_user, "guardian_of", frozenset()):
        abort(404)
    return None


from app.guardian import routes  # noqa: E402,F401
