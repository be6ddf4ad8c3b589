"""Issue #17.3/#17.4: a Redis outage delays work and never strands it; a dead worker's run fails and frees the slot."""

from __future__ import annotations

import sqlalchemy as sa
from redis import Redis
from rq import SimpleWorker

from app.extensions import db
from app.jobs import outbox, queue
from app.jobs.scheduler import tick
from app.models import JobOutbox, RunStatus, ThemeRun
from app.services.content import ideas
from app.services.themes import runs as theme_runs
from tests.services.test_theme_jobs import IDEAS

DOWN = "redis://127.0.0.1:1/0"  # nothing listens on port 1: connection refused at once


def _conversation_with_ideas(make_conversation, make_user, as_participant) -> int:  # type: ignore[no-untyped-def]
    conversation = make_conversation()
    person = as_participant(make_user())
    for text in IDEAS:
        ideas.post_idea(person, conversation.questions[0].id, text)
    return conversation.id


def _outbox(job: str = "themes.run") -> list[tuple[str, int]]:
    return [tuple(row) for row in db.session.execute(
        sa.select(JobOutbox.job, JobOutbox.target_id).where(JobOutbox.job == job))]


def test_a_run_asked_for_while_redis_is_down_waits_in_the_outbox_then_runs(
        app, redis_url, make_user, make_conversation, as_participant):  # type: ignore[no-untyped-def]
    conversation_id = _conversation_with_ideas(make_conversation, make_user, as_participant)
    app.config.update(CHORUS_JOBS="rq", REDIS_URL=DOWN, CHORUS_REDIS_TIMEOUT_SECONDS=1)
    run_id = theme_runs.request_theme_run(conversation_id).id  # before: redis.ConnectionError after the commit
    assert db.session.get(ThemeRun, run_id).status == RunStatus.QUEUED
    assert _outbox() == [("themes.run", run_id)]  # the job's name and the run id: nothing else
    tick(app)  # Redis still down: the row stays, and the run is not failed (its job is merely waiting)
    assert _outbox() == [("themes.run", run_id)] and db.session.get(ThemeRun, run_id).status == RunStatus.QUEUED

    app.config["REDIS_URL"] = redis_url  # Redis is back
    jobs = queue(redis_url)
    jobs.empty()
    assert outbox.dispatch() >= 1 and _outbox() == [] and ("themes.run", run_id) in [job.args for job in jobs.jobs]
    SimpleWorker([jobs], connection=Redis.from_url(redis_url)).work(burst=True)
    db.session.expire_all()
    assert db.session.get(ThemeRun, run_id).status == RunStatus.SUCCEEDED


def test_the_scheduler_tick_queues_what_waited(app, redis_url, make_user, make_conversation, as_participant):  # type: ignore[no-untyped-def]
    conversation_id = _conversation_with_ideas(make_conversation, make_user, as_participant)
    app.config.update(CHORUS_JOBS="rq", REDIS_URL=DOWN, CHORUS_REDIS_TIMEOUT_SECONDS=1)
    run_id = theme_runs.request_theme_run(conversation_id).id
    app.config["REDIS_URL"] = redis_url
    jobs = queue(redis_url)
    jobs.empty()
    tick(app)
    assert _outbox() == [] and ("themes.run", run_id) in [job.args for job in jobs.jobs]
    jobs.empty()


def test_asking_twice_makes_one_outbox_row(app, make_conversation):  # type: ignore[no-untyped-def]
    conversation = make_conversation()
    app.config.update(CHORUS_JOBS="rq", REDIS_URL=DOWN, CHORUS_REDIS_TIMEOUT_SECONDS=1)
    outbox.defer("participation.snapshot", conversation.id)
    outbox.defer("participation.snapshot", conversation.id)
    db.session.commit()
    assert _outbox("participation.snapshot") == [("participation.snapshot", conversation.id)]


def test_a_running_run_without_a_heartbeat_fails_and_the_next_starts(
        app, redis_url, make_user, make_conversation, as_participant):  # type: ignore[no-untyped-def]
    conversation_id = _conversation_with_ideas(make_conversation, make_user, as_participant)
    app.config.update(CHORUS_JOBS="rq", REDIS_URL=redis_url)
    queue(redis_url).empty()
    run_id = theme_runs.request_theme_run(conversation_id).id
    # The worker took the job, marked the run running, and was killed: no heartbeat key is left in Redis.
    db.session.get(ThemeRun, run_id).status = RunStatus.RUNNING
    db.session.commit()
    queue(redis_url).empty()
    assert theme_runs.fail_dead_runs() == [run_id]
    run = db.session.get(ThemeRun, run_id)
    assert run.status == RunStatus.FAILED and "worker stopped" in run.error
    assert theme_runs.request_theme_run(conversation_id).id != run_id  # the conversation is free again
    queue(redis_url).empty()


def test_a_live_or_waiting_run_is_left_alone(app, redis_url, make_user, make_conversation, as_participant):  # type: ignore[no-untyped-def]
    from app.jobs.liveness import heartbeat

    conversation_id = _conversation_with_ideas(make_conversation, make_user, as_participant)
    app.config.update(CHORUS_JOBS="rq", REDIS_URL=redis_url, CHORUS_JOB_HEARTBEAT_SECONDS=60)
    queue(redis_url).empty()
    run_id = theme_runs.request_theme_run(conversation_id).id
    assert theme_runs.fail_dead_runs() == []  # queued in RQ: alive
    db.session.get(ThemeRun, run_id).status = RunStatus.RUNNING
    db.session.commit()
    with heartbeat("themes.run", (run_id,)):  # a worker is running it
        assert theme_runs.fail_dead_runs() == []
    assert theme_runs.fail_dead_runs() == [run_id]  # the beats stopped without the run finishing
    queue(redis_url).empty()


def test_a_queued_run_whose_job_was_lost_fails(app, redis_url, make_user, make_conversation, as_participant):  # type: ignore[no-untyped-def]
    conversation_id = _conversation_with_ideas(make_conversation, make_user, as_participant)
    app.config.update(CHORUS_JOBS="rq", REDIS_URL=redis_url)
    run_id = theme_runs.request_theme_run(conversation_id).id
    queue(redis_url).empty()  # e.g. Redis restarted without persistence
    assert theme_runs.fail_dead_runs() == [run_id]


def test_when_redis_cannot_tell_nothing_is_failed(app, make_user, make_conversation, as_participant):  # type: ignore[no-untyped-def]
    conversation_id = _conversation_with_ideas(make_conversation, make_user, as_participant)
    app.config.update(CHORUS_JOBS="rq", REDIS_URL=DOWN, CHORUS_REDIS_TIMEOUT_SECONDS=1)
    run_id = theme_runs.request_theme_run(conversation_id).id
    db.session.execute(sa.delete(JobOutbox))
    db.session.get(ThemeRun, run_id).status = RunStatus.RUNNING
    db.session.commit()
    assert theme_runs.fail_dead_runs() == []


def test_a_run_is_alive_from_its_first_moment_however_late_the_beater_thread_starts(
        app, redis_url, make_user, make_conversation, as_participant, monkeypatch):  # type: ignore[no-untyped-def]
    """CI under load: the beater thread had not run yet when the tick asked, so a live run was failed."""
    import threading

    from app.jobs import liveness

    class LateThread(threading.Thread):  # the scheduler has not given the beater any time yet
        def start(self) -> None:
            pass

    conversation_id = _conversation_with_ideas(make_conversation, make_user, as_participant)
    app.config.update(CHORUS_JOBS="rq", REDIS_URL=redis_url, CHORUS_JOB_HEARTBEAT_SECONDS=60)
    queue(redis_url).empty()
    run_id = theme_runs.request_theme_run(conversation_id).id
    db.session.get(ThemeRun, run_id).status = RunStatus.RUNNING
    db.session.commit()
    monkeypatch.setattr(liveness.threading, "Thread", LateThread)
    monkeypatch.setattr(LateThread, "join", lambda self, timeout=None: None)
    with liveness.heartbeat("themes.run", (run_id,)):
        assert theme_runs.fail_dead_runs() == []
    queue(redis_url).empty()
