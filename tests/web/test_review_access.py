"""Cross-organisation and draft access over every read path: the answer is always the same 404 as for nothing."""

from __future__ import annotations

import pytest

from app.services.accounts import users
from app.services.content import ideas


@pytest.fixture
def outsider_and_paths(make_org, make_user, make_conversation, as_participant):  # type: ignore[no-untyped-def]
    elsewhere = make_org("Hillside Test Trust")
    conversation = make_conversation()
    draft = make_conversation(status="draft")
    closed = make_conversation(status="closed")
    insider = make_user()
    idea, _ = ideas.post_idea(as_participant(insider), conversation.questions[0].id, "Parking permits for bank staff")
    outsider = make_user(organisation=elsewhere)
    headers = {"Authorization": f"Bearer {users.create_api_token(outsider)}"}
    insider_headers = {"Authorization": f"Bearer {users.create_api_token(insider)}"}
    return headers, insider_headers, conversation, draft, closed, idea


def _reads(conversation, idea) -> list[tuple[str, str, dict | None]]:  # type: ignore[no-untyped-def]
    c, q = conversation.id, conversation.questions[0].id
    return [
        ("GET", f"/api/v1/conversations/{c}", None),
        ("GET", f"/api/v1/conversations/{c}/questions", None),
        ("GET", f"/api/v1/conversations/{c}/mine", None),
        ("GET", f"/api/v1/conversations/{c}/themes", None),
        ("POST", f"/api/v1/conversations/{c}/similar", {"text": "parking permits"}),
        ("GET", f"/api/v1/questions/{q}/ideas", None),
        ("POST", f"/api/v1/questions/{q}/ideas", {"body": "An outsider's idea about parking"}),
        ("GET", f"/api/v1/ideas/{idea.id}", None) if idea else None,
        ("PUT", f"/api/v1/ideas/{idea.id}/vote", {"choice": "support"}) if idea else None,
        ("POST", f"/api/v1/ideas/{idea.id}/comments", {"body": "Outsider comment"}) if idea else None,
    ]


def test_another_organisations_conversation_is_404_everywhere(client, outsider_and_paths) -> None:  # type: ignore[no-untyped-def]
    headers, _, conversation, _, _, idea = outsider_and_paths
    for item in _reads(conversation, idea):
        method, path, body = item
        response = client.open(path, method=method, json=body, headers=headers)
        assert response.status_code == 404, f"{method} {path} -> {response.status_code}"


def test_a_draft_is_404_to_participants_everywhere(client, outsider_and_paths) -> None:  # type: ignore[no-untyped-def]
    _, insider_headers, _, draft, _, _ = outsider_and_paths
    for item in _reads(draft, None):
        if item is None:
            continue
        method, path, body = item
        response = client.open(path, method=method, json=body, headers=insider_headers)
        assert response.status_code == 404, f"{method} {path} -> {response.status_code}"
    listed = client.get("/api/v1/conversations", headers=insider_headers).get_json()["conversations"]
    assert draft.id not in [c["id"] for c in listed]


def test_a_closed_conversation_refuses_new_posts_with_409_or_422(client, outsider_and_paths) -> None:  # type: ignore[no-untyped-def]
    _, insider_headers, _, _, closed, _ = outsider_and_paths
    response = client.post(f"/api/v1/questions/{closed.questions[0].id}/ideas", json={"body": "Too late for this one"},
                           headers=insider_headers)
    assert response.status_code in (409, 422) and response.get_json()["error"]["message"]


def test_a_facilitator_elsewhere_cannot_manage_this_conversation(client, outsider_and_paths, make_org, make_user) -> None:  # type: ignore[no-untyped-def]
    _, _, conversation, _, _, idea = outsider_and_paths
    facilitator = make_user("facilitator", organisation=make_org("Third Test Trust"))
    headers = {"Authorization": f"Bearer {users.create_api_token(facilitator)}"}
    for method, path, body in _manages(conversation, idea):
        response = client.open(path, method=method, json=body, headers=headers)
        assert response.status_code == 404, f"{method} {path} -> {response.status_code}"
    assert client.get(f"/facilitate/conversations/{conversation.id}", headers=headers).status_code == 404


def test_a_participant_of_this_conversation_cannot_manage_it_either(client, outsider_and_paths) -> None:  # type: ignore[no-untyped-def]
    """The same 404 JSON as for a conversation that does not exist: no 403 confirms the route or the id."""
    _, insider_headers, conversation, _, _, idea = outsider_and_paths
    nothing = client.get("/api/v1/conversations/987654/participation", headers=insider_headers)
    assert nothing.status_code == 404
    for method, path, body in _manages(conversation, idea):
        response = client.open(path, method=method, json=body, headers=insider_headers)
        assert (response.status_code, response.get_json()) == (404, nothing.get_json()), f"{method} {path}"
    assert client.get(f"/facilitate/conversations/{conversation.id}", headers=insider_headers).status_code == 404


def _manages(conversation, idea) -> list[tuple[str, str, dict | None]]:  # type: ignore[no-untyped-def]
    c = conversation.id
    return [
        ("GET", f"/api/v1/conversations/{c}/participation", None),
        ("PATCH", f"/api/v1/conversations/{c}", {"title": "Taken over"}),
        ("POST", f"/api/v1/conversations/{c}/close", None),
        ("POST", f"/api/v1/conversations/{c}/themes/run", None),
        ("POST", f"/api/v1/conversations/{c}/paper-notes", {"notes": "A forged paper note", "question_id": conversation.questions[0].id}),
        ("PUT", f"/api/v1/ideas/{idea.id}/stage", {"stage": "shortlisted"}),
        ("POST", f"/api/v1/conversations/{c}/live/phase", {"phase": "vote"}),
        ("GET", f"/api/v1/conversations/{c}/moderation", None),
    ]
