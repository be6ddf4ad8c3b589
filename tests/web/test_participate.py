"""Taking part through the web pages, without JavaScript."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Comment, Idea, Vote
from app.services.content import ideas
from tests.conftest import csrf_token


def _form_token(html: str) -> str:
    return re.search(r'name="client_token" type="hidden" value="([^"]+)"', html).group(1)


def test_signed_out_people_see_the_landing_page_and_are_sent_to_sign_in(client, make_conversation):
    conversation = make_conversation()
    assert "Sign in to take part" in client.get("/").get_data(as_text=True)
    response = client.get(f"/conversations/{conversation.id}")
    assert response.status_code == 302 and response.headers["Location"].startswith("/auth/sign-in")


def test_sign_in_errors_and_safe_redirect(client, make_user):
    user = make_user()
    token = csrf_token(client)
    bad = client.post("/auth/sign-in", data={"email": user.email, "password": "wrong-password", "csrf_token": token})
    assert bad.status_code == 400 and "Enter a correct email address and password" in bad.get_data(as_text=True)
    missing = client.post("/auth/sign-in", data={"email": "", "password": "", "csrf_token": token})
    assert missing.status_code == 400 and "Enter your email address" in missing.get_data(as_text=True)
    no_csrf = client.post("/auth/sign-in", data={"email": user.email, "password": "correct-horse-battery"})
    assert no_csrf.status_code == 400
    evil = client.post("/auth/sign-in?next=https://evil.example/x",
                       data={"email": user.email, "password": "correct-horse-battery", "csrf_token": token})
    assert evil.status_code == 302 and evil.headers["Location"] == "/"


def test_post_an_idea_comment_and_vote(client, login, make_user, make_conversation):
    conversation = make_conversation()
    question = conversation.questions[0]
    token = login(make_user())
    home = client.get("/").get_data(as_text=True)
    assert conversation.title in home
    page = client.get(f"/questions/{question.id}").get_data(as_text=True)
    response = client.post(f"/questions/{question.id}/ideas",
                           data={"body": "Hot food after 8pm", "client_token": _form_token(page), "csrf_token": token})
    idea = db.session.scalar(sa.select(Idea))
    assert response.status_code == 302 and response.headers["Location"] == f"/ideas/{idea.id}"
    detail = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "Hot food after 8pm" in detail and "This is your idea" in detail and "Your idea has been posted" in detail

    response = client.post(f"/ideas/{idea.id}/comments",
                           data={"body": "And drinks", "client_token": _form_token(detail), "csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == f"/ideas/{idea.id}#comments"
    response = client.post(f"/ideas/{idea.id}/vote", data={"choice": "support", "csrf_token": token,
                                                          "next": f"/questions/{question.id}?sort=supported"})
    assert response.headers["Location"] == f"/questions/{question.id}?sort=supported#idea-{idea.id}"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Vote)) == 1
    listing = client.get(f"/questions/{question.id}?sort=supported").get_data(as_text=True)
    assert "<strong>1</strong> supporter" in listing and "Supported" in listing
    client.post(f"/ideas/{idea.id}/vote/withdraw", data={"csrf_token": token})
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Vote)) == 0
    mine = client.get(f"/conversations/{conversation.id}/mine").get_data(as_text=True)
    assert "Hot food after 8pm" in mine and "And drinks" in mine


def test_double_clicked_form_creates_one_idea(client, login, make_user, make_conversation):
    conversation = make_conversation()
    question = conversation.questions[0]
    token = login(make_user())
    form_token = _form_token(client.get(f"/questions/{question.id}").get_data(as_text=True))
    data = {"body": "Lockers on every ward", "client_token": form_token, "csrf_token": token}
    first = client.post(f"/questions/{question.id}/ideas", data=data)
    second = client.post(f"/questions/{question.id}/ideas", data=data)
    assert first.headers["Location"] == second.headers["Location"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Idea)) == 1


@pytest.mark.parametrize("body, message", [
    ("", "Enter your idea"),
    ("tiny", "Your idea must be 5 characters or more"),
    ("x" * 2001, "Your idea must be 2,000 characters or fewer"),
])
def test_bad_ideas_show_the_error_and_keep_the_text(client, login, make_user, make_conversation, body, message):
    conversation = make_conversation()
    question = conversation.questions[0]
    token = login(make_user())
    response = client.post(f"/questions/{question.id}/ideas", data={"body": body, "client_token": "t" * 20, "csrf_token": token})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in html and message in html
    if body.strip():
        assert body[:100] in html  # what they typed is not lost
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Idea)) == 0


def test_closed_conversation_refuses_and_explains(client, login, make_user, make_conversation):
    conversation = make_conversation(status="closed")
    question = conversation.questions[0]
    token = login(make_user())
    page = client.get(f"/questions/{question.id}").get_data(as_text=True)
    assert "Post your idea" not in page
    response = client.post(f"/questions/{question.id}/ideas", data={"body": "Too late now", "client_token": "t" * 20, "csrf_token": token})
    assert response.status_code == 400 and "has closed" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Idea)) == 0


def test_edit_and_withdraw_own_idea_and_404_for_others(client, login, make_user, make_conversation, as_participant):
    conversation = make_conversation()
    me, other = make_user(), make_user()
    mine, _ = ideas.post_idea(as_participant(me), conversation.questions[0].id, "My original idea")
    theirs, _ = ideas.post_idea(as_participant(other), conversation.questions[0].id, "Someone else's idea")
    token = login(me)
    for path in (f"/ideas/{theirs.id}/edit", f"/ideas/{theirs.id}/withdraw", "/ideas/nope/edit"):
        assert client.get(path).status_code == 404
        assert client.post(path, data={"body": "Hijack attempt", "csrf_token": token}).status_code == 404
    assert "Someone else's idea" in client.get(f"/ideas/{theirs.id}").get_data(as_text=True)
    edit = client.get(f"/ideas/{mine.id}/edit").get_data(as_text=True)
    assert "My original idea" in edit
    bad = client.post(f"/ideas/{mine.id}/edit", data={"body": "", "csrf_token": token})
    assert bad.status_code == 400
    response = client.post(f"/ideas/{mine.id}/edit", data={"body": "My improved idea", "csrf_token": token})
    assert response.headers["Location"] == f"/ideas/{mine.id}"
    assert "My improved idea" in client.get(f"/ideas/{mine.id}").get_data(as_text=True)
    confirm = client.get(f"/ideas/{mine.id}/withdraw").get_data(as_text=True)
    assert "Are you sure" in confirm
    response = client.post(f"/ideas/{mine.id}/withdraw", data={"csrf_token": token})
    assert response.headers["Location"] == f"/conversations/{conversation.id}/mine"
    assert client.get(f"/ideas/{mine.id}").status_code == 404


def test_comment_edit_and_withdraw(client, login, make_user, make_conversation, as_participant):
    conversation = make_conversation()
    me, other = make_user(), make_user()
    idea, _ = ideas.post_idea(as_participant(other), conversation.questions[0].id, "An idea to discuss")
    from app.services.content import comments

    theirs, _ = comments.add_comment(as_participant(other), idea.id, "Their note")
    token = login(me)
    detail = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    client.post(f"/ideas/{idea.id}/comments", data={"body": "My note", "client_token": _form_token(detail), "csrf_token": token})
    mine = db.session.scalar(sa.select(Comment).where(Comment.body == "My note"))
    assert client.get(f"/comments/{theirs.id}/edit").status_code == 404
    assert client.post(f"/comments/{theirs.id}/withdraw", data={"csrf_token": token}).status_code == 404
    too_long = client.post(f"/ideas/{idea.id}/comments", data={"body": "x" * 501, "client_token": "c" * 20, "csrf_token": token})
    assert too_long.status_code == 400 and "500 characters or fewer" in too_long.get_data(as_text=True)
    client.post(f"/comments/{mine.id}/edit", data={"body": "My better note", "csrf_token": token})
    assert "My better note" in client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    client.post(f"/comments/{mine.id}/withdraw", data={"csrf_token": token})
    assert "My better note" not in client.get(f"/ideas/{idea.id}").get_data(as_text=True)


def test_agree_mode_buttons(client, login, make_user, make_conversation, as_participant):
    conversation = make_conversation(voting_mode="agree")
    idea, _ = ideas.post_idea(as_participant(make_user()), conversation.questions[0].id, "Four day week")
    token = login(make_user())
    client.post(f"/ideas/{idea.id}/vote", data={"choice": "agree", "csrf_token": token})
    client.post(f"/ideas/{idea.id}/vote", data={"choice": "disagree", "csrf_token": token})
    html = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "0 agree · 1 disagree · 0 pass" in html
    assert client.post(f"/ideas/{idea.id}/vote", data={"choice": "support", "csrf_token": token}).status_code == 302
    assert db.session.scalar(sa.select(Vote.value)) == -1


def test_rich_text_is_sanitised(client, login, make_user, make_conversation, as_participant):
    conversation = make_conversation()
    idea, _ = ideas.post_idea(as_participant(make_user()), conversation.questions[0].id,
                              "**Bold** <script>alert(1)</script> [link](javascript:alert(1)) <img src=x onerror=alert(1)>")
    login(make_user())
    html = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "<strong>Bold</strong>" in html
    assert "<script>alert" not in html and "<img" not in html and 'href="javascript' not in html


def test_other_organisations_conversations_are_404(client, login, make_user, make_org, make_conversation):
    other = make_conversation(organisation=make_org("Elsewhere Trust"), title="Private to elsewhere")
    login(make_user())
    assert "Private to elsewhere" not in client.get("/").get_data(as_text=True)
    assert client.get(f"/conversations/{other.id}").status_code == 404
    assert client.get(f"/questions/{other.questions[0].id}").status_code == 404
