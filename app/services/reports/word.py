"""The board report as a Word document (.docx, python-docx): the same model and sections as the printable page.

Headings use Word's built-in heading styles (so the navigation pane and screen readers find them), tables have a
header row, every chart picture carries its text alternative (docPr descr) and is followed by a table of its
figures. The document's properties name no person and hold no time of day: author is the organisation, and the
created and modified stamps are the day the report was prepared, at midnight.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, datetime, time
from typing import IO

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm

from app.services.reports.charts import bar_png
from app.services.reports.model import BoardReport, Chart, ReportTheme

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def day(value: date | None) -> str:
    return f"{value.day} {value:%B %Y}" if value else ""


def _table(doc: DocumentObject, headings: Sequence[str], rows: Sequence[Sequence[object]], caption: str) -> None:
    doc.add_paragraph(caption, style="Caption")
    table = doc.add_table(rows=1, cols=len(headings))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, headings):
        cell.text = ""
        cell.paragraphs[0].add_run(text).bold = True
    for row in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row):
            cell.text = "" if value is None else str(value)
    # Repeat the header row on every page the table runs onto (w:tblHeader).
    tr_pr = table.rows[0]._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)


def _chart(doc: DocumentObject, chart: Chart) -> None:
    shape = doc.add_paragraph().add_run().add_picture(io.BytesIO(bar_png(chart)), width=Cm(16))
    shape._inline.docPr.set("descr", chart.alt_text)
    shape._inline.docPr.set("title", chart.title)
    _table(doc, [chart.label_heading, chart.unit.capitalize()], chart.rows, f"{chart.title} (the figures in the chart)")


def _title_page(doc: DocumentObject, report: BoardReport) -> None:
    doc.add_heading(report.title, level=0)
    doc.add_paragraph("Board report: themes, priorities and outcomes", style="Subtitle")
    details = [report.organisation, report.kind]
    if report.opened or report.closes:
        details.append(f"Open {day(report.opened) or 'from the start'} to {day(report.closes) or 'no closing date'}")
    details.append(f"Prepared {day(report.prepared)}")
    for line in details:
        doc.add_paragraph(line)
    doc.add_paragraph(
        "Everything in this report comes from anonymous contributions. It names no one who took part and holds no "
        f"exact times. Counts of people are rounded to the nearest 5 and shown only for groups of at least "
        f"{report.k} people; quotes containing names, contact details or places that could identify someone are "
        "left out.")
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _participation(doc: DocumentObject, report: BoardReport) -> None:
    doc.add_heading("Summary of participation", level=1)
    p = report.participation
    if p.counted_on is None:
        doc.add_paragraph("Participation has not been counted yet: it is counted in a scheduled batch, never live.")
        return
    doc.add_paragraph(f"Counted on {day(p.counted_on)} in the scheduled participation batch (never live).")
    _table(doc, ["Measure", "Count"], [
        ("People who took part", report.people(p.people)), ("Ideas", p.ideas), ("Comments", p.comments),
        ("Votes", p.votes)], "Participation")
    for title, cells in (("People taking part by organisation", p.by_organisation),
                         ("People taking part by staff group", p.by_staff_group)):
        if cells:
            _table(doc, ["Group", "People"], [(c.label, report.people(c.value)) for c in cells], title)


def _overview(doc: DocumentObject, report: BoardReport) -> None:
    doc.add_heading("Themes at a glance", level=1)
    if not report.themes:
        doc.add_paragraph(f"No themes yet: {report.ideas} ideas have been grouped so far. Themes appear after the "
                          "next theme run.")
        return
    doc.add_paragraph(f"{report.ideas} ideas in {len(report.themes)} themes; {report.unthemed} ideas are in no theme.")
    for chart in report.charts:
        if chart.key in ("sizes", "statuses"):
            doc.add_heading(chart.title, level=2)
            _chart(doc, chart)


def _elements(doc: DocumentObject, report: BoardReport) -> None:
    doc.add_heading(f"Themes by {report.framework} element", level=1)
    if not report.mapped:
        doc.add_paragraph(f"This conversation's themes have not been mapped onto the {report.framework} yet.")
        return
    chart = next(c for c in report.charts if c.key == "elements")
    _chart(doc, chart)
    doc.add_paragraph(f"An idea or theme can sit under more than one element; {report.unmapped_ideas} ideas sit "
                      "under none.")
    for element in report.elements:
        doc.add_heading(element.name, level=2)
        if element.description:
            doc.add_paragraph(element.description)
        doc.add_paragraph(f"{element.ideas} ideas; people supporting them: {report.people(element.people)}; "
                          f"outcomes published: {element.outcomes}.")
        if element.themes:
            _table(doc, ["Theme", "Ideas", "People supporting", "Status"], element.themes, f"Themes under {element.name}")


def _detail(doc: DocumentObject, report: BoardReport, theme: ReportTheme) -> None:
    doc.add_heading(theme.label, level=2)
    if theme.summary:
        doc.add_paragraph(theme.summary)
    facts = [f"Status: {theme.status}", f"Ideas: {theme.ideas}", f"Support: {theme.support} votes",
             f"People supporting: {report.people(theme.people)}", f"Sentiment: {theme.sentiment}"]
    if theme.owner:
        facts.append(f"Owner: {theme.owner}")
    if theme.elements:
        facts.append(f"{report.framework}: {', '.join(theme.elements)}")
    doc.add_paragraph("; ".join(facts) + ".")
    if theme.reason:
        doc.add_paragraph(f"Why we are not taking this forward: {theme.reason}")
    for quote in theme.quotes:
        doc.add_paragraph(f"“{quote}”", style="Quote")
    for action in theme.actions:
        doc.add_paragraph(f"Action: {action}", style="List Bullet")
    if theme.outcome:
        o = theme.outcome
        doc.add_paragraph(f"You said: {o.heard}")
        when = f", by {day(o.by_when)}" if o.by_when else ""
        doc.add_paragraph(f"We will: {o.will_do} – {o.by_whom}{when}")
        for updated, body in o.updates:
            doc.add_paragraph(f"Update, {day(updated)}: {body}")


def _themes(doc: DocumentObject, report: BoardReport) -> None:
    if not report.themes:
        return
    doc.add_heading("Themes in priority order", level=1)
    _table(doc, ["Theme", "Status", "Owner", "Due", "Ideas", "Support", "People supporting", "Priority score"],
           [(t.label, t.status, t.owner, day(t.due), t.ideas, t.support, report.people(t.people), t.score)
            for t in report.themes], "Themes in priority order")
    doc.add_heading("Themes in detail: status and outcomes", level=1)
    for theme in report.themes:
        _detail(doc, report, theme)


def _ranking(doc: DocumentObject, report: BoardReport) -> None:
    if not report.ranking:
        return
    doc.add_heading("Ranking from comparisons in pairs", level=1)
    _table(doc, ["Rank", "Item", "Score", "95% interval", "Comparisons"],
           [(n, r.label, r.score, f"{r.lower} to {r.upper}", r.comparisons) for n, r in enumerate(report.ranking, 1)],
           "Ranking from comparisons in pairs")
    doc.add_paragraph("The score is the modelled chance (out of 100) that an item is chosen over an average one "
                      "(a Bradley–Terry model).")


def write_docx(report: BoardReport, target: IO[bytes]) -> None:
    """Write the report as a .docx into a binary file object."""
    doc = Document()
    props = doc.core_properties
    stamp = datetime.combine(report.prepared, time())
    props.author, props.last_modified_by, props.comments, props.keywords = report.organisation, "", "", ""
    props.title, props.subject = f"{report.title}: board report", "Themes, priorities and outcomes"
    props.created, props.modified, props.revision = stamp, stamp, 1
    props.last_printed = stamp
    _title_page(doc, report)
    _participation(doc, report)
    _overview(doc, report)
    _elements(doc, report)
    _themes(doc, report)
    _ranking(doc, report)
    doc.save(target)


def to_docx(report: BoardReport) -> bytes:
    out = io.BytesIO()
    write_docx(report, out)
    return out.getvalue()
