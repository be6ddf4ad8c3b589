"""Theme run progress on the themes page and the theme board: live with JavaScript, refreshing itself without."""

from __future__ import annotations

from app.extensions import db
from app.models import RunStatus, ThemeRun
from app.services.themes import progress


def _running(conversation, done: int = 40, total: int = 90) -> ThemeRun:  # type: ignore[no-untyped-def]
    run = ThemeRun(conversation_id=conversation.id, status=RunStatus.RUNNING)
    db.session.add(run)
    db.session.commit()
    progress.reporter(run.id)("representing", done, total)
    return run


def test_themes_page_shows_the_stage_and_refreshes_itself_while_a_run_is_pending(client, login, make_user,
                                                                                 make_conversation):
    conversation = make_conversation()
    login(make_user())
    quiet = client.get(f"/conversations/{conversation.id}/themes").get_data(as_text=True)
    assert 'http-equiv="refresh"' not in quiet and "js/progress.js" not in quiet
    run = _running(conversation)
    html = client.get(f"/conversations/{conversation.id}/themes").get_data(as_text=True)
    assert "The themes are being updated" in html and "Reading the ideas: 40 of 90" in html
    assert '<noscript><meta http-equiv="refresh" content="15"></noscript>' in html
    assert f'data-progress-url="/api/v1/conversations/{conversation.id}/themes/progress"' in html
    assert '<progress id="run-progress-bar" max="100"' in html and 'for="run-progress-bar"' in html
    assert "js/progress.js" in html and "<script>" not in html
    run.status = RunStatus.SUCCEEDED
    db.session.commit()
    assert "being updated" not in client.get(f"/conversations/{conversation.id}/themes").get_data(as_text=True)


def test_progress_endpoint_follows_the_run_and_hides_other_conversations(client, login, make_user, make_org,
                                                                         make_conversation):
    conversation = make_conversation()
    login(make_user())
    url = f"/api/v1/conversations/{conversation.id}/themes/progress"
    assert client.get(url).json == {"pending": None, "current_run_id": None}
    run = _running(conversation, 3, 10)
    body = client.get(url).json
    assert body["pending"] == {"run_id": run.id, "status": "running", "stage": "representing", "done": 3,
                               "total": 10, "percent": 23, "text": "Reading the ideas: 3 of 10"}
    progress.reporter(run.id)("labelling", 10, 10)
    assert client.get(url).json["pending"]["text"] == "Naming the themes"
    elsewhere = make_conversation(organisation=make_org("Hillside Trust"))
    assert client.get(f"/api/v1/conversations/{elsewhere.id}/themes/progress").status_code == 404
    client.get("/auth/sign-out")


def test_theme_board_shows_progress_for_leads(client, login, make_user, make_conversation):
    conversation = make_conversation()
    login(make_user("lead"))
    assert "being updated" not in client.get(f"/manage/conversations/{conversation.id}").get_data(as_text=True)
    _running(conversation, 0, 0)
    html = client.get(f"/manage/conversations/{conversation.id}").get_data(as_text=True)
    assert "The themes are being updated" in html and "Reading the ideas" in html
    assert '<noscript><meta http-equiv="refresh"' in html and "js/progress.js" in html


def test_live_board_and_presenter_carry_the_themes_hooks(client, login, make_user, make_conversation):
    from app.services.workshops import session

    conversation = make_conversation()
    session.set_phase(conversation, "review")
    login(make_user("facilitator"))
    board = client.get(f"/conversations/{conversation.id}/live").get_data(as_text=True)
    assert "data-live-themes" in board and "data-live-themes-empty" in board and "Reload the board</a> to see the latest themes" in board
    presenter = client.get(f"/facilitate/conversations/{conversation.id}/present").get_data(as_text=True)
    assert "data-live-themes" in presenter
    assert '<noscript><meta http-equiv="refresh" content="30"></noscript>' in presenter
    session.set_phase(conversation, "vote")
    presenter = client.get(f"/facilitate/conversations/{conversation.id}/present").get_data(as_text=True)
    assert 'http-equiv="refresh"' not in presenter
