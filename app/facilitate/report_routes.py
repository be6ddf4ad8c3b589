"""Facilitators: the board report of their own conversations, as the printable page and as a .docx."""

from __future__ import annotations

from flask.typing import ResponseReturnValue

from app.facilitate import bp
from app.facilitate.helpers import acting
from app.report_pages import docx_download, printable_page
from app.services.reports import model


@bp.get("/conversations/<int:conversation_id>/report")
def report(conversation_id: int) -> ResponseReturnValue:
    return printable_page(model.board_report(acting().facilitates, conversation_id), "facilitate.report_docx")


@bp.get("/conversations/<int:conversation_id>/report.docx")
def report_docx(conversation_id: int) -> ResponseReturnValue:
    return docx_download(model.board_report(acting().facilitates, conversation_id))
