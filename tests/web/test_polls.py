"""Quick polls through the web: the console's forms, answering on the board (no JS), the presenter's results."""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.models import Poll, PollAnswer
from app.services.moderation import decisions
from app.services.workshops import polls
from tests.conftest import csrf_token


def _count(model) -> int:  # type: ignore[no-untyped-def]
    return db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0


def test_facilitator_runs_a_poll_from_the_console(client, login, make_user, make_conversation):
    conversation = make_conversation()
    token = login(make_user("facilitator"))
    console = f"/facilitate/conversations/{conversation.id}/live"
    page = client.get(console).get_data(as_text=True)
    assert "Quick polls" in page and 'name="poll-question"' in page and "Add the poll" in page
    created = client.post(f"{console}/polls", data={"csrf_token": token, "poll-question": "Which change first?",
                                                    "poll-kind": "choice", "poll-options": "Rotas\nParking\n\nFood"})
    assert created.status_code == 302 and created.headers["Location"] == f"{console}#polls"
    poll = db.session.scalars(sa.select(Poll)).one()
    assert poll.options == ["Rotas", "Parking", "Food"] and poll.status == "draft"
    opened = client.post(f"{console}/polls/{poll.id}/open", data={"csrf_token": token})
    assert opened.status_code == 302 and opened.headers["Location"] == console
    presenter = client.get(f"/facilitate/conversations/{conversation.id}/present").get_data(as_text=True)
    assert "Which change first?" in presenter and "answer on your device" in presenter
    assert "<caption" in presenter and "Answers so far" in presenter and 'aria-hidden="true"' in presenter
    assert "no breakdown by organisation or staff group" in presenter
    background = client.post(f"{console}/polls/{poll.id}/close", data={"csrf_token": token},
                             headers={"Accept": "application/json"})
    assert background.status_code == 200 and background.json["ok"] is True
    again = client.post(f"{console}/polls/{poll.id}/close", data={"csrf_token": token},
                        headers={"Accept": "application/json"})
    assert again.status_code == 409 and again.json["message"] == "This poll is not open."


def test_bad_poll_forms_say_what_is_wrong_and_write_nothing(client, login, make_user, make_conversation):
    conversation = make_conversation()
    token = login(make_user("facilitator"))
    url = f"/facilitate/conversations/{conversation.id}/live/polls"
    for data, status, message in [
        ({"poll-question": "", "poll-kind": "choice", "poll-options": "A\nB"}, 400, "Enter the question."),
        ({"poll-question": "Which first?", "poll-kind": "choice", "poll-options": "Only one"}, 422, "Give from 2 to 6 choices."),
        ({"poll-question": "Which first?", "poll-kind": "wheel", "poll-options": "A\nB"}, 400, "Not a valid choice"),
    ]:
        response = client.post(url, data={"csrf_token": token, **data})
        html = response.get_data(as_text=True)
        assert response.status_code == status and message in html and "There is a problem" in html
        assert 'value="Which first?"' in html or not data["poll-question"]  # what was typed is kept
    assert client.post(url, data={"poll-question": "Which first?", "poll-kind": "scale"}).status_code == 400  # no CSRF
    assert _count(Poll) == 0


def test_participants_answer_once_on_the_board_without_javascript(client, login, make_user, make_conversation):
    conversation = make_conversation()
    poll = polls.create_poll(conversation, "How supported do you feel?", "scale", [])
    board = f"/conversations/{conversation.id}/live"
    token = login(make_user())
    assert 'id="poll"' in client.get(board).get_data(as_text=True)  # an empty, hidden section for live updates
    polls.open_poll(conversation, poll.id)
    page = client.get(board).get_data(as_text=True)
    assert "How supported do you feel?" in page and 'name="poll-choice"' in page and "Send your answer" in page
    assert "1 (not at all)" in page and "5 (completely)" in page
    url = f"/conversations/{conversation.id}/live/polls/{poll.id}/answer"
    missing = client.post(url, data={"csrf_token": token})
    assert missing.status_code == 400 and "Choose one of the answers." in missing.get_data(as_text=True)
    wrong = client.post(url, data={"csrf_token": token, "poll-choice": "7"})
    assert wrong.status_code == 422 and "Choose one of the answers." in wrong.get_data(as_text=True)
    assert _count(PollAnswer) == 0
    answered = client.post(url, data={"csrf_token": token, "poll-choice": "3"})
    assert answered.status_code == 302 and answered.headers["Location"] == f"{board}#poll"
    page = client.get(board).get_data(as_text=True)
    assert "Your answer has been counted" in page and "You answered <strong>4</strong>" in page
    assert 'name="poll-choice"' not in page and "Answers so far: <strong data-poll-total>1</strong>" in page
    repeat = client.post(url, data={"csrf_token": token, "poll-choice": "0"}, follow_redirects=True)
    assert "You have already answered this poll." in repeat.get_data(as_text=True)
    assert polls.results(poll).counts == [0, 0, 0, 1, 0]


def test_guests_answer_and_strangers_get_404(app, client, make_user, make_org, make_conversation):
    conversation = make_conversation(title="Live workshop")
    decisions.update_settings(conversation, moderation_mode="post", report_threshold=3, allow_guests=True)
    poll = polls.create_poll(conversation, "Which change first?", "choice", ["Rotas", "Parking"])
    polls.open_poll(conversation, poll.id)
    client.post("/join", data={"csrf_token": csrf_token(client, "/join"), "code": conversation.join_code})
    token = csrf_token(client, f"/conversations/{conversation.id}/live")
    url = f"/conversations/{conversation.id}/live/polls/{poll.id}/answer"
    assert client.post(url, data={"csrf_token": token, "poll-choice": "1"}).status_code == 302
    assert polls.results(poll).counts == [0, 1]
    # Guests and participants never reach the console's poll controls.
    assert client.post(f"/facilitate/conversations/{conversation.id}/live/polls/{poll.id}/close",
                       data={"csrf_token": token}).status_code == 404
    stranger = app.test_client()
    other = make_user(organisation=make_org("Far Away Trust"))
    from tests.conftest import PASSWORD

    stranger.post("/auth/sign-in", data={"email": other.email, "password": PASSWORD,
                                         "csrf_token": csrf_token(stranger)})
    assert stranger.post(url, data={"csrf_token": csrf_token(stranger, "/"), "poll-choice": "0"}).status_code == 404
    assert stranger.get(f"/facilitate/conversations/{conversation.id}/live").status_code == 404
    assert polls.results(poll).counts == [0, 1] and db.session.get_one(Poll, poll.id).status == "open"
