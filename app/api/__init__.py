"""JSON API under /api/v1: the participation and facilitation actions, for integrations."""

from __future__ import annotations

from flask import Blueprint, abort, request
from flask_login import current_user

bp = Blueprint("api", __name__)


@bp.before_request
def _require_sign_in() -> None:
    if request.endpoint == "api.openapi":
        return
    if not current_user.is_authenticated:
        abort(401, "Sign in, or send Authorization: Bearer <token>.")


from app.api import batch, content, conversations, facilitation, live, moderation, openapi, themes, triage  # noqa: E402,F401  (register routes)
