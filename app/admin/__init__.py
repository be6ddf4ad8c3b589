"""Admins: organisations, partnerships, staff groups, people and roles."""

from flask import Blueprint

from app.guards import require_role
from app.models import Role

bp = Blueprint("admin", __name__)
require_role(bp, Role.ADMIN)

from app.admin import routes  # noqa: E402,F401
