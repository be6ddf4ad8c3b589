"""Idea exports stream: CSV and XLSX are sent in chunks, rows read in batches, same rows and order as before."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from app.services.triage import exports
from tests.services.triage_fixtures import themed  # noqa: F401  (fixture)


def test_idea_csv_and_xlsx_stream_the_same_rows_in_theme_then_text_order(client, login, themed, monkeypatch):
    conversation, _, orgs, lead = themed
    monkeypatch.setattr(exports, "BATCH", 3)  # several batches even in a small conversation
    login(lead)
    data = exports.export_data(orgs, conversation.id)
    rows = list(data.ideas)
    assert len(rows) == len(data.ideas) > 3
    labelled = sorted(r for r in rows if r[0] != "Unthemed")
    assert [r for r in rows if r[0] != "Unthemed"] == sorted(labelled, key=lambda r: (r[0], r[2]))
    assert all(r[0] == "Unthemed" for r in rows[len(labelled):])  # unthemed last

    chunks = list(exports.iter_csv(exports.IDEA_COLUMNS, data.ideas))
    assert len(chunks) > 1  # written as the rows come, never held whole
    response = client.get(f"/manage/conversations/{conversation.id}/export/ideas.csv")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    got = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert got[0] == exports.IDEA_COLUMNS
    assert got[1:] == [[str(exports.neutralise(v)) for v in row] for row in rows]

    xlsx = client.get(f"/manage/conversations/{conversation.id}/export/themes.xlsx")
    assert xlsx.status_code == 200
    book = load_workbook(io.BytesIO(xlsx.data))
    assert book.sheetnames == ["Themes", "Ideas"]
    sheet_rows = [[c.value for c in row] for row in book["Ideas"].iter_rows()]
    assert sheet_rows[0] == exports.IDEA_COLUMNS
    assert [r[2] for r in sheet_rows[1:]] == [r[2] for r in rows]
    assert all(c.data_type == "s" for row in book["Ideas"].iter_rows() for c in row if isinstance(c.value, str))
    assert book["Ideas"].freeze_panes == "A2"


def test_a_person_who_does_not_lead_gets_404(client, login, themed, make_user):
    conversation, _, _, _ = themed
    login(make_user("participant"))
    for name in ("ideas.csv", "themes.xlsx"):
        response = client.get(f"/manage/conversations/{conversation.id}/export/{name}")
        assert response.status_code == 404


def test_xlsx_text_that_looks_like_a_formula_or_an_error_stays_text(themed):
    conversation, _, orgs, _ = themed
    data = exports.export_data(orgs, conversation.id)
    data.themes = [["#N/A", "=1+1", "@SUM(A1)", 3, None]]
    book = load_workbook(io.BytesIO(exports.to_xlsx(data)))
    cells = list(book["Themes"].iter_rows())[1]
    assert [c.value for c in cells[:4]] == ["#N/A", "=1+1", "@SUM(A1)", 3]  # typed as text: no apostrophe to show
    assert [c.data_type for c in cells[:4]] == ["s", "s", "s", "n"]
