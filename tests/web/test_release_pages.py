"""Batch release through the pages and the API: settings, hidden waiting posts, the count, releasing now."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.extensions import db
from app.models import ContentStatus
from app.models.base import utcnow
from app.services.content import ideas
from app.services.workshops import session as live_session
from app.services.conversations import release
from app.services.accounts.users import create_api_token

SECRET = "Quiet room on ward seven please"


@pytest.fixture
def batched(make_conversation, make_user, as_participant):  # type: ignore[no-untyped-def]
    conversation = make_conversation()
    release.apply_settings(conversation, True, 5, 24)
    db.session.commit()
    author = make_user()
    idea, _ = ideas.post_idea(as_participant(author), conversation.questions[0].id, SECRET)
    return conversation, author, idea


def _bearer(user) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {"Authorization": f"Bearer {create_api_token(user)}"}


def _settings(conversation, **changes):  # type: ignore[no-untyped-def]
    data = {"title": conversation.title, "voting_mode": conversation.voting_mode, "comments_enabled": "y",
            "audience_ids": [o.id for o in conversation.audience], "opens_at": "",
            "closes_at": (utcnow() + timedelta(days=10)).strftime("%Y-%m-%d %H:%M")}
    return {k: v for k, v in (data | changes).items() if v is not None}


def test_settings_form_turns_batch_release_on_and_refuses_bad_numbers(client, login, make_user, make_conversation):
    conversation = make_conversation()
    token = login(make_user("facilitator"))
    path = f"/facilitate/conversations/{conversation.id}/edit"
    page = client.get(path).get_data(as_text=True)
    assert "Release new posts in batches" in page and "small conversations" in page and "live workshops" in page
    for bad, message in (("abc", "Enter the batch size as a whole number, like 5"),
                         ("2", "Enter a batch size from 3 to 100 posts"),
                         ("99999999999999999999999", "Enter a batch size from 3 to 100 posts")):
        response = client.post(path, data={"csrf_token": token} | _settings(conversation, batch_release="y", batch_size=bad))
        assert response.status_code == 400 and message in response.get_data(as_text=True), bad
        db.session.refresh(conversation)
        assert conversation.batch_release is False
    response = client.post(path, data={"csrf_token": token} | _settings(conversation, batch_release="y",
                                                                         batch_max_wait_hours="0"))
    assert response.status_code == 400 and "Enter a longest wait from 1 to 168 hours" in response.get_data(as_text=True)
    ok = client.post(path, data={"csrf_token": token} | _settings(conversation, batch_release="y", batch_size="6",
                                                                   batch_max_wait_hours="12"))
    assert ok.status_code == 302 and ok.headers["Location"] == f"/facilitate/conversations/{conversation.id}"
    db.session.refresh(conversation)
    assert (conversation.batch_release, conversation.batch_size, conversation.batch_max_wait_hours) == (True, 6, 12)
    assert "Released in batches of 6, or after 12 hours" in client.get(ok.headers["Location"]).get_data(as_text=True)


def test_others_never_see_a_waiting_post_in_pages_api_or_live_events(client, login, make_user, batched):
    conversation, _, idea = batched
    other = make_user()
    login(other)
    question = conversation.questions[0].id
    assert SECRET not in client.get(f"/questions/{question}").get_data(as_text=True)
    assert SECRET not in client.get(f"/questions/{question}?sort=newest").get_data(as_text=True)
    assert client.get(f"/ideas/{idea.id}").status_code == 404
    assert "appear in batches" in client.get(f"/conversations/{conversation.id}").get_data(as_text=True)
    headers = _bearer(other)
    listed = client.get(f"/api/v1/questions/{question}/ideas", headers=headers).json
    assert listed["total"] == 0 and listed["ideas"] == []
    assert client.get(f"/api/v1/ideas/{idea.id}", headers=headers).status_code == 404
    assert client.get(f"/api/v1/conversations/{conversation.id}/mine", headers=headers).json["ideas"] == []
    live_session.set_phase(conversation, "review")  # releases: what the board learns is the release, not the writing
    events = client.get(f"/api/v1/conversations/{conversation.id}/live?after=0", headers=headers).json["events"]
    assert [e["type"] for e in events] == ["idea", "phase"]


def test_live_board_events_hold_nothing_while_posts_wait(client, login, make_user, batched):
    conversation, _, idea = batched
    login(make_user())
    body = client.get(f"/conversations/{conversation.id}/live/events?after=0").json
    assert body["events"] == [] and SECRET not in str(body)


def test_the_author_sees_their_waiting_post_with_its_status(client, login, batched):
    conversation, author, idea = batched
    login(author)
    page = client.get(f"/conversations/{conversation.id}/mine").get_data(as_text=True)
    assert SECRET in page and "Waiting to be published with the next batch" in page
    mine = client.get(f"/api/v1/conversations/{conversation.id}/mine", headers=_bearer(author)).json
    assert [(i["id"], i["status"]) for i in mine["ideas"]] == [(idea.id, "waiting")]
    assert "waiting to be published with the next batch" in client.get(f"/ideas/{idea.id}/edit").get_data(as_text=True)


def test_posting_says_the_post_waits_for_the_next_batch(client, login, make_user, batched):
    conversation, _, _ = batched
    token = login(make_user())
    question = conversation.questions[0].id
    response = client.post(f"/questions/{question}/ideas", data={
        "csrf_token": token, "body": "Hot meals available on night shifts", "similar_checked": "1",
        "client_token": "batch-test-token-1"}, follow_redirects=True)
    assert "waiting to be published with the next batch" in response.get_data(as_text=True)
    with client.session_transaction() as session:
        session.clear()  # the API with a token only, no session cookie
    created = client.post(f"/api/v1/questions/{question}/ideas", json={"body": "Lockers that lock properly"},
                          headers=_bearer(make_user()))
    assert created.status_code == 201 and created.json["status"] == "waiting", created.json
    assert created.headers["Location"].endswith(f"/conversations/{conversation.id}/mine")


def test_facilitator_sees_a_count_only_and_can_release_now(client, login, make_user, batched):
    conversation, _, idea = batched
    token = login(make_user("facilitator"))
    overview = client.get(f"/facilitate/conversations/{conversation.id}").get_data(as_text=True)
    assert "1 post waiting for the next batch" in overview and SECRET not in overview
    assert "Release waiting posts now" in overview
    response = client.post(f"/facilitate/conversations/{conversation.id}/release", data={"csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/facilitate/conversations/{conversation.id}#batch-release"
    db.session.refresh(idea)
    assert idea.status == ContentStatus.PUBLISHED
    refused = client.post(f"/facilitate/conversations/{conversation.id}/release", data={})
    assert refused.status_code == 400  # no CSRF token: refused


def test_staff_cannot_release(client, login, make_user, batched):
    conversation, _, idea = batched
    token = login(make_user())
    assert client.post(f"/facilitate/conversations/{conversation.id}/release", data={"csrf_token": token}).status_code == 404
    assert client.post(f"/api/v1/conversations/{conversation.id}/batch/release", headers={"X-CSRFToken": token}).status_code in (403, 404)
    db.session.refresh(idea)
    assert idea.status == ContentStatus.WAITING


def test_api_settings_state_and_release(client, make_user, make_conversation, batched):
    conversation, _, idea = batched
    headers = _bearer(make_user("facilitator"))
    path = f"/api/v1/conversations/{conversation.id}"
    assert client.get(path, headers=headers).json["batch_release"] is True
    assert client.get(f"{path}/batch", headers=headers).json["waiting"] == 1
    assert client.patch(path, json={"batch_size": "five"}, headers=headers).status_code == 400
    assert client.patch(path, json={"batch_release": "yes"}, headers=headers).status_code == 400
    refused = client.patch(path, json={"batch_size": 1000}, headers=headers)
    assert refused.status_code == 422 and refused.json["error"]["field"] == "batch_size"
    changed = client.patch(path, json={"batch_size": 8, "batch_max_wait_hours": 6}, headers=headers).json
    assert (changed["batch_size"], changed["batch_max_wait_hours"]) == (8, 6)
    released = client.post(f"{path}/batch/release", headers=headers).json
    assert released["released"] == 1 and released["waiting"] == 0
    db.session.refresh(idea)
    assert idea.status == ContentStatus.PUBLISHED


def test_api_turning_it_off_releases(client, make_user, batched):
    conversation, _, idea = batched
    response = client.patch(f"/api/v1/conversations/{conversation.id}", json={"batch_release": False},
                            headers=_bearer(make_user("facilitator")))
    assert response.status_code == 200 and response.json["batch_release"] is False
    db.session.refresh(idea)
    assert idea.status == ContentStatus.PUBLISHED


def test_a_live_board_note_waits_when_the_facilitator_chose_batches(client, login, make_user, batched):
    conversation, _, _ = batched
    live_session.set_phase(conversation, "collect")  # releases the fixture's idea
    cid, qid = conversation.id, conversation.questions[0].id
    token = login(make_user())
    response = client.post(f"/conversations/{cid}/live/ideas", data={
        "csrf_token": token, "question_id": qid, "body": "A note written on the board", "client_token": "batchnote1"},
        follow_redirects=True)
    assert "waiting to be published with the next batch" in response.get_data(as_text=True)
    with client.session_transaction() as session:
        session.clear()
    login(make_user())
    board = client.get(f"/conversations/{cid}/live").get_data(as_text=True)
    assert SECRET in board and "A note written on the board" not in board


def test_api_create_with_a_bad_batch_size_creates_nothing(client, make_user, org):
    from sqlalchemy import func, select

    from app.models import Conversation

    before = db.session.scalar(select(func.count()).select_from(Conversation))
    response = client.post("/api/v1/conversations", headers=_bearer(make_user("facilitator")), json={
        "title": "Team huddle", "questions": ["What would help?"], "audience_ids": [org.id],
        "batch_release": True, "batch_size": 1})
    assert response.status_code == 422 and response.json["error"]["field"] == "batch_size"
    assert db.session.scalar(select(func.count()).select_from(Conversation)) == before
    created = client.post("/api/v1/conversations", headers=_bearer(make_user("facilitator")), json={
        "title": "Team huddle", "questions": ["What would help?"], "audience_ids": [org.id], "batch_release": True})
    assert created.status_code == 201 and (created.json["batch_release"], created.json["batch_size"]) == (True, 5)
