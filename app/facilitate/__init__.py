"""Facilitators: create, run and moderate conversations."""

from flask import Blueprint

from app.guards import require_role
from app.models import PolisImport, Role

bp = Blueprint("facilitate", __name__)
require_role(bp, Role.FACILITATOR)

from app.facilitate import routes  # noqa: E402,F401
from app.facilitate import moderation  # noqa: E402,F401  (moderation queue, log and settings)
from app.facilitate import live  # noqa: E402,F401
from app.facilitate import outreach  # noqa: E402,F401  (invitations, reminders, announcements)
from app.facilitate import polis_routes  # noqa: E402,F401  (Pol.is import and export)
from app.facilitate import outreach_monitor  # noqa: E402,F401  (the outreach monitor)
from app.facilitate import polls  # noqa: E402,F401  (quick polls in the live console)
from app.facilitate import report_routes  # noqa: E402,F401  (the board report of a conversation)
from app.facilitate.dates import closes_cell, date_rows  # noqa: E402

bp.add_app_template_global(date_rows, "conversation_date_rows")
bp.add_app_template_global(closes_cell, "conversation_closes_cell")


def _polis_source(conversation_id: int) -> PolisImport | None:
    """The Pol.is import a conversation came from (the overview marks it "Imported from Pol.is")."""
    from app.services.polis.importing import source_of

    return source_of(conversation_id)


bp.add_app_template_global(_polis_source, "polis_source")
