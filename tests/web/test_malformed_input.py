"""Malformed input answers 400/404/415 with a clear message, never a 500 (issue #17.6), on SQLite and PostgreSQL."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Comment, Idea
from app.services.accounts import users
from app.services.content import ideas

# "²" and "٣" are digits to str.isdigit() but not to int(); the long one is past every database integer.
BAD_NUMBERS = ["²", "٣", "99999999999999999999999", "2147483648", "-1", "1.5", "abc", "1e3", " 1 2"]


def _json_error(response, status: int | tuple[int, ...]) -> None:  # type: ignore[no-untyped-def]
    """An API error: the status, and the error shape with a message (the wording may change with the schemas)."""
    statuses = (status,) if isinstance(status, int) else status
    assert response.status_code in statuses, response.get_data(as_text=True)[:300]
    body = response.get_json()
    assert body["error"]["status"] == response.status_code and body["error"]["message"]


@pytest.fixture
def site(make_user, make_conversation, as_participant):  # type: ignore[no-untyped-def]
    person = make_user("facilitator")
    conversation = make_conversation()
    question = conversation.questions[0]
    idea, _ = ideas.post_idea(as_participant(person), question.id, "Water fountains on every ward")
    return {"person": person, "conversation": conversation, "question": question, "idea": idea,
            "bearer": {"Authorization": f"Bearer {users.create_api_token(person)}"}}


@pytest.mark.parametrize("value", BAD_NUMBERS)
def test_a_bad_page_number_on_a_question_page_is_a_400(client, login, site, value) -> None:  # type: ignore[no-untyped-def]
    login(site["person"])
    response = client.get(f"/questions/{site['question'].id}", query_string={"page": value})
    assert response.status_code == 400
    assert "page must be a whole number" in response.get_data(as_text=True)


@pytest.mark.parametrize("value", BAD_NUMBERS)
def test_bad_numbers_in_api_query_strings_are_json_400s(client, site, value) -> None:  # type: ignore[no-untyped-def]
    ideas_page = client.get(f"/api/v1/questions/{site['question'].id}/ideas", query_string={"page": value},
                            headers=site["bearer"])
    _json_error(ideas_page, 400)
    live = client.get(f"/api/v1/conversations/{site['conversation'].id}/live", query_string={"after": value},
                      headers=site["bearer"])
    _json_error(live, 400)


@pytest.mark.parametrize("value", BAD_NUMBERS)
def test_bad_cursors_on_the_live_event_poll_are_400s(client, login, site, value) -> None:  # type: ignore[no-untyped-def]
    login(site["person"])
    url = f"/conversations/{site['conversation'].id}/live/events"
    by_query = client.get(url, query_string={"after": value}, headers={"Accept": "application/json"})
    assert by_query.status_code == 400 and by_query.get_json()["error"]["message"]
    by_header = client.get(url, headers={"Accept": "application/json", "Last-Event-ID": value.strip() or "x"})
    assert by_header.status_code == 400


def test_good_cursors_still_work(client, login, site) -> None:  # type: ignore[no-untyped-def]
    login(site["person"])
    assert client.get(f"/conversations/{site['conversation'].id}/live/events?after=0",
                      headers={"Accept": "application/json"}).status_code == 200
    assert client.get(f"/api/v1/conversations/{site['conversation'].id}/live?after=0",
                      headers=site["bearer"]).status_code == 200
    assert client.get(f"/questions/{site['question'].id}?page=1").status_code == 200


@pytest.mark.parametrize("text", ["\ud800 x", "x \udfff", "\udbff\udbff"])
def test_a_lone_surrogate_in_json_is_refused_and_nothing_is_stored(client, site, text) -> None:  # type: ignore[no-untyped-def]
    before = db.session.scalar(sa.select(sa.func.count()).select_from(Idea))
    # json.dumps writes the lone surrogate as the escape "\ud800", exactly as a hostile client would send it.
    raw = json.dumps({"body": text})
    posted = client.post(f"/api/v1/questions/{site['question'].id}/ideas", data=raw,
                         content_type="application/json", headers=site["bearer"])
    _json_error(posted, 400)
    commented = client.post(f"/api/v1/ideas/{site['idea'].id}/comments", data=json.dumps({"body": text}),
                            content_type="application/json", headers=site["bearer"])
    _json_error(commented, 400)
    nested = client.post(f"/api/v1/questions/{site['question'].id}/ideas",
                         data=json.dumps({"body": "fine", "extra": [{"deep": text}]}),
                         content_type="application/json", headers=site["bearer"])
    _json_error(nested, 400)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Idea)) == before
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Comment)) == 0


# JSON bodies a web form never sends: each once crashed Flask-WTF's form parsing (RecursionError, TypeError, ValueError).
JSON_BODIES = [b"[" * 100_000 + b"]" * 100_000, b'{"body": 12345}', b'["body"]', b'{"body": ["a", "b"]}',
               b'{"body": {"a": 1}}', b"null", b'"text"', b"{"]


def test_json_sent_to_any_web_form_is_a_415(app, client, login, site) -> None:  # type: ignore[no-untyped-def]
    token = login(site["person"])
    ids = {"conversation_id": site["conversation"].id, "question_id": site["question"].id, "idea_id": site["idea"].id}
    checked = 0
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods or rule.rule.startswith("/api/"):
            continue
        url = rule.build({name: ids.get(name, 1) for name in rule.arguments}, append_unknown=False)[1]
        for raw in JSON_BODIES:
            response = client.post(url, data=raw, content_type="application/json", headers={"X-CSRFToken": token})
            assert response.status_code == 415, f"POST {url} {raw[:20]!r} -> {response.status_code}"
            checked += 1
    assert checked > 100
    # The same forms still take form bodies.
    posted = client.post(f"/questions/{site['question'].id}/ideas",
                         data={"body": "Covered cycle racks by the main entrance", "csrf_token": token})
    assert posted.status_code in (200, 302)


def test_deeply_nested_json_to_the_api_is_a_400(client, site) -> None:  # type: ignore[no-untyped-def]
    response = client.post(f"/api/v1/questions/{site['question'].id}/ideas", data=b"[" * 100_000 + b"]" * 100_000,
                           content_type="application/json", headers=site["bearer"])
    _json_error(response, 400)
