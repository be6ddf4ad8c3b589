"""The triage board and theme page of a Change Hub session that follows another: recurring, rising, resolved."""

from __future__ import annotations

from app.models import Theme
from tests.services.recurring_fixtures import theme_of, two_sessions_fixture  # noqa: F401  (fixture)


def test_board_and_theme_page_show_trends_across_sessions(client, login, make_user, two_sessions):
    _, first, second, now, old = two_sessions
    lead = make_user("lead")
    token = login(lead)
    parking: Theme = theme_of(second, now["parking"])
    board = client.get(f"/manage/conversations/{second.id}").get_data(as_text=True)
    assert "Trend: rising" in board and "Trend: new" in board and "Trend: recurring" in board
    assert "Resolved since last session" in board and old["rotas"].label in board
    assert f"/manage/themes/{old['rotas'].id}" in board  # the resolved theme links to its page
    page = client.get(f"/manage/themes/{parking.id}").get_data(as_text=True)
    assert f"Raised before: in {first.title}" in page and old["parking"].label in page
    lifts = theme_of(second, now["lifts"])
    assert "this theme is new this session" in client.get(f"/manage/themes/{lifts.id}").get_data(as_text=True)
    api = client.get(f"/api/v1/manage/conversations/{second.id}/board", headers={"X-CSRFToken": token}).json
    by_id = {t["id"]: t for t in api["themes"]}
    assert by_id[parking.id]["trend"] == "rising" and by_id[parking.id]["previous_session_theme_id"] == old["parking"].id
    assert by_id[lifts.id]["trend"] == "new" and by_id[lifts.id]["previous_session_theme_id"] is None


def test_other_people_cannot_see_the_recurring_board(client, login, make_user, two_sessions):
    _, _, second, now, _ = two_sessions
    login(make_user("facilitator"))
    assert client.get(f"/manage/conversations/{second.id}").status_code == 404
    assert client.get(f"/manage/themes/{theme_of(second, now['parking']).id}").status_code == 404
