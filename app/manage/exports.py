"""Exports for the board and the executive: CSV, XLSX, and the board report as a printable page and a .docx."""

from __future__ import annotations

from flask.typing import ResponseReturnValue

from app.manage import bp
from app.report_pages import docx_download, download, printable_page
from app.services.reports import model
from app.services.triage import exports
from app.views import acting

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.get("/conversations/<int:conversation_id>/export/themes.csv")
def themes_csv(conversation_id: int) -> ResponseReturnValue:
    data = exports.export_data(acting().leads, conversation_id)
    return download(exports.to_csv(exports.THEME_COLUMNS, data.themes), f"themes-{conversation_id}.csv", "text/csv")


@bp.get("/conversations/<int:conversation_id>/export/ideas.csv")
def ideas_csv(conversation_id: int) -> ResponseReturnValue:
    data = exports.export_data(acting().leads, conversation_id)
    return download(exports.iter_csv(exports.IDEA_COLUMNS, data.ideas), f"ideas-{conversation_id}.csv", "text/csv")


@bp.get("/conversations/<int:conversation_id>/export/themes.xlsx")
def themes_xlsx(conversation_id: int) -> ResponseReturnValue:
    data = exports.export_data(acting().leads, conversation_id)
    return download(exports.iter_xlsx(data), f"themes-{conversation_id}.xlsx", XLSX)


@bp.get("/conversations/<int:conversation_id>/report")
def report(conversation_id: int) -> ResponseReturnValue:
    return printable_page(model.board_report(acting().leads, conversation_id), "manage.report_docx")


@bp.get("/conversations/<int:conversation_id>/report.docx")
def report_docx(conversation_id: int) -> ResponseReturnValue:
    return docx_download(model.board_report(acting().leads, conversation_id))
