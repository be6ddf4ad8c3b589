"""Live sessions through the web: the board, the event stream and poll, the console, the presenter, the API."""

from __future__ import annotations

import re

import pytest

from app.services.content import ideas
from app.services.workshops import session
from app.services.content import voting
from app.services.accounts.users import create_api_token


@pytest.fixture
def workshop(make_conversation, make_user, as_participant):  # type: ignore[no-untyped-def]
    conversation = make_conversation(questions=("What would make this a better place to work?",))
    return conversation, conversation.id, conversation.questions[0].id


def _bearer(user) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {"Authorization": f"Bearer {create_api_token(user)}"}


def test_board_shows_ideas_phase_and_timer(client, login, make_user, as_participant, workshop):
    conversation, cid, qid = workshop
    author = as_participant(make_user())
    ideas.post_idea(author, qid, "A quiet room on every ward")
    session.set_phase(conversation, "collect")
    session.start_timer(conversation, 5)
    login(make_user())
    html = client.get(f"/conversations/{cid}/live").get_data(as_text=True)
    assert "A quiet room on every ward" in html
    assert "Sharing ideas" in html
    assert re.search(r"[45]:\d\d left", html)
    assert 'src="/static/js/live.js?v=' in html and "<script>" not in html
    assert "Post your idea anonymously" in html


def test_posting_on_the_board_obeys_the_phase(client, login, make_user, workshop):
    conversation, cid, qid = workshop
    session.set_phase(conversation, "vote")
    token = login(make_user())
    response = client.post(f"/conversations/{cid}/live/ideas", data={
        "csrf_token": token, "question_id": qid, "body": "An idea while people vote", "client_token": "abcdefgh1"})
    assert response.status_code == 400
    assert "not taking new ideas" in response.get_data(as_text=True)
    session.set_phase(conversation, "collect")
    response = client.post(f"/conversations/{cid}/live/ideas", data={
        "csrf_token": token, "question_id": qid, "body": "An idea while collecting", "client_token": "abcdefgh2"})
    assert response.status_code == 302 and response.headers["Location"] == f"/conversations/{cid}/live"
    assert "An idea while collecting" in client.get(f"/conversations/{cid}/live").get_data(as_text=True)


def test_board_refuses_a_bad_question_and_missing_text(client, login, make_user, workshop):
    _, cid, qid = workshop
    token = login(make_user())
    response = client.post(f"/conversations/{cid}/live/ideas", data={"csrf_token": token, "question_id": 99999, "body": "Hello there"})
    assert response.status_code == 400 and "Not a valid choice" in response.get_data(as_text=True)
    response = client.post(f"/conversations/{cid}/live/ideas", data={"csrf_token": token, "question_id": qid, "body": ""})
    assert response.status_code == 400 and "Enter your idea" in response.get_data(as_text=True)


def test_voting_form_obeys_the_phase(client, login, make_user, as_participant, workshop):
    conversation, cid, qid = workshop
    idea, _ = ideas.post_idea(as_participant(make_user()), qid, "Showers for cyclists")
    session.set_phase(conversation, "collect")
    token = login(make_user())
    client.post(f"/ideas/{idea.id}/vote", data={"csrf_token": token, "choice": "support"})
    assert "Voting has not started" in client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    session.set_phase(conversation, "vote")
    client.post(f"/ideas/{idea.id}/vote", data={"csrf_token": token, "choice": "support"})
    assert "1 supporter" in client.get(f"/conversations/{cid}/live").get_data(as_text=True)


def test_api_obeys_phases(client, make_user, as_participant, workshop):
    conversation, cid, qid = workshop
    user = make_user()
    headers = _bearer(user)
    idea, _ = ideas.post_idea(as_participant(make_user()), qid, "Longer lunch breaks")
    session.set_phase(conversation, "collect")
    refused = client.put(f"/api/v1/ideas/{idea.id}/vote", json={"choice": "support"}, headers=headers)
    assert refused.status_code == 409 and "Voting has not started" in refused.json["error"]["message"]
    session.set_phase(conversation, "vote")
    assert client.put(f"/api/v1/ideas/{idea.id}/vote", json={"choice": "support"}, headers=headers).status_code == 200
    refused = client.post(f"/api/v1/questions/{qid}/ideas", json={"body": "Posting during voting"}, headers=headers)
    assert refused.status_code == 409 and "not taking new ideas" in refused.json["error"]["message"]
    session.set_phase(conversation, "review")
    refused = client.post(f"/api/v1/ideas/{idea.id}/comments", json={"body": "Late comment"}, headers=headers)
    assert refused.status_code == 409 and "in review" in refused.json["error"]["message"]


def test_api_hides_counts_until_you_vote(client, make_user, as_participant, workshop):
    conversation, cid, qid = workshop
    idea, _ = ideas.post_idea(as_participant(make_user()), qid, "Secure bike storage")
    session.set_votes_hidden(conversation, True)
    session.set_phase(conversation, "vote")
    voting.cast_vote(as_participant(make_user()), idea.id, "support")
    viewer = make_user()
    seen = client.get(f"/api/v1/ideas/{idea.id}", headers=_bearer(viewer)).json
    assert seen["votes"] is None and seen["votes_hidden"] is True
    state = client.get(f"/api/v1/conversations/{cid}/live", headers=_bearer(viewer)).json["state"]
    assert state["ideas"][idea.id]["votes"] is None
    voted = client.put(f"/api/v1/ideas/{idea.id}/vote", json={"choice": "support"}, headers=_bearer(viewer)).json
    assert voted["votes"] == {"support": 2} and voted["votes_hidden"] is False
    session.set_phase(conversation, "review")
    other = client.get(f"/api/v1/ideas/{idea.id}", headers=_bearer(make_user())).json
    assert other["votes"] == {"support": 2}


def test_stream_replays_after_last_event_id_then_sends_live_events(app, client, login, make_user, as_participant, workshop):
    conversation, cid, qid = workshop
    author = as_participant(make_user())
    first, _ = ideas.post_idea(author, qid, "Replayed idea from before")
    app.config.update(CHORUS_LIVE_HEARTBEAT_SECONDS=0.05, CHORUS_LIVE_STREAM_SECONDS=5)
    login(make_user())
    response = client.get(f"/conversations/{cid}/live/events", headers={"Accept": "text/event-stream", "Last-Event-ID": "0"},
                          buffered=False)
    assert response.status_code == 200 and response.mimetype == "text/event-stream"
    chunks = iter(response.response)
    assert next(chunks).startswith(b"retry:")
    replayed = next(chunks).decode()
    assert replayed.startswith("id: 1\nevent: idea\n") and first.id in replayed
    from app.extensions import db

    pool = db.engine.pool
    if hasattr(pool, "checkedout"):  # PostgreSQL's queue pool: the open stream holds no connection
        db.session.rollback()  # the test's own session shares this app context; a real request's is removed
        assert pool.checkedout() == 0
    second, _ = ideas.post_idea(author, qid, "Live idea while streaming")
    received = ""
    for _ in range(20):
        received = next(chunks).decode()
        if received.startswith("id:"):
            break
    assert received.startswith("id: 2\nevent: idea\n") and second.id in received
    assert "author" not in received
    response.close()


def test_stream_ends_with_a_heartbeat_and_releases_its_subscription(app, client, login, make_user, workshop):
    from app import live

    _, cid, _ = workshop
    app.config.update(CHORUS_LIVE_HEARTBEAT_SECONDS=0.05, CHORUS_LIVE_STREAM_SECONDS=0.2)
    login(make_user())
    body = client.get(f"/conversations/{cid}/live/events", headers={"Accept": "text/event-stream"}).get_data(as_text=True)
    assert "event: clock" in body
    assert live.bus().subscriber_count(cid) == 0


def test_poll_fallback_returns_events_after_a_cursor(client, login, make_user, as_participant, workshop):
    conversation, cid, qid = workshop
    author = as_participant(make_user())
    idea, _ = ideas.post_idea(author, qid, "Polling idea")
    session.set_phase(conversation, "collect")
    login(make_user())
    body = client.get(f"/conversations/{cid}/live/events?after=0").json
    assert [e["type"] for e in body["events"]] == ["idea", "phase"]
    assert body["last_event_id"] == 2 and body["reset"] is False
    assert body["events"][1]["data"] == {"phase": "collect", "label": "Sharing ideas", "ends_at": None}
    assert client.get(f"/conversations/{cid}/live/events?after=2").json["events"] == []
    assert client.get(f"/conversations/{cid}/live/events?after=abc").status_code == 400
    state = client.get(f"/conversations/{cid}/live/events?after=2&state=1").json["state"]
    assert state["phase"] == "collect" and idea.id in state["ideas"]


def test_poll_after_close_asks_for_a_reset(client, login, make_user, as_participant, workshop):
    conversation, cid, qid = workshop
    ideas.post_idea(as_participant(make_user()), qid, "Idea before the close")
    session.set_phase(conversation, "collect")
    session.set_phase(conversation, "closed")
    login(make_user())
    body = client.get(f"/conversations/{cid}/live/events?after=1").json
    assert body["reset"] is True and body["state"]["status"] == "closed"


def test_people_outside_the_audience_get_404(client, login, make_user, make_org, workshop):
    _, cid, _ = workshop
    outsider = make_user(organisation=make_org("Elsewhere Trust"))
    login(outsider)
    assert client.get(f"/conversations/{cid}/live").status_code == 404
    assert client.get(f"/conversations/{cid}/live/events", headers={"Accept": "text/event-stream"}).status_code == 404
    assert client.get(f"/conversations/{cid}/live/events?after=0").status_code == 404
    assert client.get(f"/api/v1/conversations/{cid}/live", headers=_bearer(outsider)).status_code == 404


def test_console_controls_change_the_session(client, login, make_user, as_participant, workshop):
    conversation, cid, qid = workshop
    idea, _ = ideas.post_idea(as_participant(make_user()), qid, "Team huddles at 10am")
    token = login(make_user("facilitator"))
    page = client.get(f"/facilitate/conversations/{cid}/live")
    assert page.status_code == 200 and "Live console" in page.get_data(as_text=True)
    base = f"/facilitate/conversations/{cid}/live"
    assert client.post(base + "/phase", data={"csrf_token": token, "phase": "collect"}).headers["Location"] == base
    client.post(base + "/timer", data={"csrf_token": token, "action": "start", "minutes": "10"})
    client.post(base + "/spotlight", data={"csrf_token": token, "idea_id": idea.id})
    client.post(base + "/votes", data={"csrf_token": token, "votes_hidden": "hidden"})
    html = client.get(f"/facilitate/conversations/{cid}/present").get_data(as_text=True)
    assert "Sharing ideas" in html and re.search(r"(9|10):\d\d left", html)
    assert "Idea in the spotlight" in html and "Team huddles at 10am" in html
    assert "Votes hidden until voting ends" in html
    assert f"/conversations/{cid}/live" in html  # join instructions
    console = client.get(base).get_data(as_text=True)
    for page in (html, console):  # facilitators' screens never carry an author
        assert idea.author_tag not in page and idea.nonce not in page and "your idea" not in page
    bad = client.post(base + "/timer", data={"csrf_token": token, "action": "start", "minutes": "lots"}, follow_redirects=True)
    assert "Enter a number of minutes from 1 to 180" in bad.get_data(as_text=True)
    bad = client.post(base + "/phase", data={"csrf_token": token, "phase": "party"}, follow_redirects=True)
    assert "Choose a phase" in bad.get_data(as_text=True)
    assert client.post(base + "/phase", data={"phase": "vote"}).status_code == 400  # no CSRF token
    client.post(base + "/phase", data={"csrf_token": token, "phase": "vote"})
    assert "Voting" in client.get(base).get_data(as_text=True)


def test_participants_get_404_from_the_console(client, login, make_user, workshop):
    _, cid, _ = workshop
    login(make_user())
    assert client.get(f"/facilitate/conversations/{cid}/live").status_code == 404
    assert client.get(f"/facilitate/conversations/{cid}/present").status_code == 404


def test_console_and_presenter_are_for_this_conversations_facilitators(client, login, make_user, make_org, workshop):
    _, cid, _ = workshop
    other = make_user("facilitator", organisation=make_org("Other Trust"))
    token = login(other)
    assert client.get(f"/facilitate/conversations/{cid}/live").status_code == 404
    assert client.get(f"/facilitate/conversations/{cid}/present").status_code == 404
    assert client.post(f"/facilitate/conversations/{cid}/live/phase", data={"csrf_token": token, "phase": "vote"}).status_code == 404


def test_api_live_controls(client, make_user, as_participant, workshop):
    conversation, cid, qid = workshop
    idea, _ = ideas.post_idea(as_participant(make_user()), qid, "Rota swaps in the app")
    headers = _bearer(make_user("facilitator"))
    state = client.post(f"/api/v1/conversations/{cid}/live/phase", json={"phase": "collect"}, headers=headers).json["state"]
    assert state["phase"] == "collect"
    state = client.post(f"/api/v1/conversations/{cid}/live/timer", json={"action": "start", "minutes": 3}, headers=headers).json["state"]
    assert state["ends_at"] is not None
    bad = client.post(f"/api/v1/conversations/{cid}/live/timer", json={"action": "start", "minutes": 999}, headers=headers)
    assert bad.status_code == 422 and bad.json["error"]["field"] == "minutes"
    state = client.post(f"/api/v1/conversations/{cid}/live/spotlight", json={"idea_id": idea.id}, headers=headers).json["state"]
    assert state["spotlight"]["id"] == idea.id
    state = client.post(f"/api/v1/conversations/{cid}/live/votes", json={"votes_hidden": True}, headers=headers).json["state"]
    assert state["votes_hidden"] is True
    assert client.post(f"/api/v1/conversations/{cid}/live/votes", json={"votes_hidden": "yes"}, headers=headers).status_code == 400
    participant = _bearer(make_user())
    assert client.post(f"/api/v1/conversations/{cid}/live/phase", json={"phase": "vote"}, headers=participant).status_code == 404


@pytest.mark.parametrize("phase, allowed", [
    ("collect", {"post", "comment"}), ("vote", {"vote"}), ("review", set()),
])
def test_participation_forms_obey_each_phase(client, login, make_user, as_participant, workshop, phase, allowed):
    conversation, cid, qid = workshop
    idea, _ = ideas.post_idea(as_participant(make_user()), qid, "An idea from before the session")
    session.set_phase(conversation, phase)
    token = login(make_user())
    question_page = client.get(f"/questions/{qid}").get_data(as_text=True)
    assert ("Post your idea anonymously" in question_page) == ("post" in allowed)
    posted = client.post(f"/questions/{qid}/ideas", data={"csrf_token": token, "body": "A new idea in " + phase,
                                                           "client_token": "token-" + phase, "similar_checked": "1"})
    assert (posted.status_code == 302) == ("post" in allowed)
    if "post" not in allowed:
        assert posted.status_code == 400 and ("not taking new ideas" in posted.get_data(as_text=True)
                                              or "in review" in posted.get_data(as_text=True))
    commented = client.post(f"/ideas/{idea.id}/comments", data={"csrf_token": token, "body": "A comment",
                                                                "client_token": "comment-" + phase})
    assert (commented.status_code == 302) == ("comment" in allowed)
    client.post(f"/ideas/{idea.id}/vote", data={"csrf_token": token, "choice": "support"})
    page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert ("<strong>1</strong> supporter" in page) == ("vote" in allowed)


def test_pages_say_counts_are_hidden_until_you_vote(client, login, make_user, as_participant, workshop):
    conversation, cid, qid = workshop
    idea, _ = ideas.post_idea(as_participant(make_user()), qid, "Hidden count idea")
    session.set_votes_hidden(conversation, True)
    session.set_phase(conversation, "vote")
    voting.cast_vote(as_participant(make_user()), idea.id, "support")
    token = login(make_user())
    page = client.get(f"/questions/{qid}?sort=supported").get_data(as_text=True)
    assert "Votes hidden until you vote" in page and "<strong>1</strong> supporter" not in page
    assert "Votes hidden until you vote" in client.get(f"/conversations/{cid}/live").get_data(as_text=True)
    client.post(f"/ideas/{idea.id}/vote", data={"csrf_token": token, "choice": "support"})
    assert "<strong>2</strong> supporters" in client.get(f"/ideas/{idea.id}").get_data(as_text=True)
