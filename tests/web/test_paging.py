"""Page numbers from the query string: a missing page is the first, nonsense and huge values a clear 400, never a 500."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("page", ["", "1"])
def test_no_page_number_shows_the_first_page(client, login, make_user, make_conversation, page):
    conversation = make_conversation()
    login(make_user())
    response = client.get(f"/questions/{conversation.questions[0].id}?page={page}")
    assert response.status_code == 200
    assert "Share an idea" in response.get_data(as_text=True)


@pytest.mark.parametrize("page", ["0", "-1", "abc", "99999999999999999999999", "1e9", "²"])
def test_bad_page_numbers_are_refused_with_a_clear_message(client, login, make_user, make_conversation, page):
    conversation = make_conversation()
    login(make_user())
    response = client.get(f"/questions/{conversation.questions[0].id}?page={page}")
    assert response.status_code == 400
    assert "page must be a whole number from 1" in response.get_data(as_text=True)
