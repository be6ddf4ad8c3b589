"""The outreach monitor: who is missing from an open conversation, as a share of the workforce baseline."""

from __future__ import annotations

from flask import Response, render_template
from flask.typing import ResponseReturnValue

from app.facilitate import bp
from app.facilitate.helpers import managed
from app.services.outreach.monitor import METHODS, outreach_csv, outreach_figures


@bp.get("/conversations/<int:conversation_id>/outreach")
def outreach(conversation_id: int) -> ResponseReturnValue:
    conversation = managed(conversation_id)
    return render_template("facilitate/outreach.html", conversation=conversation, figures=outreach_figures(conversation),
                           methods=METHODS, named_mode=conversation.named_mode)


@bp.get("/conversations/<int:conversation_id>/outreach.csv")
def outreach_export(conversation_id: int) -> ResponseReturnValue:
    figures = outreach_figures(managed(conversation_id))
    if not figures.available:
        return render_template("facilitate/outreach.html", conversation=figures.conversation, figures=figures,
                               methods=METHODS, named_mode=figures.conversation.named_mode), 409
    return Response(outreach_csv(figures), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="outreach-{conversation_id}.csv"', "Cache-Control": "no-store"})
