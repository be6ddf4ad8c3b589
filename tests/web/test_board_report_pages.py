"""The board report's routes: the .docx download and the printable page say the same, and only the conversation's
leads (under /manage) and facilitators (under /facilitate) get them; everyone else gets 404."""

from __future__ import annotations

import re

import pytest

from tests.services.report_helpers import leaked, read_docx
from tests.services.triage_fixtures import themed  # noqa: F401  (fixture)

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def test_lead_downloads_the_docx_and_the_page_says_the_same(client, login, themed):  # noqa: F811
    conversation, _, _, lead = themed
    login(lead)
    response = client.get(f"/manage/conversations/{conversation.id}/report.docx")
    assert response.status_code == 200 and response.mimetype == DOCX
    assert response.headers["Content-Disposition"] == f'attachment; filename="board-report-{conversation.id}.docx"'
    assert response.headers["Cache-Control"] == "no-store"
    read = read_docx(response.data)
    page = client.get(f"/manage/conversations/{conversation.id}/report")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f'href="/manage/conversations/{conversation.id}/report.docx"' in html
    sections = [re.sub(r"<[^>]+>", "", h).strip() for h in re.findall(r'<h2 class="nhsuk-heading-m">(.*?)</h2>', html)]
    assert sections == [h for h in read.headings if h in sections]  # same sections, same order
    assert sections[:3] == ["Summary of participation", "Themes at a glance", "Themes by NHS People Promise element"]
    assert "Themes in detail: status and outcomes" in sections
    assert html.count("<svg") >= 3 and len(read.alt_texts) == 3  # the element chart too
    board = client.get(f"/manage/conversations/{conversation.id}").get_data(as_text=True)
    assert "Board report (Word document)" in board


@pytest.mark.parametrize("role", ["participant", "facilitator"])
def test_others_in_the_organisation_get_404(client, login, make_user, themed, role):  # noqa: F811
    conversation = themed[0]
    login(make_user(role))
    assert client.get(f"/manage/conversations/{conversation.id}/report.docx").status_code == 404


def test_a_lead_of_another_organisation_gets_404(client, login, make_user, make_org, themed):  # noqa: F811
    conversation = themed[0]
    login(make_user("lead", organisation=make_org("Another Trust")))
    assert client.get(f"/manage/conversations/{conversation.id}/report.docx").status_code == 404
    assert client.get(f"/manage/conversations/{conversation.id}/report").status_code == 404
    assert client.get("/manage/conversations/999999/report.docx").status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client, themed):  # noqa: F811
    response = client.get(f"/manage/conversations/{themed[0].id}/report.docx")
    assert response.status_code == 302 and "/auth/sign-in" in response.headers["Location"]


def test_a_facilitator_gets_the_page_and_the_docx_of_their_own_conversation(client, login, make_user, themed):  # noqa: F811
    conversation = themed[0]
    login(make_user("facilitator"))
    response = client.get(f"/facilitate/conversations/{conversation.id}/report.docx")
    assert response.status_code == 200 and response.mimetype == DOCX
    assert response.headers["Cache-Control"] == "no-store"
    read = read_docx(response.data)
    assert leaked(read) == []
    page = client.get(f"/facilitate/conversations/{conversation.id}/report")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f'href="/facilitate/conversations/{conversation.id}/report.docx"' in html  # not the leads' route
    sections = [re.sub(r"<[^>]+>", "", h).strip() for h in re.findall(r'<h2 class="nhsuk-heading-m">(.*?)</h2>', html)]
    assert sections and sections == [h for h in read.headings if h in sections]
    overview = client.get(f"/facilitate/conversations/{conversation.id}").get_data(as_text=True)
    assert f'href="/facilitate/conversations/{conversation.id}/report"' in overview  # the "Board report" tab


@pytest.mark.parametrize("who", ["participant", "other facilitator", "other lead"])
def test_others_get_404_from_the_facilitators_report(client, login, make_user, make_org, themed, who):  # noqa: F811
    conversation = themed[0]
    if who == "participant":
        login(make_user())
    else:  # roles rank: a lead facilitates too, but only in their own organisation
        login(make_user(who.split()[1], organisation=make_org("Another Trust")))
    for path in ("report", "report.docx"):
        assert client.get(f"/facilitate/conversations/{conversation.id}/{path}").status_code == 404
    assert client.get("/facilitate/conversations/999999/report.docx").status_code == 404
