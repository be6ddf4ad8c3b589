"""Guest join codes: the right code lets a person take part in one conversation, anonymously, rate-limited."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from app import create_app
from app.extensions import db
from app.models import Idea
from app.services.accounts import guests
from app.services.moderation import decisions
from app.services.common.errors import InvalidInput
from app.services.accounts.guests import ALPHABET, normalise_code
from tests.conftest import csrf_token


@pytest.fixture
def workshop(make_conversation):
    conversation = make_conversation(title="Live workshop")
    decisions.update_settings(conversation, moderation_mode="post", report_threshold=3, allow_guests=True)
    return conversation


def _join(client, code: str):  # type: ignore[no-untyped-def]
    return client.post("/join", data={"csrf_token": csrf_token(client, "/join"), "code": code})


def test_codes_are_short_unambiguous_and_unique(workshop, make_conversation):
    code = workshop.join_code
    assert len(code) == 6 and set(code) <= set(ALPHABET) and not set(code) & set("0O1IL5S")
    other = make_conversation(title="Second")
    decisions.update_settings(other, moderation_mode="post", report_threshold=3, allow_guests=True)
    assert other.join_code != code
    assert normalise_code(" k7q-x3m ") == "K7QX3M"
    with pytest.raises(InvalidInput):
        guests.conversation_for_code("")


def test_a_guest_joins_with_the_code_and_takes_part(client, workshop, make_conversation):
    hidden = make_conversation(title="Staff-only conversation")
    assert client.get("/join").status_code == 200
    joined = _join(client, workshop.join_code.lower()[:3] + " " + workshop.join_code.lower()[3:])
    assert joined.status_code == 302 and joined.headers["Location"] == f"/conversations/{workshop.id}/live"
    home = client.get("/").get_data(as_text=True)
    assert "Live workshop" in home and "Staff-only conversation" not in home
    question = workshop.questions[0].id
    token = csrf_token(client, f"/questions/{question}")
    posted = client.post(f"/questions/{question}/ideas", data={"csrf_token": token, "body": "Name badges with pronouns", "client_token": "guest-token-1"})
    assert posted.status_code == 302
    idea = db.session.scalar(sa.select(Idea))
    assert idea.body == "Name badges with pronouns"
    mine = client.get(f"/conversations/{workshop.id}/mine").get_data(as_text=True)
    assert "Name badges with pronouns" in mine
    # Only this conversation: others, staff pages and the facilitator area are not found.
    assert client.get(f"/conversations/{hidden.id}").status_code == 404
    assert client.get(f"/questions/{hidden.questions[0].id}").status_code == 404
    assert client.get("/facilitate/conversations/%d/moderation" % workshop.id).status_code == 404
    # The guest key lives only in the cookie: nothing about the guest is in the database.
    with client.session_transaction() as session:
        key = session["guest"]["key"]
    assert key.startswith("guest:")
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(sa.select(table)):
            assert not any(key in str(v) or key.split(":", 1)[1] in str(v) for v in row), table.name


def test_wrong_code_and_closed_or_guestless_conversations(client, workshop):
    wrong = _join(client, "ZZZZZZ" if workshop.join_code != "ZZZZZZ" else "YYYYYY")
    assert wrong.status_code == 400 and "That code is not right" in wrong.get_data(as_text=True)
    empty = _join(client, "")
    assert empty.status_code == 400 and "Enter the join code" in empty.get_data(as_text=True)
    assert client.get(f"/conversations/{workshop.id}").status_code == 302  # still a stranger: sign in
    code = workshop.join_code
    decisions.update_settings(workshop, moderation_mode="post", report_threshold=3, allow_guests=False)
    assert workshop.join_code is None
    assert "That code is not right" in _join(client, code).get_data(as_text=True)


def test_a_new_code_ends_old_guest_sessions(client, workshop):
    _join(client, workshop.join_code)
    assert client.get(f"/conversations/{workshop.id}").status_code == 200
    guests.regenerate_join_code(workshop)
    assert client.get(f"/conversations/{workshop.id}").status_code == 302
    assert _join(client, workshop.join_code).status_code == 302


def test_guest_can_leave(client, workshop):
    _join(client, workshop.join_code)
    left = client.post("/join/leave", data={"csrf_token": csrf_token(client, "/join/leave")})
    assert left.status_code == 302
    assert client.get(f"/conversations/{workshop.id}").status_code == 302


def test_signed_in_people_are_sent_to_their_conversations(client, login, make_user, workshop):
    login(make_user())
    response = client.get("/join")
    assert response.status_code == 302 and response.headers["Location"] == "/"


@pytest.fixture
def limited_app(app, database_url):  # type: ignore[no-untyped-def]
    """A second app with rate limits on (the suite's default app has them off); `app` cleans the database up."""
    limited = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "RATELIMIT_ENABLED": True,
                          "RATELIMIT_JOIN": "3 per minute", "RATELIMIT_POST": "2 per minute"})
    limited.test_client_class = type(app.test_client())
    with limited.app_context():
        if database_url.startswith("sqlite"):
            db.create_all()
        yield limited
        db.session.remove()
        db.engine.dispose()


def test_code_guessing_and_guest_posting_are_rate_limited(limited_app, org):
    from app.services.conversations import lifecycle
    from app.services.accounts.organisations import create_organisation

    owner = create_organisation("Limited Trust", "L001")
    conversation = lifecycle.create_conversation(owner.id, lifecycle.ConversationDetails(
        title="Rate-limited workshop", audience_ids=[owner.id], questions=["What would help?"]))
    lifecycle.open_conversation(conversation)
    decisions.update_settings(conversation, moderation_mode="post", report_threshold=3, allow_guests=True)
    guesser = limited_app.test_client()
    codes = [c for c in ("AAAAAA", "BBBBBB", "CCCCCC", "DDDDDD") if c != conversation.join_code][:3]
    assert [_join(guesser, code).status_code for code in codes] == [400, 400, 400]
    assert _join(guesser, conversation.join_code).status_code == 429  # even the right code, once over the limit
    guest = limited_app.test_client()
    guest.environ_base["REMOTE_ADDR"] = "10.0.0.2"  # another device: its own budget for joining
    assert _join(guest, conversation.join_code).status_code == 302
    question = conversation.questions[0].id
    token = csrf_token(guest, f"/questions/{question}")
    results = [guest.post(f"/questions/{question}/ideas", data={"csrf_token": token, "body": f"Guest idea number {i}"}).status_code
               for i in range(3)]
    assert results == [302, 302, 429]


def test_guest_posts_are_moderated_like_anyone_elses(client, workshop):
    decisions.update_settings(workshop, moderation_mode="pre", report_threshold=3, allow_guests=True)
    _join(client, workshop.join_code)
    question = workshop.questions[0].id
    token = csrf_token(client, f"/questions/{question}")
    response = client.post(f"/questions/{question}/ideas", data={"csrf_token": token, "body": "Free parking at night"})
    assert response.status_code == 302 and re.search(r"/mine$", response.headers["Location"])
    assert db.session.scalar(sa.select(Idea.status)) == "pending"


def test_guest_api_calls_see_only_their_conversation(client, workshop, make_conversation):
    other = make_conversation(title="Staff-only conversation")
    _join(client, workshop.join_code)
    listed = client.get("/api/v1/conversations")
    assert [c["id"] for c in listed.json["conversations"]] == [workshop.id]
    assert client.get(f"/api/v1/conversations/{other.id}").status_code == 404
    assert client.get(f"/api/v1/conversations/{workshop.id}/moderation").status_code == 404
    token = csrf_token(client, f"/conversations/{workshop.id}")
    created = client.post(f"/api/v1/questions/{other.questions[0].id}/ideas", json={"body": "Sneaky idea"},
                          headers={"X-CSRFToken": token})
    assert created.status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Idea)) == 0
