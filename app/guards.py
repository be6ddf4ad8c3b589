"""One role guard per role-gated blueprint: sign in first, then a 404 for anyone without the role."""

from __future__ import annotations

from flask import Blueprint, abort
from flask.typing import ResponseReturnValue
from flask_login import current_user

from app.extensions import login_manager
from app.models import Role


def require_role(bp: Blueprint, role: Role) -> None:
    """Guard every route of `bp`: anonymous people are sent to sign in; others without `role` get a 404.

    A 404 rather than a 403 so that the page gives nothing away to someone who should not know it exists.
    """

    @bp.before_request
    def _guard() -> ResponseReturnValue | None:
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if not current_user.has_role(role):
            abort(404)
        return None
