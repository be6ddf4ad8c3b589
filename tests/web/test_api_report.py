"""API: GET /api/v1/conversations/<id>/report.docx for the conversation's change-hub leads and facilitators only."""

from __future__ import annotations

import pytest

from app.services.accounts.users import create_api_token
from tests.services.report_helpers import leaked, read_docx
from tests.services.triage_fixtures import themed  # noqa: F401  (fixture)

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _get(client, conversation_id, user=None):  # type: ignore[no-untyped-def]
    headers = {"Authorization": f"Bearer {create_api_token(user)}"} if user is not None else {}
    return client.get(f"/api/v1/conversations/{conversation_id}/report.docx", headers=headers)


@pytest.mark.parametrize("role", ["lead", "facilitator"])
def test_leads_and_facilitators_download_the_report(client, make_user, themed, role):  # noqa: F811
    conversation = themed[0]
    response = _get(client, conversation.id, make_user(role))
    assert response.status_code == 200 and response.mimetype == DOCX
    assert response.headers["Content-Disposition"] == f'attachment; filename="board-report-{conversation.id}.docx"'
    assert response.headers["Cache-Control"] == "no-store"
    read = read_docx(response.data)
    assert read.headings[0] == conversation.title and "Themes in detail: status and outcomes" in read.headings
    assert leaked(read) == []


@pytest.mark.parametrize("who", ["participant", "other lead", "other facilitator"])
def test_anyone_else_gets_404(client, make_user, make_org, themed, who):  # noqa: F811
    conversation = themed[0]
    if who == "participant":
        user = make_user()
    else:
        user = make_user(who.split()[1], organisation=make_org("Another Trust"))
    response = _get(client, conversation.id, user)
    assert response.status_code == 404 and response.json["error"]["status"] == 404
    assert _get(client, 987654, make_user("lead")).status_code == 404


def test_signed_out_gets_401_and_the_document_names_the_file_type(client, themed):  # noqa: F811
    assert _get(client, themed[0].id).status_code == 401
    op = client.get("/api/v1/openapi.json").json["paths"]["/conversations/{conversation_id}/report.docx"]["get"]
    assert op["operationId"] == "report_docx" and set(op["responses"]) == {"200", "401", "404"}
    assert op["responses"]["200"]["content"] == {DOCX: {"schema": {"type": "string", "format": "binary"}}}
