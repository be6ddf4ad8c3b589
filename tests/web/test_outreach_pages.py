"""The outreach monitor and the workforce baseline through the web pages."""

from __future__ import annotations

import io

import pytest

from app.services.content import ideas, voting
from app.services.conversations.participation_batch import refresh_snapshot
from app.services.outreach import baseline
from tests.web.test_speakup_pages import sign_in


@pytest.fixture
def monitored(app, org, make_user, make_conversation, as_participant):
    app.config["CHORUS_MIN_GROUP_SIZE"] = 10
    conversation = make_conversation()
    idea, _ = ideas.post_idea(as_participant(make_user(staff_group="Nursing")), conversation.questions[0].id,
                              "Rest areas for night staff")
    for group, n in (("Nursing", 14), ("Medical", 12)):
        for _ in range(n):
            voting.cast_vote(as_participant(make_user(staff_group=group)), idea.id, "support")
    baseline.upload_baseline(frozenset({org.id}), f"organisation code,staff group,headcount\n{org.code},Nursing,150\n"
                                                  f"{org.code},Medical,30\n")
    return conversation


def test_facilitator_sees_shares_chart_table_least_heard_and_csv(app, monitored, make_user) -> None:
    client = app.test_client()
    sign_in(client, make_user("facilitator"))
    page = client.get(f"/facilitate/conversations/{monitored.id}/outreach").get_data(as_text=True)
    assert "not been worked out yet" in page  # nothing live before the first batch
    assert client.get(f"/facilitate/conversations/{monitored.id}/outreach.csv").status_code == 409
    refresh_snapshot(monitored.id)
    page = client.get(f"/facilitate/conversations/{monitored.id}/outreach").get_data(as_text=True)
    assert '<svg role="img"' in page and "<title id=\"chart-staff-groups-title\">" in page
    assert "Nursing 10%" in page  # 15 of 150 in the SVG's text alternative
    assert "<caption class=\"nhsuk-table__caption\">People taking part by staff group</caption>" in page
    assert "Least heard" in page and "Nursing: 10% of 150 staff" in page and "safety huddles" in page
    assert 'aria-current="page"' in page and ">Outreach<" in page
    response = client.get(f"/facilitate/conversations/{monitored.id}/outreach.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "Staff group,Nursing,15,150,10," in response.get_data(as_text=True)


def test_participants_and_other_organisations_get_404(app, monitored, make_user, make_org) -> None:
    for person in (make_user(), make_user("facilitator", organisation=make_org("Elsewhere"))):
        client = app.test_client()
        sign_in(client, person)
        assert client.get(f"/facilitate/conversations/{monitored.id}/outreach").status_code == 404
        assert client.get(f"/facilitate/conversations/{monitored.id}/outreach.csv").status_code == 404


def test_closed_conversations_show_no_monitor(app, monitored, make_user) -> None:
    from app.services.conversations import lifecycle
    refresh_snapshot(monitored.id)
    lifecycle.close_conversation(monitored)
    client = app.test_client()
    sign_in(client, make_user("facilitator"))
    page = client.get(f"/facilitate/conversations/{monitored.id}/outreach").get_data(as_text=True)
    assert "works while a conversation is open" in page and "chart-staff-groups" not in page


def test_admin_uploads_and_syncs_a_baseline(app, org, make_user) -> None:
    client = app.test_client()
    token = sign_in(client, make_user("admin"))
    page = client.get("/admin/baseline").get_data(as_text=True)
    assert "Workforce baseline" in page and "No baseline yet" in page
    bad = client.post("/admin/baseline", data={"csrf_token": token, "file": (io.BytesIO(
        f"organisation code,staff group,headcount\n{org.code},Nursing,=1+1\n{org.code},Nurses,5\n".encode()), "b.csv")},
        content_type="multipart/form-data")
    text = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "Row 2:" in text and "formula" in text and "Row 3:" in text
    assert "No baseline yet" in text
    missing = client.post("/admin/baseline", data={"csrf_token": token}, content_type="multipart/form-data")
    assert missing.status_code == 400 and "Choose a CSV file" in missing.get_data(as_text=True)
    good = client.post("/admin/baseline", data={"csrf_token": token, "file": (io.BytesIO(
        f"organisation code,staff group,headcount\n{org.code},Nursing,120\n".encode()), "b.csv")},
        content_type="multipart/form-data")
    assert good.status_code == 302
    assert ">120<" in client.get("/admin/baseline").get_data(as_text=True)
    response = client.post(f"/admin/organisations/{org.id}/baseline/sync", data={"csrf_token": token})
    assert response.status_code == 302
    assert "people on Chorus" in client.get("/admin/baseline").get_data(as_text=True)
    # Without the CSRF token nothing changes (a redirect back, the baseline still counted from people).
    client.post(f"/admin/organisations/{org.id}/baseline/clear")
    assert "people on Chorus" in client.get("/admin/baseline").get_data(as_text=True)
    client.post(f"/admin/organisations/{org.id}/baseline/clear", data={"csrf_token": token})
    assert "No baseline yet" in client.get("/admin/baseline").get_data(as_text=True)


def test_baseline_pages_are_for_admins_only(app, org, make_user) -> None:
    client = app.test_client()
    token = sign_in(client, make_user("lead"))
    assert client.get("/admin/baseline").status_code == 404
    assert client.post(f"/admin/organisations/{org.id}/baseline/sync", data={"csrf_token": token}).status_code == 404
