"""The board report as responses: the printable page and the .docx download, shared by the leads' and the
facilitators' routes (and the .docx by the API) so every surface renders the same model the same way."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from flask import Response, render_template, stream_with_context, url_for

from app.services.reports import word
from app.services.reports.model import BoardReport


def _chunks(body: Iterable[str] | Iterable[bytes]) -> Iterator[bytes]:
    for chunk in body:
        yield chunk.encode() if isinstance(chunk, str) else chunk


def download(body: str | bytes | Iterable[str] | Iterable[bytes], name: str, mimetype: str) -> Response:
    """An attachment that no cache keeps (an iterable body streams, with the request's session open to the end)."""
    response = Response(body if isinstance(body, (str, bytes)) else stream_with_context(_chunks(body)), mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def docx_download(board: BoardReport) -> Response:
    return download(word.to_docx(board), f"board-report-{board.conversation_id}.docx", word.DOCX)


def printable_page(board: BoardReport, docx_endpoint: str) -> str:
    """The printable page, linking to the .docx route of the same surface (`manage.` or `facilitate.`)."""
    # Imported here, not at the top: app.manage's routes import this module.
    from app.manage.charts import bar_svg

    svgs = {c.key: bar_svg(c.rows, c.title, c.unit, c.key) for c in board.charts}
    return render_template("manage/report.html", report=board, svgs=svgs, day=word.day, named_mode=board.named_mode,
                           docx_url=url_for(docx_endpoint, conversation_id=board.conversation_id))
