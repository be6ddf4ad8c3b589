"""The JSON API of issue #15: the outreach monitor, sending to the Guardian, the Guardian's queue and replies."""

from __future__ import annotations

import pytest

from app.services.content import voting
from app.services.conversations.participation_batch import refresh_snapshot
from app.services.outreach import baseline
from app.services.speakup import settings
from tests.web.test_api import api  # noqa: F401  (the bearer-token client fixture)

TEXT = "My manager shouts at me in front of patients and I dread every shift."


@pytest.fixture
def guarded(org, make_user, make_conversation):
    conversation = make_conversation()
    keeper = make_user()
    settings.appoint_guardian(frozenset({org.id}), org.id, keeper.email)
    return conversation, keeper


def test_author_sends_guardian_replies_author_reads(api, make_user, guarded) -> None:  # noqa: F811
    conversation, keeper = guarded
    author, reader = api(make_user()), api(keeper)
    created = author.post(f"/questions/{conversation.questions[0].id}/ideas", json={"body": TEXT, "to_guardian": True})
    assert created.status_code == 201
    queue = reader.get("/guardian/threads")
    assert queue.status_code == 200 and queue.json["open"] == 1 and queue.json["unread"] == 1
    thread = queue.json["threads"][0]
    assert thread["post"]["body"] == TEXT and thread["post"]["kind"] == "idea"
    assert set(thread) == {"id", "conversation_id", "status", "replies", "post", "messages"}  # nothing about who
    reply = reader.post(f"/guardian/threads/{thread['id']}/replies", json={"body": "I can help. Which ward?"})
    assert reply.status_code == 201 and reply.json["from_guardian"]
    assert reader.get("/guardian/threads").json["unread"] == 0  # replying is reading
    mine = author.get(f"/conversations/{conversation.id}/speak-up")
    assert mine.status_code == 200 and mine.json["threads"][0]["messages"][0]["body"] == "I can help. Which ward?"
    written = author.post(f"/conversations/{conversation.id}/speak-up/{thread['id']}/messages", json={"body": "Ward 3"})
    assert written.status_code == 201 and written.json["guardian_name"] is None
    closed = reader.put(f"/guardian/threads/{thread['id']}/status", json={"status": "closed"})
    assert closed.status_code == 200 and closed.json["status"] == "closed"
    assert reader.put(f"/guardian/threads/{thread['id']}/status", json={"status": "gone"}).status_code == 422


def test_send_afterwards_is_idempotent_and_only_for_the_author(api, make_user, guarded) -> None:  # noqa: F811
    conversation, _ = guarded
    author = api(make_user())
    idea = author.post(f"/questions/{conversation.questions[0].id}/ideas", json={"body": TEXT}).json
    assert api(make_user()).post(f"/ideas/{idea['id']}/speak-up", json={}).status_code == 404
    first = author.post(f"/ideas/{idea['id']}/speak-up", json={"message": "Please help"})
    assert first.status_code == 201 and first.json["messages"][0]["body"] == "Please help"
    assert first.headers["Location"].endswith(first.json["id"])
    again = author.post(f"/ideas/{idea['id']}/speak-up", json={})
    assert again.status_code == 200 and again.json["id"] == first.json["id"]
    assert author.post(f"/ideas/{idea['id']}/speak-up", json={"message": 5}).status_code == 400
    assert author.post(f"/ideas/{idea['id']}/speak-up", data="x").status_code == 415


def test_guardian_endpoints_are_404_for_everyone_else(api, make_user, guarded) -> None:  # noqa: F811
    for role in ("participant", "facilitator", "lead", "admin"):
        other = api(make_user(role))
        assert other.get("/guardian/threads").status_code == 404
        assert other.get("/guardian/threads/abc").status_code == 404
        assert other.post("/guardian/threads/abc/replies", json={"body": "x"}).status_code == 404


def test_no_guardian_means_409_and_nothing_posted(api, make_user, make_conversation) -> None:  # noqa: F811
    conversation = make_conversation()
    author = api(make_user())
    refused = author.post(f"/questions/{conversation.questions[0].id}/ideas", json={"body": TEXT, "to_guardian": True})
    assert refused.status_code == 409 and "Guardian" in refused.json["error"]["message"]
    assert author.get(f"/questions/{conversation.questions[0].id}/ideas").json["total"] == 0


def test_check_text_suggests_the_route(api, make_user) -> None:  # noqa: F811
    client = api(make_user())
    assert client.post("/check-text", json={"body": TEXT}).json["speak_up"] == ["bullying or being treated badly by colleagues"]
    assert client.post("/check-text", json={"body": "More parking please"}).json["speak_up"] == []


def test_outreach_figures(api, app, org, make_user, make_conversation, as_participant) -> None:  # noqa: F811
    app.config["CHORUS_MIN_GROUP_SIZE"] = 10
    from app.services.accounts import organisations

    organisations.add_staff_group(org, "Allied health")
    conversation = make_conversation()
    from app.services.content import ideas
    idea, _ = ideas.post_idea(as_participant(make_user(staff_group="Medical")), conversation.questions[0].id,
                              "Rest areas please")
    for _ in range(12):
        voting.cast_vote(as_participant(make_user(staff_group="Medical")), idea.id, "support")
    # Nursing (3) is below k, and a hidden headcount must not be the difference of shown ones: the smallest shown
    # group (Allied health, 12) is hidden with it so that together they reach k, and Medical's 40 can be shown.
    baseline.upload_baseline(frozenset({org.id}), f"organisation code,staff group,headcount\n{org.code},Medical,40\n"
                                                  f"{org.code},Nursing,3\n{org.code},Allied health,12\n")
    facilitator = api(make_user("facilitator"))
    assert facilitator.get(f"/conversations/{conversation.id}/outreach").json["available"] is False
    refresh_snapshot(conversation.id)
    body = facilitator.get(f"/conversations/{conversation.id}/outreach").json
    groups = {g["group"]: g for g in body["by_staff_group"]["groups"]}
    assert groups["Medical"] == {"group": "Medical", "participants": 15, "headcount": 40, "share": 38,
                                 "ways_to_reach": ["huddle", "paper"]}
    # Nursing (3 staff) is below k: never named. Allied health (12 staff, nobody took part) is only folded into Other.
    assert "Nursing" not in groups and body["by_staff_group"]["in_other"] == ["Allied health"]
    assert api(make_user()).get(f"/conversations/{conversation.id}/outreach").status_code == 404
