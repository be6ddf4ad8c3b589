"""Change-hub leads: triage and prioritise themes, publish "You said, we did"."""

from flask import Blueprint

from app.guards import require_role
from app.models import Role

bp = Blueprint("manage", __name__)
require_role(bp, Role.LEAD)

from app.manage import routes  # noqa: E402,F401  (register routes)
