"""Live session polish: guests on the live board, closing with a confirmation, automatic move-on at time-up."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.extensions import db
from app.models.base import utcnow
from app.services.content import ideas
from app.services.workshops import session
from app.services.moderation import decisions
from tests.conftest import csrf_token


@pytest.fixture
def workshop(make_conversation):
    conversation = make_conversation(title="Live workshop")
    decisions.update_settings(conversation, moderation_mode="post", report_threshold=3, allow_guests=True)
    return conversation


def _join(client, code: str):  # type: ignore[no-untyped-def]
    return client.post("/join", data={"csrf_token": csrf_token(client, "/join"), "code": code})


def test_a_guest_sees_the_live_board_and_its_events_for_their_conversation_only(
        app, client, workshop, make_conversation, make_user, as_participant):
    other = make_conversation(title="Staff-only conversation")
    author = as_participant(make_user())
    session.set_phase(workshop, "collect")
    idea, _ = ideas.post_idea(author, workshop.questions[0].id, "Name badges with pronouns")
    hidden_idea, _ = ideas.post_idea(author, other.questions[0].id, "Not for guests")
    assert _join(client, workshop.join_code).status_code == 302

    board = client.get(f"/conversations/{workshop.id}/live")
    assert board.status_code == 200 and "Name badges with pronouns" in board.get_data(as_text=True)
    polled = client.get(f"/conversations/{workshop.id}/live/events?after=0&state=1")
    assert polled.status_code == 200 and idea.id in str(polled.json["events"])
    assert polled.json["state"]["last_event_id"] >= 1
    app.config.update(CHORUS_LIVE_HEARTBEAT_SECONDS=0.05, CHORUS_LIVE_STREAM_SECONDS=0.2)
    streamed = client.get(f"/conversations/{workshop.id}/live/events",
                          headers={"Accept": "text/event-stream", "Last-Event-ID": "0"})
    assert streamed.status_code == 200 and idea.id in streamed.get_data(as_text=True)
    # Nothing else: another conversation's board and stream, and the facilitator's console view, are not found.
    assert client.get(f"/conversations/{other.id}/live").status_code == 404
    assert client.get(f"/conversations/{other.id}/live/events?after=0").status_code == 404
    assert client.get(f"/conversations/{other.id}/live/events", headers={"Accept": "text/event-stream"}).status_code == 404
    assert client.get(f"/conversations/{workshop.id}/live/events?after=0&state=1&view=console").status_code == 404
    assert client.get(f"/facilitate/conversations/{workshop.id}/live").status_code == 404
    assert hidden_idea.id not in client.get(f"/conversations/{workshop.id}/live/events?after=0").get_data(as_text=True)
    assert client.get(f"/api/v1/conversations/{workshop.id}/live").status_code == 200
    assert client.get(f"/api/v1/conversations/{other.id}/live").status_code == 404


def test_closing_the_session_needs_a_confirmation(client, login, make_user, workshop):
    session.set_phase(workshop, "collect")
    token = login(make_user("facilitator"))
    base = f"/facilitate/conversations/{workshop.id}/live"
    console = client.get(base).get_data(as_text=True)
    assert f'href="{base}/close"' in console  # a link to the confirmation page, not a one-click close
    # Posting "closed" without the confirmation only leads to the question.
    asked = client.post(base + "/phase", data={"csrf_token": token, "phase": "closed"})
    assert asked.status_code == 302 and asked.headers["Location"] == base + "/close"
    db.session.refresh(workshop)
    assert workshop.status == "open" and workshop.phase == "collect"
    page = client.get(base + "/close").get_data(as_text=True)
    assert "Are you sure you want to close the session?" in page and "No, go back to the live console" in page
    assert client.post(base + "/phase", data={"phase": "closed", "confirm": "yes"}).status_code == 400  # no CSRF
    done = client.post(base + "/phase", data={"csrf_token": token, "phase": "closed", "confirm": "yes"},
                       follow_redirects=True)
    assert "The session has closed" in done.get_data(as_text=True)
    db.session.refresh(workshop)
    assert (workshop.status, workshop.phase) == ("closed", "closed")


def test_participants_cannot_see_the_close_page(client, login, make_user, workshop):
    login(make_user())
    assert client.get(f"/facilitate/conversations/{workshop.id}/live/close").status_code == 404


def test_facilitator_opts_in_and_the_next_poll_moves_the_session_on(client, login, make_user, workshop):
    session.set_phase(workshop, "collect")
    token = login(make_user("facilitator"))
    base = f"/facilitate/conversations/{workshop.id}/live"
    assert "Move on automatically when the timer ends" in client.get(base).get_data(as_text=True)
    client.post(base + "/auto-advance", data={"csrf_token": token, "auto_advance": "on"})
    db.session.refresh(workshop)
    assert workshop.auto_advance is True
    client.post(base + "/timer", data={"csrf_token": token, "action": "start", "minutes": "2"})
    cursor = client.get(f"/conversations/{workshop.id}/live/events?after=0").json["last_event_id"]
    # Two minutes later (the end moved into the past rather than waiting):
    db.session.refresh(workshop)
    workshop.phase_ends_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    polled = client.get(f"/conversations/{workshop.id}/live/events?after={cursor}").json
    assert [e["type"] for e in polled["events"]] == ["phase"] and polled["events"][0]["data"]["phase"] == "vote"
    db.session.refresh(workshop)
    assert workshop.phase == "vote" and workshop.phase_ends_at is None
    # Opting out: a run-out timer then leaves the phase alone.
    client.post(base + "/auto-advance", data={"csrf_token": token})
    client.post(base + "/timer", data={"csrf_token": token, "action": "start", "minutes": "2"})
    db.session.refresh(workshop)
    workshop.phase_ends_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert "Time is up" in client.get(base).get_data(as_text=True)
    db.session.refresh(workshop)
    assert workshop.phase == "vote" and workshop.auto_advance is False


def test_api_opts_in_to_moving_on_automatically(client, make_user, workshop):
    from app.services.accounts.users import create_api_token

    facilitator = make_user("facilitator")
    headers = {"Authorization": f"Bearer {create_api_token(facilitator)}"}
    url = f"/api/v1/conversations/{workshop.id}/live/auto-advance"
    assert client.post(url, json={"auto_advance": "yes"}, headers=headers).status_code == 400
    done = client.post(url, json={"auto_advance": True}, headers=headers)
    assert done.status_code == 200 and done.json["state"]["auto_advance"] is True
    staff = {"Authorization": f"Bearer {create_api_token(make_user())}"}
    assert client.post(url, json={"auto_advance": False}, headers=staff).status_code == 404
    db.session.refresh(workshop)
    assert workshop.auto_advance is True
    assert "/conversations/{conversation_id}/live/auto-advance" in client.get("/api/v1/openapi.json").json["paths"]


def test_console_controls_answer_in_the_background_when_asked_for_json(client, login, make_user, as_participant, workshop):
    session.set_phase(workshop, "collect")
    idea, _ = ideas.post_idea(as_participant(make_user()), workshop.questions[0].id, "Arrived after the console loaded")
    token = login(make_user("facilitator"))
    url = f"/facilitate/conversations/{workshop.id}/live/spotlight"
    json_accept = {"Accept": "application/json"}
    done = client.post(url, data={"csrf_token": token, "idea_id": idea.id}, headers=json_accept)
    assert done.status_code == 200 and done.json["ok"] is True
    db.session.refresh(workshop)
    assert workshop.spotlight_idea_id == idea.id
    bad = client.post(url, data={"csrf_token": token, "idea_id": "no-such-idea"}, headers=json_accept)
    assert bad.status_code >= 400 and bad.json["ok"] is False and bad.json["message"]
    expired = client.post(url, data={"idea_id": idea.id}, headers=json_accept)
    assert expired.status_code == 400
    db.session.refresh(workshop)
    assert workshop.spotlight_idea_id == idea.id  # unchanged by the failed attempts
