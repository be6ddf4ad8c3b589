"""Facilitators: create, run and moderate conversations."""

from flask import Blueprint

from app.guards import require_role
from app.models import Role

bp = Blueprint("facilitate", __name__)
require_role(bp, Role.FACILITATOR)

from app.facilitate import routes  # noqa: E402,F401
from app.facilitate import moderation  # noqa: E402,F401  (moderation queue, log and settings)
from app.facilitate import live  # noqa: E402,F401
from app.facilitate import polls  # noqa: E402,F401  (quick polls in the live console)
from app.facilitate.dates import closes_cell, date_rows  # noqa: E402

bp.add_app_template_global(date_rows, "conversation_date_rows")
bp.add_app_template_global(closes_cell, "conversation_closes_cell")
