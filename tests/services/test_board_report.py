"""The board report (issue #13): one model, read back from the .docx, for 0, 1 and many themes.

Checks what a board sees (headings, tables, charts with text alternatives, outcomes, framework elements) and what it
must never see: author tags, pseudonyms, nonces, idea ids, times of day, identifying quotes, small-group counts.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Idea, ThemeSnapshot
from app.services.common.errors import NotFound
from app.services.conversations.participation_batch import refresh_snapshot
from app.services.reports import charts, model, word
from app.services.triage import outcomes, plans
from tests.services.report_helpers import leaked, one_theme, read_docx, table_with
from tests.services.triage_fixtures import themed  # noqa: F401  (fixture)

PARKING = ["Free parking at night for staff on late shifts", "Parking permits cost too much for part-time staff",
           "More spaces in the staff car park near the main entrance"]


def leads(conversation) -> frozenset[int]:
    return frozenset({conversation.organisation_id})


def test_zero_themes(make_conversation):
    conversation = make_conversation(title="Quiet conversation")
    report = model.board_report(leads(conversation), conversation.id)
    assert report.themes == [] and report.ideas == 0 and not report.mapped
    read = read_docx(word.to_docx(report))
    assert read.headings[:4] == ["Quiet conversation", "Summary of participation", "Themes at a glance",
                                 "Themes by NHS People Promise element"]
    assert "No themes yet" in read.text and "Participation has not been counted yet" in read.text
    assert "Themes in priority order" not in read.headings and read.alt_texts == []


def test_one_theme_with_outcome_quotes_and_elements(make_conversation, make_user, as_participant):
    conversation = make_conversation()
    people = [as_participant(make_user()) for _ in range(3)]
    theme = one_theme(conversation, people, PARKING)
    for step in ("under_review", "prioritised", "in_progress"):
        plans.set_status(theme, step)
    plans.set_owner(theme, "Director of Estates", date(2027, 3, 31))
    plans.add_action(theme, "Talk to the car park contractor", "Head of Estates", date(2027, 2, 1))
    outcomes.publish_outcome(theme, "Parking at night is hard to find and costs too much",
                             "Free night parking from April", "Estates team", date(2027, 4, 1))
    report = model.board_report(leads(conversation), conversation.id)
    assert [t.label for t in report.themes] == ["Parking for night staff"]
    only = report.themes[0]
    assert only.ideas == 3 and only.status == "In progress" and only.people is None  # 3 people < k
    assert only.quotes == PARKING[:2] and only.sentiment == "Mostly negative"
    read = read_docx(word.to_docx(report))
    for heading in ["Summary of participation", "Themes at a glance", "Ideas in each theme", "Themes by status",
                    "Themes in priority order", "Themes in detail: status and outcomes", "Parking for night staff"]:
        assert heading in read.headings, heading
    assert table_with(read, "Theme")[1][:2] == ["Parking for night staff", "3"]
    rows = table_with(read, "Status")
    assert ["In progress", "1"] in rows and ["New", "0"] in rows
    priority = next(t for t in read.tables if t[0][:3] == ["Theme", "Status", "Owner"])
    assert priority[1][:4] == ["Parking for night staff", "In progress", "Director of Estates", "31 March 2027"]
    assert priority[1][6] == f"fewer than {report.k}"
    assert "We will: Free night parking from April – Estates team, by 1 April 2027" in read.text
    assert "“Free parking at night for staff on late shifts”" in read.text
    assert "Action: Talk to the car park contractor – Head of Estates – by 1 February 2027" in read.text
    # Two charts, each with a text alternative naming its figures, each followed by a table of the same figures.
    assert len(read.alt_texts) == 2
    assert "Parking for night staff: 3 ideas" in read.alt_texts[0] and "In progress: 1 theme;" in read.alt_texts[1]


def test_many_themes_grouped_by_element_and_screened(themed):  # noqa: F811
    conversation, people, lead_orgs, _ = themed
    snaps = db.session.scalars(sa.select(ThemeSnapshot).where(
        ThemeSnapshot.run_id == conversation.current_theme_run_id).order_by(ThemeSnapshot.size.desc())).all()
    assert len(snaps) > 1
    # Plant what must never reach a board: a quote naming someone, and an idea posted at a known hour.
    quoted = db.session.get(Idea, snaps[0].quote_ids[0])
    quoted.body = "Ask Sarah Jones on Ward 7 (sarah.jones@nhs.net, 07700 900123) about the parking rota"
    quoted.created_hour = datetime(2026, 12, 1, 13, 0)
    db.session.commit()
    refresh_snapshot(conversation.id)
    db.session.commit()
    report = model.board_report(lead_orgs, conversation.id)
    assert len(report.themes) == len(snaps)
    assert all("Sarah" not in q for t in report.themes for q in t.quotes)
    data = word.to_docx(report)
    read = read_docx(data)
    assert "Summary of participation" in read.headings and report.participation.counted_on is not None
    assert ["People who took part", f"fewer than {report.k}"] in table_with(read, "Measure")
    assert report.mapped, "the theme run maps onto the People Promise"
    assert "Themes by NHS People Promise element" in read.headings
    element_names = [e.name for e in report.elements]
    assert [h for h in read.headings if h in element_names] == element_names  # in the framework's order
    under = [t for t in read.tables if t[0] == ["Theme", "Ideas", "People supporting", "Status"]]
    assert under and {row[2] for t in under for row in t[1:]} == {f"fewer than {report.k}"}  # 3 people, never shown
    assert len(read.alt_texts) == 3 and read.alt_texts[2].startswith("Bar chart of ideas by nhs people promise")
    # Nothing that could point to a person or a moment.
    assert leaked(read) == []  # no author tag, nonce, pseudonym, idea id, time of day; stamps at midnight
    assert "Sarah" not in read.xml and "07700" not in read.xml and "nhs.net" not in read.xml
    assert "13:00" not in read.xml and "<dcterms:" in read.xml
    assert "python-docx" not in read.xml  # the library's default author is replaced


def test_chart_picture_is_a_png_of_its_rows():
    chart = model.Chart("sizes", "Ideas in each theme", "ideas", "Theme", [(f"Theme {n}", n) for n in range(1, 30)])
    png = charts.bar_png(chart)
    assert png.startswith(b"\x89PNG") and len(chart.drawn) == model.CHART_ROWS
    assert "The table lists all 29 rows." in chart.alt_text
    assert charts.bar_png(model.Chart("e", "Empty", "ideas", "Theme", [])).startswith(b"\x89PNG")


def test_another_organisations_lead_gets_not_found(make_conversation, make_org):
    conversation = make_conversation()
    other = make_org("Elsewhere Trust")
    with pytest.raises(NotFound):
        model.board_report(frozenset({other.id}), conversation.id)
