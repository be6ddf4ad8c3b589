"""API: the board report of a conversation as a Word document, for its change-hub leads and facilitators."""

from __future__ import annotations

from flask import Response

from app.api import bp
from app.api.spec import READ, download, responses, validate
from app.report_pages import docx_download
from app.services.reports import model, word
from app.views import acting


@bp.get("/conversations/<int:conversation_id>/report.docx")
@download(word.DOCX)
@validate(resp=responses(200, None, READ))
def report_docx(conversation_id: int) -> Response:
    """The board report (.docx): counts of people rounded and hidden below k, screened quotes, no author or time
    (the conversation's change-hub leads and facilitators; others get 404)."""
    me = acting()
    return docx_download(model.board_report(me.leads | me.facilitates, conversation_id))
