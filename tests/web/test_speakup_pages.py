"""The Freedom to Speak Up route through the web pages, without JavaScript: post and send, Guardian replies,
author reads; 404s for everyone else; the admin pages; the explanation page."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Idea, SpeakUpThread
from app.services.speakup import settings
from tests.conftest import PASSWORD, csrf_token

TEXT = "My manager shouts at me in front of patients and I dread every shift."


def sign_in(client, user) -> str:  # type: ignore[no-untyped-def]
    token = csrf_token(client)
    response = client.post("/auth/sign-in", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    return csrf_token(client, "/")


def _client_token(html: str) -> str:
    return re.search(r'name="client_token" type="hidden" value="([^"]+)"', html).group(1)


@pytest.fixture
def route(app, org, make_user, make_conversation):
    conversation = make_conversation()
    author, keeper, admin = make_user(), make_user(), make_user("admin")
    settings.appoint_guardian(frozenset({org.id}), org.id, keeper.email)
    return conversation, author, keeper, admin


def test_post_send_reply_and_read_the_reply(app, route) -> None:
    conversation, author, keeper, admin = route
    question = conversation.questions[0]
    writer = app.test_client()
    token = sign_in(writer, author)
    page = writer.get(f"/questions/{question.id}").get_data(as_text=True)
    assert "Also send this to the Freedom to Speak Up Guardian" in page and "What the Guardian can and cannot do" in page
    response = writer.post(f"/questions/{question.id}/ideas", data={
        "body": TEXT, "client_token": _client_token(page), "csrf_token": token, "to_guardian": "y",
        "similar_checked": "1"})
    idea = db.session.scalar(sa.select(Idea))
    assert response.status_code == 302 and response.headers["Location"] == f"/ideas/{idea.id}"
    detail = writer.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "also been sent to the Freedom to Speak Up Guardian" in detail and "Sent to the Freedom to Speak Up Guardian" in detail
    thread = db.session.scalar(sa.select(SpeakUpThread))

    reader = app.test_client()
    guardian_token = sign_in(reader, keeper)
    assert "Speak Up queue" in reader.get("/").get_data(as_text=True)
    queue = reader.get("/guardian/").get_data(as_text=True)
    assert "shouts at me" in queue and "New" in queue
    page = reader.get(f"/guardian/threads/{thread.id}").get_data(as_text=True)
    assert TEXT in page and author.email not in page and author.display_name not in page
    assert reader.post(f"/guardian/threads/{thread.id}", data={"body": "", "csrf_token": guardian_token}).status_code == 400
    response = reader.post(f"/guardian/threads/{thread.id}", data={"body": "Thank you. I can help: which ward?",
                                                                   "csrf_token": guardian_token})
    assert response.status_code == 302 and response.headers["Location"] == f"/guardian/threads/{thread.id}#messages"

    mine = writer.get(f"/conversations/{conversation.id}/mine").get_data(as_text=True)
    assert "Your messages with the Freedom to Speak Up Guardian" in mine and "which ward?" in mine
    own = writer.get(f"/conversations/{conversation.id}/speak-up/{thread.id}").get_data(as_text=True)
    assert "which ward?" in own and keeper.display_name in own
    response = writer.post(f"/conversations/{conversation.id}/speak-up/{thread.id}",
                           data={"body": "Ward 3, nights.", "csrf_token": token})
    assert response.status_code == 302
    assert "Ward 3, nights." in reader.get(f"/guardian/threads/{thread.id}").get_data(as_text=True)


def test_send_afterwards_from_my_ideas_with_a_suggestion(app, route) -> None:
    conversation, author, keeper, _ = route
    from app.services.common.participants import Participant
    from app.services.content import ideas
    idea, _ = ideas.post_idea(Participant.from_user(author), conversation.questions[0].id, TEXT)
    writer = app.test_client()
    token = sign_in(writer, author)
    mine = writer.get(f"/conversations/{conversation.id}/mine").get_data(as_text=True)
    assert "may be about bullying" in mine and f"/ideas/{idea.id}/speak-up" in mine
    form = writer.get(f"/ideas/{idea.id}/speak-up").get_data(as_text=True)
    assert "not an emergency service" in form and "999" in form
    too_long = writer.post(f"/ideas/{idea.id}/speak-up", data={"message": "x" * 4001, "csrf_token": token})
    assert too_long.status_code == 400 and db.session.query(SpeakUpThread).count() == 0
    no_csrf = writer.post(f"/ideas/{idea.id}/speak-up", data={"message": "hi"})
    assert no_csrf.status_code == 400 and db.session.query(SpeakUpThread).count() == 0
    response = writer.post(f"/ideas/{idea.id}/speak-up", data={"message": "Please help.", "csrf_token": token})
    thread = db.session.scalar(sa.select(SpeakUpThread))
    assert response.headers["Location"] == f"/conversations/{conversation.id}/speak-up/{thread.id}"
    # Sending again goes to the thread.
    assert writer.get(f"/ideas/{idea.id}/speak-up").headers["Location"].endswith(thread.id)


def test_everyone_else_gets_404(app, route, make_user) -> None:
    conversation, author, keeper, admin = route
    from app.services.common.participants import Participant
    from app.services.content import ideas
    idea, _ = ideas.post_idea(Participant.from_user(author), conversation.questions[0].id, TEXT, to_guardian=True)
    thread = db.session.scalar(sa.select(SpeakUpThread))
    for person in (admin, make_user("facilitator"), make_user("lead"), make_user()):
        client = app.test_client()
        token = sign_in(client, person)
        assert client.get("/guardian/").status_code == 404
        assert client.get(f"/guardian/threads/{thread.id}").status_code == 404
        assert client.post(f"/guardian/threads/{thread.id}", data={"body": "x", "csrf_token": token}).status_code == 404
        assert client.get(f"/conversations/{conversation.id}/speak-up/{thread.id}").status_code == 404
        assert client.get(f"/ideas/{idea.id}/speak-up").status_code == 404
        assert "Speak Up queue" not in client.get("/").get_data(as_text=True)
    assert app.test_client().get("/guardian/").status_code == 302  # signed out: sign in first
    guardian_client = app.test_client()
    sign_in(guardian_client, keeper)
    assert guardian_client.get("/guardian/threads/nonexistent").status_code == 404


def test_the_explanation_page_and_the_admin_pages(app, org, route) -> None:
    conversation, author, keeper, admin = route
    client = app.test_client()
    token = sign_in(client, admin)
    page = client.get(f"/admin/organisations/{org.id}/speak-up").get_data(as_text=True)
    assert keeper.email in page and "Fewer than" in page
    response = client.post(f"/admin/organisations/{org.id}/speak-up/contact", data={
        "guardian_contact": "Sam Guardian, extension 4455", "local_routes": "Staff advice line 0800 000", "csrf_token": token})
    assert response.status_code == 302
    bad = client.post(f"/admin/organisations/{org.id}/speak-up/guardians", data={"email": "nobody@x.nhs.uk",
                                                                                 "csrf_token": token})
    assert bad.status_code == 400 and "not a member" in bad.get_data(as_text=True)
    client.post(f"/admin/organisations/{org.id}/speak-up/guardians/{keeper.id}/remove", data={"csrf_token": token})
    assert not settings.has_guardian(org.id)
    writer = app.test_client()
    sign_in(writer, author)
    about = writer.get(f"/speak-up?conversation={conversation.id}").get_data(as_text=True)
    for words in ("What the Guardian is", "What they can do", "What they cannot do", "not an emergency service",
                  "999", "111", "Sam Guardian, extension 4455", "Staff advice line", "has no Guardian on Chorus yet"):
        assert words in about
    # No Guardian now: the post form no longer offers the choice.
    assert "Also send this" not in writer.get(f"/questions/{conversation.questions[0].id}").get_data(as_text=True)
    assert writer.get("/speak-up?conversation=abc").status_code == 400
