"""Adversarial review of the anonymity promise: admins cannot act as someone else; no headers date a post."""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.models import ApiToken, Role
from app.services.accounts import users
from app.services.content import ideas


def test_an_admin_cannot_issue_a_token_for_someone_else(client, login, make_user, org) -> None:  # type: ignore[no-untyped-def]
    admin = make_user(Role.ADMIN.value)
    author = make_user()
    token = login(admin)
    page = client.get(f"/admin/people/{author.id}").get_data(as_text=True)
    assert "Issue token" not in page and "would show you what they posted" in page
    refused = client.post(f"/admin/people/{author.id}/tokens", data={"csrf_token": token, "name": "Looks innocent"})
    assert refused.status_code == 400
    assert "only issue API tokens for your own account" in refused.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken).where(ApiToken.user_id == author.id)) == 0
    assert "Issue token" in client.get(f"/admin/people/{admin.id}").get_data(as_text=True)


def test_pages_and_api_answers_carry_no_dating_headers(client, login, make_user, make_conversation, as_participant) -> None:  # type: ignore[no-untyped-def]
    question = make_conversation().questions[0]
    idea, _ = ideas.post_idea(as_participant(make_user()), question.id, "Longer lunch breaks on long days")
    login(make_user())
    for path in (f"/ideas/{idea.id}", f"/questions/{question.id}", f"/api/v1/ideas/{idea.id}",
                 f"/api/v1/questions/{question.id}/ideas?sort=newest"):
        response = client.get(path)
        assert response.status_code == 200, path
        for header in ("ETag", "Last-Modified", "Date-Created"):
            assert header not in response.headers, f"{header} on {path}"
        data = response.get_json()
        if data:  # times are to the hour only
            hours = [data["created_hour"]] if "created_hour" in data else [i["created_hour"] for i in data["ideas"]]
            assert hours and all(hour.endswith(":00:00Z") for hour in hours), path


def test_mine_is_only_ever_true_for_the_reader(client, login, make_user, make_conversation, as_participant) -> None:  # type: ignore[no-untyped-def]
    question = make_conversation().questions[0]
    author = make_user()
    idea, _ = ideas.post_idea(as_participant(author), question.id, "Water fountains on every floor")
    login(make_user())
    listing = client.get(f"/api/v1/questions/{question.id}/ideas").get_json()["ideas"]
    assert [item["mine"] for item in listing] == [False]
    assert client.get(f"/api/v1/ideas/{idea.id}").get_json()["mine"] is False
    for method, path, body in [("PATCH", f"/api/v1/ideas/{idea.id}", {"body": "Hijacked text here"}),
                               ("DELETE", f"/api/v1/ideas/{idea.id}", None)]:
        theirs = client.open(path, method=method, json=body, headers={"X-CSRFToken": _csrf(client)})
        unknown = client.open(path.replace(idea.id, "NoSuchIdea000000000000"), method=method, json=body,
                              headers={"X-CSRFToken": _csrf(client)})
        assert theirs.status_code == unknown.status_code == 404
        assert theirs.get_json() == unknown.get_json()
    assert users.user_by_email(author.email).id == author.id


def _csrf(client) -> str:  # type: ignore[no-untyped-def]
    from tests.conftest import csrf_token

    return csrf_token(client, "/")
