"""A posted comment's answer (API and HTML), its stored row and its live event, in every way a comment can land."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from app.api.schemas.content import Comment as CommentOut
from app.extensions import db
from app.models import Comment, ContentStatus, LiveEvent, ModerationMode
from app.services.accounts.users import create_api_token
from app.services.content import ideas
from app.services.conversations import release
from tests.conftest import csrf_token

PLAIN = "Yes, and soup in winter"


def _post(client, token: str, idea_id: str, body: str, **extra):  # type: ignore[no-untyped-def]
    return client.post(f"/api/v1/ideas/{idea_id}/comments", json={"body": body, **extra},
                       headers={"Authorization": f"Bearer {token}", **extra.pop("headers", {})})


@pytest.fixture
def world(make_user, make_conversation, as_participant):  # type: ignore[no-untyped-def]
    conversation = make_conversation()
    idea, _ = ideas.post_idea(as_participant(make_user()), conversation.questions[0].id, "Hot food on night shifts")
    author = make_user()
    return conversation, idea.id, author, create_api_token(author)


def _stored(comment_id: str) -> Comment:
    db.session.expire_all()
    row = db.session.get(Comment, comment_id)
    assert row is not None
    return row


def _comment_events(conversation_id: int) -> list[dict]:
    db.session.expire_all()
    return [json.loads(e.payload) for e in db.session.scalars(
        sa.select(LiveEvent).where(LiveEvent.conversation_id == conversation_id, LiveEvent.type == "comment")
        .order_by(LiveEvent.id))]


@pytest.mark.parametrize("setting, body, extra, status, queued", [
    ("post", PLAIN, {}, ContentStatus.PUBLISHED, False),
    ("named", PLAIN, {}, ContentStatus.PUBLISHED, False),
    ("pre", PLAIN, {}, ContentStatus.PENDING, True),
    ("post", "Ask Sister Jones on Ward 9", {"confirm_identifying": True}, ContentStatus.PENDING, True),
    ("post", "Total bollocks", {}, ContentStatus.PENDING, True),
    ("batch", PLAIN, {}, ContentStatus.WAITING, False),
])
def test_the_answer_is_the_stored_row_and_a_repeat_answers_the_same(client, world, setting, body, extra, status, queued):
    conversation, idea_id, author, token = world
    if setting == "named":
        conversation.named_mode = True
    if setting == "pre":
        conversation.moderation_mode = ModerationMode.PRE
    if setting == "batch":
        release.apply_settings(conversation, True, 5, 24)
    db.session.commit()
    conversation_id = conversation.id
    first = _post(client, token, idea_id, body, headers={"Idempotency-Key": "retry-0001"}, **extra)
    assert first.status_code == 201 and first.headers["Location"].endswith(f"/api/v1/ideas/{idea_id}")
    stored = _stored(first.json["id"])
    assert first.json == CommentOut.of(stored, True).model_dump(mode="json")
    assert (stored.status, stored.queued, stored.idea_id, stored.body) == (status, queued, idea_id, body)
    assert first.json["author_name"] == (author.display_name if setting == "named" else None)
    again = _post(client, token, idea_id, body, headers={"Idempotency-Key": "retry-0001"}, **extra)
    assert again.status_code == 200 and again.get_data() == first.get_data()
    published = status == ContentStatus.PUBLISHED
    assert _comment_events(conversation_id) == ([{"idea_id": idea_id, "comment_id": stored.id, "body": body}]
                                                if published else [])


def test_the_comment_that_completes_a_batch_answers_published(client, world, make_user):
    conversation, idea_id, author, token = world
    release.apply_settings(conversation, True, 3, 24)
    db.session.commit()
    waiting = [_post(client, create_api_token(make_user()), idea_id, f"Number {n} of the batch") for n in (1, 2)]
    assert [w.json["status"] for w in waiting] == [ContentStatus.WAITING] * 2
    last = _post(client, token, idea_id, PLAIN)
    assert last.status_code == 201 and last.json["status"] == ContentStatus.PUBLISHED
    assert last.json == CommentOut.of(_stored(last.json["id"]), True).model_dump(mode="json")
    assert [_stored(w.json["id"]).status for w in waiting] == [ContentStatus.PUBLISHED] * 2


def test_the_html_form_says_published_held_or_waiting(client, world, login):
    conversation, idea_id, author, _ = world
    login(author)
    page = f"/ideas/{idea_id}"
    answer = client.post(f"{page}/comments", data={"body": PLAIN, "csrf_token": csrf_token(client, page)},
                         follow_redirects=True)
    assert answer.status_code == 200 and "Your comment has been added." in answer.get_data(as_text=True)
    conversation.moderation_mode = ModerationMode.PRE
    db.session.commit()
    held = client.post(f"{page}/comments", data={"body": "And warm bread", "csrf_token": csrf_token(client, page)},
                       follow_redirects=True)
    text = held.get_data(as_text=True)
    assert held.status_code == 200 and "Your comment has been added." not in text and "has been sent to the moderators" in text
