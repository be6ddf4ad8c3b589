"""The opinion groups page: the stored result at once, a notice while it is updated, no JavaScript needed."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from app.extensions import db
from app.models import OpinionRun, RunStatus
from app.services.moderation import decisions
from app.services.opinions import runs
from app.services.content import voting
from app.templating import minutes_ago
from tests.services.test_opinion_runs import queued_jobs, seed_two_camps  # noqa: F401 (a fixture)
from tests.web.test_themes_pages import _login_other


def _page(client, conversation_id: int) -> str:  # type: ignore[no-untyped-def]
    response = client.get(f"/conversations/{conversation_id}/opinions")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_first_visit_queues_a_run_and_says_so(client, login, make_user, make_conversation, as_participant,
                                                  queued_jobs):  # noqa: F811
    conversation, _ = seed_two_camps(make_user, make_conversation, as_participant)
    login(make_user())
    html = _page(client, conversation.id)
    assert "Opinion groups have not been worked out for this conversation yet" in html
    assert "Chorus is working them out now: refresh the page in a minute" in html and "Group 1" not in html
    html = _page(client, conversation.id)
    assert len(queued_jobs) == 1 and "working them out now" in html
    runs.execute_opinion_run(queued_jobs[0][1])
    html = _page(client, conversation.id)
    assert "Updated in the last hour" in html and "Group 1: 12 people" in html
    assert "working them out" not in html and "being updated" not in html and len(queued_jobs) == 1


def test_new_votes_show_the_stored_groups_with_a_polite_notice(app, client, login, make_user, make_conversation,
                                                               as_participant, queued_jobs):  # noqa: F811
    conversation, posted = seed_two_camps(make_user, make_conversation, as_participant)
    app.config["CHORUS_OPINIONS_INTERVAL_MINUTES"] = 0
    runs.execute_opinion_run(runs.request_opinion_run(conversation.id).id)
    voting.cast_vote(as_participant(make_user()), posted[0].id, "agree")
    login(make_user())
    html = _page(client, conversation.id)
    assert "Opinion groups are being updated with the latest votes. Refresh the page in a minute" in html
    assert "Group 1: 12 people" in html and "24 of 24 people who voted are grouped" in html
    assert len(queued_jobs) == 2


def test_a_failed_update_is_shown_to_facilitators_only(client, make_user, make_conversation, as_participant,
                                                       monkeypatch):
    conversation, posted = seed_two_camps(make_user, make_conversation, as_participant)
    runs.request_opinion_run(conversation.id)
    voting.cast_vote(as_participant(make_user()), posted[0].id, "agree")
    import nlp.opinions

    monkeypatch.setattr(nlp.opinions, "opinion_groups", lambda *a, **k: (_ for _ in ()).throw(ValueError("boom")))
    # No wait before the next run: the visit queues it (inline here) and it fails.
    client.application.config["CHORUS_OPINIONS_INTERVAL_MINUTES"] = 0
    _login_other(client, make_user())
    staff = _page(client, conversation.id)
    statuses = db.session.scalars(sa.select(OpinionRun.status).order_by(OpinionRun.id)).all()
    assert statuses == [RunStatus.SUCCEEDED, RunStatus.FAILED]
    assert "Group 1: 12 people" in staff and "failed" not in staff
    other = client.application.test_client()
    _login_other(other, make_user("facilitator"))
    html = _page(other, conversation.id)
    assert "The last update of the opinion groups failed" in html and "(ValueError)" in html
    assert "The groups below are from the update before it" in html and "Group 1: 12 people" in html


def test_a_hidden_idea_leaves_the_page_before_the_next_run(client, login, make_user, make_conversation,
                                                           as_participant, monkeypatch):
    conversation, posted = seed_two_camps(make_user, make_conversation, as_participant)
    runs.request_opinion_run(conversation.id)
    decisions.hide_item(conversation, make_user("facilitator").id, "idea", posted[6].id, "off_topic", "")
    import nlp.opinions

    monkeypatch.setattr(nlp.opinions, "opinion_groups", lambda *a, **k: (_ for _ in ()).throw(ValueError("boom")))
    login(make_user())
    html = _page(client, conversation.id)
    assert _link(posted[7]) in html and _link(posted[6]) not in html
    assert db.session.scalars(sa.select(OpinionRun.status)).all() == [RunStatus.SUCCEEDED]  # no recomputation


def _link(idea) -> str:  # type: ignore[no-untyped-def]
    return f'href="/ideas/{idea.id}"'


def test_opinion_groups_from_the_cli(runner, make_user, make_conversation, as_participant):
    conversation, _ = seed_two_camps(make_user, make_conversation, as_participant, voters=22)
    result = runner.invoke(args=["opinions", "run", str(conversation.id)])
    assert result.exit_code == 0, result.output
    assert "2 opinion groups from 22 of 22 voters on 8 ideas" in result.output
    assert db.session.scalar(sa.select(OpinionRun.trigger)) == "cli"
    missing = runner.invoke(args=["opinions", "run", "9999"])
    assert missing.exit_code != 0 and "could not find that conversation" in missing.output
    supported = make_conversation()
    refused = runner.invoke(args=["opinions", "run", str(supported.id)])
    assert refused.exit_code != 0 and "does not use agree and disagree votes" in refused.output


def test_minutes_ago_is_coarse():
    now = datetime(2026, 11, 24, 12, 0)
    assert minutes_ago(now - timedelta(seconds=30), now) == "less than a minute ago"
    assert minutes_ago(now - timedelta(minutes=1, seconds=20), now) == "1 minute ago"
    assert minutes_ago(now - timedelta(minutes=17), now) == "17 minutes ago"
    assert minutes_ago(now - timedelta(minutes=95), now) == "1 hour ago"
    assert minutes_ago(now - timedelta(hours=5), now) == "5 hours ago"
    assert minutes_ago(now - timedelta(days=3), now) == "3 days ago"
