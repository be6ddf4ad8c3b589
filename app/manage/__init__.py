"""Change-hub leads: triage and prioritise themes, publish "You said, we did"."""

from flask import Blueprint

from app.guards import require_role
from app.models import Role
from app.templating import choice_pair

bp = Blueprint("manage", __name__)
require_role(bp, Role.LEAD)
# The shared radios/select macros call _choice() as a function; it was only registered as a filter.
bp.add_app_template_global(choice_pair, "_choice")

from app.manage import routes  # noqa: E402,F401  (register routes)
