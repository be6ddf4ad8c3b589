"""Live session polish: guests on the live board, closing with a confirmation, automatic move-on at time-up."""

from __future__ import annotations

import pytest

from app.services import ideas, live_session, moderation
from tests.conftest import csrf_token


@pytest.fixture
def workshop(make_conversation):
    conversation = make_conversation(title="Live workshop")
    moderation.update_settings(conversation, moderation_mode="post", report_threshold=3, allow_guests=True)
    return conversation


def _join(client, code: str):  # type: ignore[no-untyped-def]
    return client.post("/join", data={"csrf_token": csrf_token(client, "/join"), "code": code})


def test_a_guest_sees_the_live_board_and_its_events_for_their_conversation_only(
        app, client, workshop, make_conversation, make_user, as_participant):
    other = make_conversation(title="Staff-only conversation")
    author = as_participant(make_user())
    live_session.set_phase(workshop, "collect")
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
