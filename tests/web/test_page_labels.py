"""Screen-reader labels and landmarks (issue #14 item 10)."""

from __future__ import annotations

import re


def test_question_buttons_name_their_own_question(client, login, make_user, make_conversation):
    conversation = make_conversation(status="draft", questions=("First?", "Second?", "Third?"))
    login(make_user("facilitator"))
    page = client.get(f"/facilitate/conversations/{conversation.id}/questions").get_data(as_text=True)
    labels = re.findall(r'type="submit">(Move up|Move down|Remove)<span class="nhsuk-u-visually-hidden"> (question \d+)</span>', page)
    assert labels == [
        ("Move down", "question 1"), ("Remove", "question 1"),
        ("Move up", "question 2"), ("Move down", "question 2"), ("Remove", "question 2"),
        ("Move up", "question 3"), ("Remove", "question 3"),
    ]


def test_the_back_link_sits_in_a_landmark(client, login, make_user, make_conversation):
    conversation = make_conversation()
    login(make_user("facilitator"))
    page = client.get(f"/facilitate/conversations/{conversation.id}").get_data(as_text=True)
    nav = re.search(r'<nav class="chorus-before-content" aria-label="Back">(.*?)</nav>', page, re.S)
    assert nav and "nhsuk-back-link" in nav.group(1)
    home = client.get("/facilitate/").get_data(as_text=True)  # no back link: no empty landmark
    assert "chorus-before-content" not in home
