"""Exports for the board and the executive: CSV, XLSX, and the board report as a printable page and a .docx."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from flask import Response, render_template, stream_with_context
from flask.typing import ResponseReturnValue

from app.views import acting
from app.manage import bp
from app.manage.charts import bar_svg

from app.services.reports import model, word
from app.services.triage import exports

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _chunks(body: Iterable[str] | Iterable[bytes]) -> Iterator[bytes]:
    for chunk in body:
        yield chunk.encode() if isinstance(chunk, str) else chunk


def _download(body: str | bytes | Iterable[str] | Iterable[bytes], name: str, mimetype: str) -> Response:
    # An iterable body streams, with the request's database session kept open until the last chunk is sent.
    response = Response(body if isinstance(body, (str, bytes)) else stream_with_context(_chunks(body)), mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/conversations/<int:conversation_id>/export/themes.csv")
def themes_csv(conversation_id: int) -> ResponseReturnValue:
    data = exports.export_data(acting().leads, conversation_id)
    return _download(exports.to_csv(exports.THEME_COLUMNS, data.themes), f"themes-{conversation_id}.csv", "text/csv")


@bp.get("/conversations/<int:conversation_id>/export/ideas.csv")
def ideas_csv(conversation_id: int) -> ResponseReturnValue:
    data = exports.export_data(acting().leads, conversation_id)
    return _download(exports.iter_csv(exports.IDEA_COLUMNS, data.ideas), f"ideas-{conversation_id}.csv", "text/csv")


@bp.get("/conversations/<int:conversation_id>/export/themes.xlsx")
def themes_xlsx(conversation_id: int) -> ResponseReturnValue:
    data = exports.export_data(acting().leads, conversation_id)
    return _download(exports.iter_xlsx(data), f"themes-{conversation_id}.xlsx", XLSX)


@bp.get("/conversations/<int:conversation_id>/report")
def report(conversation_id: int) -> ResponseReturnValue:
    board = model.board_report(acting().leads, conversation_id)
    svgs = {c.key: bar_svg(c.rows, c.title, c.unit, c.key) for c in board.charts}
    return render_template("manage/report.html", report=board, svgs=svgs, day=word.day,
                           named_mode=board.named_mode)


@bp.get("/conversations/<int:conversation_id>/report.docx")
def report_docx(conversation_id: int) -> ResponseReturnValue:
    board = model.board_report(acting().leads, conversation_id)
    return _download(word.to_docx(board), f"board-report-{conversation_id}.docx", word.DOCX)
