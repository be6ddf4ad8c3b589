"""Rule A5: theme and opinion runs around a post leave nothing in a dump that dates it finer than the hour.

A post's row says only its hour. Runs every few seconds, each keeping its exact time and its own list of the ideas
it saw, would bracket the post to seconds: "in the run of 10:14:07, not in the run of 10:14:04".
"""

from __future__ import annotations

import warnings
from datetime import datetime
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import SAWarning

from app.extensions import db
from app.models import ThemeAssignment, ThemeRun
from app.services.content import ideas
from app.services.opinions import runs as opinion_runs
from app.services.themes import runs as theme_runs
from app.services.content import voting
from app.services.common.errors import ServiceError
from tests.anonymity import dumps
from tests.conftest import csrf_token

PARKING = [f"Free staff car parking for night shifts, please ({n})" for n in range(5)]
FOOD = [f"Hot food in the canteen after midnight for night staff ({n})" for n in range(5)]


def _dump() -> dumps.Dump:
    """dumps.dump(), without SQLAlchemy's warning about the conversation <-> theme_run foreign-key cycle."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SAWarning)
        return dumps.dump()


def _finer_than_hour(before: dumps.Dump, after: dumps.Dump) -> list[tuple[str, str, Any]]:
    """Every time in a row written or changed since `before` that is not a whole hour (values already there before
    in the same column, such as when the conversation was created, are not news)."""
    found = []
    for table in dumps.changed_tables(before, after):
        old = {(name, value) for row in before.get(table, []) for name, value in row.items()}
        for row in dumps.added_rows(before, after, table):
            for name, value in row.items():
                if isinstance(value, datetime) and (name, value) not in old and \
                        (value.minute, value.second, value.microsecond) != (0, 0, 0):
                    found.append((table, name, value))
    return found


def test_runs_around_a_post_keep_only_the_hour_and_only_two_runs(make_user, make_conversation, as_participant):
    conversation = make_conversation(voting_mode="agree")
    question = conversation.questions[0].id
    person = as_participant(make_user())
    voters = [as_participant(make_user()) for _ in range(3)]
    for text in PARKING[:4] + FOOD[:4]:
        ideas.post_idea(person, question, text)
    before = _dump()

    # Runs at arbitrary moments, with posts between them: each run sees one more idea than the one before.
    for text in PARKING[4:] + FOOD[4:] + ["Lockers that work for every night shift"]:
        theme_runs.request_theme_run(conversation.id, trigger="schedule")  # the inline runner computes it at once
        idea, _ = ideas.post_idea(person, question, text)
        for n, voter in enumerate(voters):
            voting.cast_vote(voter, idea.id, ("agree", "disagree", "pass")[(n + len(text)) % 3])
        opinion_runs.request_opinion_run(conversation.id)
    theme_runs.request_theme_run(conversation.id, trigger="schedule")
    after = _dump()

    assert not _finer_than_hour(before, after), "a run record dates content finer than the hour"
    runs = [row for row in after["theme_run"] if row["conversation_id"] == conversation.id]
    assert len(runs) <= 2, "only the current run and the one before it are kept"
    current = db.session.get(type(conversation), conversation.id).current_theme_run_id
    assert current in {row["id"] for row in runs}
    # Only the current run says which idea is in which theme; the run before it keeps its theme sizes only.
    assert {row["run_id"] for row in after["theme_assignment"]} == {current}
    assert len([r for r in after["opinion_run"] if r["conversation_id"] == conversation.id]) == 1


def test_a_stuck_run_is_still_reported_without_exact_times(make_user, make_conversation, as_participant, monkeypatch):
    from datetime import timedelta

    from app.models import RunStatus
    from app.models.base import this_hour
    from app.services.themes import reading

    conversation = make_conversation()
    person = as_participant(make_user())
    for text in PARKING + FOOD:
        ideas.post_idea(person, conversation.questions[0].id, text)
    first = theme_runs.request_theme_run(conversation.id, trigger="schedule")
    # Queued in this hour: its worker may still be busy, so it is neither reported nor replaced.
    pending = ThemeRun(conversation_id=conversation.id, status=RunStatus.RUNNING)
    db.session.add(pending)
    db.session.commit()
    assert pending.created_at == this_hour()
    view = reading.themes_for(person, conversation.id)
    assert view.pending.id == pending.id and view.latest_failed is None
    assert theme_runs.request_theme_run(conversation.id).id == pending.id
    # Two hours on, the same run is reported as stuck and a new one can start.
    pending.created_at = this_hour() - timedelta(hours=2)
    db.session.commit()
    view = reading.themes_for(person, conversation.id)
    assert view.latest_failed.id == pending.id and view.run.id == first.id
    import app.jobs

    queued: list[tuple] = []
    monkeypatch.setattr(app.jobs, "enqueue", lambda name, *args: queued.append((name, *args)))
    stuck = pending.id
    fresh = theme_runs.request_theme_run(conversation.id)
    assert fresh.id != stuck and queued == [("themes.run", fresh.id)]
    assert db.session.get(ThemeRun, stuck).status == RunStatus.FAILED
    assert "did not finish" in db.session.get(ThemeRun, stuck).error
    theme_runs.execute_theme_run(fresh.id)
    db.session.expire_all()
    # Once a newer run succeeds, the failure has nothing left to report and is forgotten with the oldest run.
    assert db.session.get(ThemeRun, stuck) is None and db.session.get(ThemeRun, first.id) is not None


def test_on_demand_runs_are_refused_when_too_frequent(app, client, make_user, make_conversation, as_participant):
    conversation = make_conversation()
    person = as_participant(make_user())
    for text in PARKING + FOOD:
        ideas.post_idea(person, conversation.questions[0].id, text)
    facilitator = make_user("facilitator")
    token = csrf_token(client)
    client.post("/auth/sign-in", data={"email": facilitator.email, "password": "correct-horse-battery",
                                       "csrf_token": token})
    token = csrf_token(client, "/")
    url = f"/conversations/{conversation.id}/themes/run"
    assert client.post(url, data={"csrf_token": token}).status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ThemeRun)) == 1

    response = client.post(url, data={"csrf_token": token}, follow_redirects=True)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Themes can be updated on request at most once every" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ThemeRun)) == 1, "the second run was refused"

    # The service refuses too (the API and the change-hub board use it), with a message safe to show.
    with pytest.raises(ServiceError) as refused:
        theme_runs.request_on_demand_run(conversation.id)
    assert refused.value.status == 429 and "You can ask again from" in refused.value.message
    # Scheduled runs are not on demand and are not refused; forgetting old runs does not forget the limit.
    for _ in range(3):
        assert theme_runs.request_theme_run(conversation.id, trigger="schedule").trigger == "schedule"
    with pytest.raises(ServiceError):
        theme_runs.request_on_demand_run(conversation.id)
    runs = db.session.scalars(sa.select(ThemeRun).order_by(ThemeRun.id)).all()
    assert [r.trigger for r in runs] == ["manual", "schedule", "schedule"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ThemeAssignment).where(
        ThemeAssignment.run_id == runs[0].id)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ThemeAssignment).where(
        ThemeAssignment.run_id == db.session.get(type(conversation), conversation.id).current_theme_run_id)) == 10
