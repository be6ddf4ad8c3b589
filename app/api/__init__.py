"""JSON API under /api/v1: the participation and facilitation actions, for integrations."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import Blueprint, Response, abort, current_app, jsonify, request
from flask_login import current_user

from app.api.spec import document, require_json_object
from app.extensions import limiter
from app.models import Role

bp = Blueprint("api", __name__)

View = TypeVar("View", bound=Callable)


def for_role(role: Role) -> Callable[[View], View]:
    """Mark a view as only for people holding `role` somewhere; the blueprint guard answers others 404.

    A 404 rather than a 403, as on the web pages (app/guards.py): a caller without the role learns
    nothing about the endpoint or the conversation it names. Services still check the organisation.
    """

    def mark(view: View) -> View:
        view.api_role = role  # type: ignore[attr-defined]  # functions take any attribute
        return view

    return mark


def required_role(endpoint: str | None) -> Role | None:
    """The role a view was marked with by `for_role`, if any."""
    return getattr(current_app.view_functions.get(endpoint or ""), "api_role", None)


@bp.before_request
def _require_sign_in() -> None:
    if request.endpoint == "api.openapi":
        return
    if not current_user.is_authenticated:
        abort(401, "Sign in, or send Authorization: Bearer <token>.")
    role = required_role(request.endpoint)
    if role is not None and not current_user.has_role(role):
        abort(404)
    require_json_object()  # after the role check: a caller without the role learns nothing from a bad body


@bp.get("/openapi.json")
@limiter.exempt
def openapi() -> Response:
    """The OpenAPI document, generated from the routes' schemas (app/api/spec.py)."""
    return jsonify(document())


from app.api import batch, content, conversations, facilitation, frameworks, live, messaging, moderation, pairwise, reach, reports, themes, triage  # noqa: E402,F401  (register routes)
