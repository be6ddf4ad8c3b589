"""Moderation notices: at the top of the first page of a visit only, always on "My ideas and comments"."""

from __future__ import annotations

import pytest

from app.services.content import ideas
from app.services.moderation import decisions
from tests.conftest import PASSWORD, csrf_token

BANNER = "Message from the moderators"


def _sign_in(client, user) -> str:  # type: ignore[no-untyped-def]
    token = csrf_token(client)
    response = client.post("/auth/sign-in", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    return token


@pytest.fixture
def hidden_post(app, make_user, make_conversation, as_participant):  # type: ignore[no-untyped-def]
    app.config["CHORUS_NOTICE_CACHE_SECONDS"] = 0
    conversation = make_conversation()
    facilitator, author = make_user("facilitator"), make_user()
    first, _ = ideas.post_idea(as_participant(author), conversation.questions[0].id, "Rotas six weeks ahead please")
    second, _ = ideas.post_idea(as_participant(author), conversation.questions[0].id, "Water coolers on every ward")
    decisions.hide_item(conversation, facilitator.id, "idea", first.id, "off_topic", "Say how it helps")
    return conversation, facilitator, author, first, second


def test_a_notice_shows_once_per_visit_and_stays_on_my_posts(app, client, hidden_post):
    conversation, facilitator, author, first, second = hidden_post
    _sign_in(client, author)
    landing = client.get(f"/conversations/{conversation.id}").get_data(as_text=True)
    assert BANNER in landing and "Say how it helps" in landing
    assert f"/conversations/{conversation.id}/mine" in landing and "you can find it again" in landing
    for path in ("/", f"/conversations/{conversation.id}", f"/ideas/{second.id}"):
        assert BANNER not in client.get(path).get_data(as_text=True), path  # not again in this visit
    for _ in range(2):
        mine = client.get(f"/conversations/{conversation.id}/mine").get_data(as_text=True)
        assert BANNER in mine and "Say how it helps" in mine and "you can find it again" not in mine
    with client.session_transaction() as session:  # the session keeps opaque tokens only, never an item id
        assert session["notices_shown"] and not any(first.id in str(v) for v in session.values())

    # A new decision in the same visit is shown once, on its own.
    decisions.hide_item(conversation, facilitator.id, "idea", second.id, "duplicate")
    page = client.get("/").get_data(as_text=True)
    assert page.count(BANNER) == 1 and "Water coolers on every ward" in page
    assert BANNER not in client.get("/").get_data(as_text=True)

    # The next visit (a new sign-in) shows both again, until they are dismissed.
    assert client.post("/auth/sign-out", data={"csrf_token": csrf_token(client, "/")}).status_code == 302
    _sign_in(client, author)
    assert client.get("/").get_data(as_text=True).count(BANNER) == 2


def test_a_dismissed_notice_stays_away_even_on_my_posts(app, client, hidden_post):
    conversation, _, author, first, _ = hidden_post
    _sign_in(client, author)
    token = csrf_token(client, "/")
    dismissed = client.post(f"/notices/idea/{first.id}/dismiss", data={"csrf_token": token, "next": "/"})
    assert dismissed.status_code == 302
    assert BANNER not in client.get(f"/conversations/{conversation.id}/mine").get_data(as_text=True)
