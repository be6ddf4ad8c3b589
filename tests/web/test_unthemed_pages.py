"""The Unthemed page: listed from the board, one "place in a theme" form per idea, clear errors, 404 for others."""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.models import Idea, ThemeAssignment, ThemeRun, ThemeSnapshot
from tests.services.triage_fixtures import themed  # noqa: F401  (fixture)


def _unthemed_one(conversation) -> tuple[Idea, int]:
    db.session.refresh(conversation)
    run = conversation.current_theme_run_id
    snap = db.session.scalars(sa.select(ThemeSnapshot).where(ThemeSnapshot.run_id == run)
                              .order_by(ThemeSnapshot.size.desc())).first()
    row = db.session.scalars(sa.select(ThemeAssignment).where(ThemeAssignment.run_id == run,
                                                              ThemeAssignment.theme_id == snap.theme_id)).first()
    row.theme_id = None
    db.session.get(ThemeRun, run).unthemed_count += 1
    db.session.commit()
    return db.session.get(Idea, row.idea_id), snap.theme_id


def test_board_links_to_the_unthemed_list_and_an_idea_is_placed(client, login, themed):
    conversation, _, _, lead = themed
    idea, theme_id = _unthemed_one(conversation)
    token = login(lead)
    board = client.get(f"/manage/conversations/{conversation.id}").get_data(as_text=True)
    assert f"/manage/conversations/{conversation.id}/unthemed" in board
    page = client.get(f"/manage/conversations/{conversation.id}/unthemed")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Place in theme" in html and idea.id in html
    response = client.post(f"/manage/conversations/{conversation.id}/unthemed",
                           data={"idea_id": idea.id, "theme_id": theme_id, "csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/manage/conversations/{conversation.id}/unthemed")
    db.session.refresh(conversation)
    assert db.session.get(ThemeAssignment, (conversation.current_theme_run_id, idea.id)).theme_id == theme_id


def test_bad_input_is_a_clear_400_and_strangers_get_404(client, login, themed, make_user):
    conversation, _, _, lead = themed
    idea, _ = _unthemed_one(conversation)
    token = login(lead)
    url = f"/manage/conversations/{conversation.id}/unthemed"
    for data in ({"idea_id": idea.id, "theme_id": "999999"}, {"idea_id": idea.id, "theme_id": "x"}, {"theme_id": "1"}):
        response = client.post(url, data={**data, "csrf_token": token})
        assert response.status_code == 400 and "There is a problem" in response.get_data(as_text=True)
    client.post("/auth/sign-out", data={"csrf_token": token})
    token = login(make_user("participant"))
    assert client.get(url).status_code == 404
    assert client.post(url, data={"idea_id": idea.id, "theme_id": 1, "csrf_token": token}).status_code == 404


def test_board_and_staff_themes_page_show_a_summary_from_a_central_idea(client, login, themed):
    from html import escape

    from nlp.phrases import summary_sentence

    conversation, _, _, lead = themed
    db.session.refresh(conversation)
    snap = db.session.scalars(sa.select(ThemeSnapshot).where(ThemeSnapshot.run_id == conversation.current_theme_run_id)
                              .order_by(ThemeSnapshot.size.desc())).first()
    expected = escape(summary_sentence(db.session.get(Idea, snap.quote_ids[0]).body))
    login(lead)
    assert expected in client.get(f"/manage/conversations/{conversation.id}").get_data(as_text=True)
    assert expected in client.get(f"/conversations/{conversation.id}/themes").get_data(as_text=True)
