"""Page numbers from the query string: nonsense and huge values fall back to the first page, never a 500."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("page", ["0", "-1", "abc", "99999999999999999999999", "1e9", ""])
def test_bad_page_numbers_show_the_first_page(client, login, make_user, make_conversation, page):
    conversation = make_conversation()
    login(make_user())
    response = client.get(f"/questions/{conversation.questions[0].id}?page={page}")
    assert response.status_code == 200
    assert "Share an idea" in response.get_data(as_text=True)
