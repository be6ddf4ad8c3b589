"""The JSON API: bearer tokens and session cookies, every action, and clear JSON errors."""

from __future__ import annotations

import pytest

from app.services.accounts.users import create_api_token


@pytest.fixture
def api(client, make_user):
    """A client that sends a participant's bearer token."""

    def for_user(user=None):  # type: ignore[no-untyped-def]
        user = user or make_user()
        token = create_api_token(user)

        class Api:
            def __getattr__(self, method):  # type: ignore[no-untyped-def]
                def call(path, **kwargs):  # type: ignore[no-untyped-def]
                    headers = {"Authorization": f"Bearer {token}", **kwargs.pop("headers", {})}
                    return getattr(client, method)("/api/v1" + path, headers=headers, **kwargs)

                return call

        return Api()

    return for_user


def test_requires_authentication(client):
    response = client.get("/api/v1/conversations")
    assert response.status_code == 401
    assert response.json["error"]["status"] == 401
    bad = client.get("/api/v1/conversations", headers={"Authorization": "Bearer chorus_nope"})
    assert bad.status_code == 401 and "token" in bad.json["error"]["message"]


def test_openapi_document_covers_every_route(app, client):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["openapi"].startswith("3.")
    documented = {(path, method.upper()) for path, ops in spec["paths"].items() for method in ops}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.endpoint == "api.openapi":
            continue
        path = rule.rule[len("/api/v1"):].replace("<int:", "{").replace("<", "{").replace(">", "}")
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (path, method) in documented, (path, method)


def test_full_participation_flow(api, make_user, make_conversation):
    conversation = make_conversation()
    alice, bob = api(make_user()), api(make_user())
    listed = alice.get("/conversations").json["conversations"]
    assert [c["id"] for c in listed] == [conversation.id]
    detail = alice.get(f"/conversations/{conversation.id}").json
    question_id = detail["questions"][0]["id"]

    created = alice.post(f"/questions/{question_id}/ideas", json={"body": "Free hot drinks on nights"})
    assert created.status_code == 201 and created.headers["Location"].endswith(created.json["id"])
    idea = created.json
    assert idea["mine"] is True and idea["votes"] == {"support": 0}
    assert set(idea) >= {"id", "body", "created_hour", "votes", "comment_count", "my_vote"}
    assert not any(k in idea for k in ("author_tag", "nonce", "author", "user_id", "email"))
    assert idea["created_hour"].endswith(":00:00Z")

    seen_by_bob = bob.get(f"/ideas/{idea['id']}").json
    assert seen_by_bob["mine"] is False
    voted = bob.put(f"/ideas/{idea['id']}/vote", json={"choice": "support"})
    assert voted.status_code == 200 and voted.json["votes"]["support"] == 1 and voted.json["my_vote"] == "support"
    assert bob.put(f"/ideas/{idea['id']}/vote", json={"choice": "support"}).json["votes"]["support"] == 1
    comment = bob.post(f"/ideas/{idea['id']}/comments", json={"body": "Yes, and soup"})
    assert comment.status_code == 201
    assert alice.get(f"/ideas/{idea['id']}").json["comments"][0]["mine"] is False

    page = alice.get(f"/questions/{question_id}/ideas?sort=supported").json
    assert page["total"] == 1 and page["ideas"][0]["votes"]["support"] == 1

    mine = alice.get(f"/conversations/{conversation.id}/mine").json
    assert [i["id"] for i in mine["ideas"]] == [idea["id"]] and mine["comments"] == []
    assert [c["id"] for c in bob.get(f"/conversations/{conversation.id}/mine").json["comments"]] == [comment.json["id"]]

    assert bob.delete(f"/ideas/{idea['id']}/vote").json["votes"]["support"] == 0
    edited = alice.patch(f"/ideas/{idea['id']}", json={"body": "Free hot drinks and soup on nights"})
    assert edited.status_code == 200 and edited.json["edited"] is True
    assert bob.patch(f"/comments/{comment.json['id']}", json={"body": "Soup!"}).status_code == 200
    assert bob.delete(f"/comments/{comment.json['id']}").status_code == 204
    assert alice.delete(f"/ideas/{idea['id']}").status_code == 204
    assert alice.get(f"/ideas/{idea['id']}").status_code == 404


def test_other_peoples_posts_answer_404_not_403(api, make_user, make_conversation):
    conversation = make_conversation()
    alice, bob = api(make_user()), api(make_user())
    question_id = conversation.questions[0].id
    idea = alice.post(f"/questions/{question_id}/ideas", json={"body": "An idea about the rota here"}).json
    comment = alice.post(f"/ideas/{idea['id']}/comments", json={"body": "A comment on the rota"}).json
    for response in (
        bob.patch(f"/ideas/{idea['id']}", json={"body": "Bob was here"}),
        bob.delete(f"/ideas/{idea['id']}"),
        bob.patch(f"/comments/{comment['id']}", json={"body": "Bob was here"}),
        bob.delete(f"/comments/{comment['id']}"),
        bob.patch("/ideas/does-not-exist", json={"body": "Bob was here"}),
    ):
        assert response.status_code == 404
        assert response.json == {"error": {"status": 404, "message": "We could not find that."}}


def test_idempotency_key_makes_one_idea(api, make_user, make_conversation):
    conversation = make_conversation()
    alice = api(make_user())
    path = f"/questions/{conversation.questions[0].id}/ideas"
    first = alice.post(path, json={"body": "Lockers for everyone"}, headers={"Idempotency-Key": "retry-0001"})
    second = alice.post(path, json={"body": "Lockers for everyone"}, headers={"Idempotency-Key": "retry-0001"})
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json["id"] == second.json["id"]
    assert alice.get(path).json["total"] == 1


@pytest.mark.parametrize("kwargs, status, text", [
    ({"data": "not json", "content_type": "text/plain"}, 415, "JSON"),
    ({"data": "{bad json", "content_type": "application/json"}, 400, "not a valid JSON object"),
    ({"json": ["a list"]}, 400, "not a valid JSON object"),
    ({"json": {}}, 400, "Missing field: body"),
    ({"json": {"body": 42}}, 400, "must be a string"),
    ({"json": {"body": "hi"}}, 422, "5 characters or more"),
    ({"json": {"body": "x" * 2001}}, 422, "2,000 characters or fewer"),
    ({"json": {"body": "Fine idea", "client_token": "short"}}, 400, "Idempotency-Key"),
])
def test_bad_input_gets_clear_json_errors_and_saves_nothing(api, make_user, make_conversation, kwargs, status, text):
    conversation = make_conversation()
    alice = api(make_user())
    path = f"/questions/{conversation.questions[0].id}/ideas"
    response = alice.post(path, **kwargs)
    assert response.status_code == status
    assert text in response.json["error"]["message"]
    assert alice.get(path).json["total"] == 0


def test_closed_unknown_and_invalid(api, make_user, make_conversation):
    open_conv = make_conversation()
    alice = api(make_user())
    idea = alice.post(f"/questions/{open_conv.questions[0].id}/ideas", json={"body": "Valid idea"}).json
    assert alice.put(f"/ideas/{idea['id']}/vote", json={"choice": "maybe"}).status_code == 422
    assert alice.get("/conversations/99999").status_code == 404
    assert alice.get(f"/questions/{open_conv.questions[0].id}/ideas?sort=bogus").status_code == 400
    assert alice.get(f"/questions/{open_conv.questions[0].id}/ideas?page=0").status_code == 400
    closed = make_conversation(status="closed", title="Closed one")
    response = alice.post(f"/questions/{closed.questions[0].id}/ideas", json={"body": "Too late now"})
    assert response.status_code == 409 and "closed" in response.json["error"]["message"]
    draft = make_conversation(status="draft", title="Draft one")
    assert alice.get(f"/conversations/{draft.id}").status_code == 404


def test_facilitator_creates_opens_and_closes(api, make_user, org):
    facilitator = api(make_user("facilitator"))
    participant = api(make_user())
    payload = {"title": "Staff wellbeing", "questions": ["What helps?", "What hurts?"], "audience_ids": [org.id],
               "voting_mode": "agree", "closes_at": "2099-01-01T09:00:00Z"}
    assert participant.post("/conversations", json=payload).status_code == 404
    created = facilitator.post("/conversations", json=payload)
    assert created.status_code == 201 and created.json["status"] == "draft"
    conversation_id = created.json["id"]
    assert participant.get(f"/conversations/{conversation_id}").status_code == 404
    assert facilitator.post(f"/conversations/{conversation_id}/open").json["status"] == "open"
    assert participant.get(f"/conversations/{conversation_id}").status_code == 200
    patched = facilitator.patch(f"/conversations/{conversation_id}", json={"title": "Staff wellbeing 2026"})
    assert patched.json["title"] == "Staff wellbeing 2026" and len(patched.json["questions"]) == 2
    bad = facilitator.patch(f"/conversations/{conversation_id}", json={"closes_at": "not a date"})
    assert bad.status_code == 400
    assert facilitator.post(f"/conversations/{conversation_id}/close").json["status"] == "closed"
    assert facilitator.post(f"/conversations/{conversation_id}/close").status_code == 409
    assert facilitator.post("/conversations", json=payload | {"questions": []}).status_code == 422


def test_session_cookie_writes_need_the_csrf_header(app, client, login, make_user, make_conversation):
    conversation = make_conversation()
    token = login(make_user())
    path = f"/api/v1/questions/{conversation.questions[0].id}/ideas"
    refused = client.post(path, json={"body": "No CSRF header here"})
    assert refused.status_code == 400 and "session expired" in refused.json["error"]["message"]
    accepted = client.post(path, json={"body": "With the CSRF header"}, headers={"X-CSRFToken": token})
    assert accepted.status_code == 201
