"""Opinion groups in the background: stored as aggregates, read without computing, debounced, failures kept apart."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import Conversation, OpinionRun, RunStatus, Vote
from app.models.base import utcnow
from app.services.content import ideas
from app.services.opinions import runs
from app.services.content import voting
from app.services.common.errors import NotFound
from app.services.opinions.groups import opinion_groups_for

STATEMENTS = ["Open the staff gym at night", "Ban mobile phones in handovers", "More bank shifts at weekends",
              "Free parking for every shift", "Longer breaks on long days", "Rota published six weeks ahead",
              "Hot food at night", "Quiet rooms on every ward"]


def seed_two_camps(make_user, make_conversation, as_participant, voters: int = 24):  # type: ignore[no-untyped-def]
    """An agree/disagree conversation where two equal camps split on six ideas and all agree on the last two."""
    conversation = make_conversation(voting_mode="agree")
    author = as_participant(make_user())
    posted = [ideas.post_idea(author, conversation.questions[0].id, text)[0] for text in STATEMENTS]
    for n in range(voters):
        voter = as_participant(make_user())
        for j, idea in enumerate(posted):
            agree = j >= 6 or j % 2 == n % 2
            voting.cast_vote(voter, idea.id, "agree" if agree else "disagree")
    return conversation, posted


@pytest.fixture
def queued_jobs(monkeypatch):  # type: ignore[no-untyped-def]
    """Record enqueued jobs instead of running them, as a busy worker would leave them."""
    import app.jobs

    calls: list[tuple] = []
    monkeypatch.setattr(app.jobs, "enqueue", lambda name, *args: calls.append((name, *args)))
    return calls


def _runs(conversation_id: int) -> list[OpinionRun]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(OpinionRun).where(OpinionRun.conversation_id == conversation_id)
                                   .order_by(OpinionRun.id)))


def _forbid_computing(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import nlp.opinions

    def fail(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("opinion groups computed")

    monkeypatch.setattr(nlp.opinions, "opinion_groups", fail)


def test_a_run_stores_aggregates_and_never_a_voter_pseudonym(make_user, make_conversation, as_participant):
    conversation, posted = seed_two_camps(make_user, make_conversation, as_participant)
    run = runs.request_opinion_run(conversation.id)  # the inline runner computes it at once
    [stored] = _runs(conversation.id)
    assert stored.id == run.id and stored.status == RunStatus.SUCCEEDED and stored.trigger == "view"
    assert (stored.voters, stored.grouped, stored.ideas_voted) == (24, 24, 8)
    # The live event number read before the votes: 8 ideas and 24 * 8 votes were recorded before it.
    assert stored.vote_version == db.session.get(Conversation, conversation.id).live_seq == 8 + 24 * 8
    assert [g["size"] for g in stored.groups] == [12, 12]
    ids = {p.id for p in posted}
    for group in stored.groups:
        assert group["statements"] and {s["idea_id"] for s in group["statements"]} <= set(ids)
        assert {(s["percent_group"], s["percent_others"]) for s in group["statements"]} == {(100, 0)}
    assert {c["idea_id"] for c in stored.consensus} == {posted[6].id, posted[7].id}
    assert all(c["percents"] == [100, 100] for c in stored.consensus)
    assert {d["idea_id"] for d in stored.divisive} <= {p.id for p in posted[:6]} and stored.divisive

    pseudonyms = set(db.session.scalars(sa.select(Vote.voter)))
    assert len(pseudonyms) == 24
    table = OpinionRun.__table__
    assert not {column.name for column in table.columns} & {"voter", "pseudonym", "participant_ids", "group_of"}
    for row in db.session.execute(sa.select(table)).mappings():
        text = repr(dict(row))
        assert not any(p in text for p in pseudonyms)


def test_the_page_reads_the_stored_result_without_computing(make_user, make_conversation, as_participant,
                                                             monkeypatch):
    conversation, posted = seed_two_camps(make_user, make_conversation, as_participant)
    runs.request_opinion_run(conversation.id)
    _forbid_computing(monkeypatch)
    view = opinion_groups_for(as_participant(make_user()), conversation.id)
    assert [(card.number, card.size) for card in view.groups] == [(1, 12), (2, 12)]
    assert {s.idea.id for s in view.consensus} == {posted[6].id, posted[7].id}
    assert not view.updating and view.failed is None and len(_runs(conversation.id)) == 1


def test_changed_votes_queue_exactly_one_run_however_often_the_page_is_viewed(
        app, make_user, make_conversation, as_participant, queued_jobs, monkeypatch):
    conversation, posted = seed_two_camps(make_user, make_conversation, as_participant)
    app.config["CHORUS_OPINIONS_INTERVAL_MINUTES"] = 0  # the debounce is checked at the end
    viewer = as_participant(make_user())
    first = opinion_groups_for(viewer, conversation.id)  # first visit: nothing stored, one run queued
    assert first.run is None and first.updating
    [run] = _runs(conversation.id)
    assert queued_jobs == [("opinions.run", run.id)] and run.status == RunStatus.QUEUED
    runs.execute_opinion_run(run.id)

    voting.cast_vote(as_participant(make_user()), posted[0].id, "agree")
    import nlp.opinions

    compute = nlp.opinions.opinion_groups
    _forbid_computing(monkeypatch)  # the views below must not compute anything
    for _ in range(3):
        view = opinion_groups_for(viewer, conversation.id)
        assert view.updating and [c.size for c in view.groups] == [12, 12]  # the stored result meanwhile
    assert len(queued_jobs) == 2 and [r.status for r in _runs(conversation.id)] == [RunStatus.SUCCEEDED,
                                                                                    RunStatus.QUEUED]
    monkeypatch.setattr(nlp.opinions, "opinion_groups", compute)
    runs.execute_opinion_run(queued_jobs[-1][1])
    [latest] = _runs(conversation.id)  # the older result is forgotten once a newer one is stored
    assert latest.voters == 25 and not opinion_groups_for(viewer, conversation.id).updating

    # Debounced: another vote soon after the last run waits for the interval.
    app.config["CHORUS_OPINIONS_INTERVAL_MINUTES"] = 2
    voting.cast_vote(as_participant(make_user()), posted[1].id, "agree")
    assert not opinion_groups_for(viewer, conversation.id).updating and len(queued_jobs) == 2
    app.config["CHORUS_OPINIONS_INTERVAL_MINUTES"] = 0
    assert opinion_groups_for(viewer, conversation.id).updating and len(queued_jobs) == 3


def test_the_database_allows_one_pending_run_per_conversation(make_user, make_conversation, as_participant,
                                                               queued_jobs):
    conversation, _ = seed_two_camps(make_user, make_conversation, as_participant, voters=2)
    first = runs.request_opinion_run(conversation.id)
    assert runs.request_opinion_run(conversation.id).id == first.id and len(queued_jobs) == 1
    db.session.add(OpinionRun(conversation_id=conversation.id, status=RunStatus.RUNNING))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    # A run whose worker died long ago is recorded as failed and no longer blocks a new one. Runs keep only their
    # hour, so "long ago" means more than STALE_RUN after the end of that hour.
    db.session.get(OpinionRun, first.id).created_at = utcnow() - runs.STALE_RUN - timedelta(minutes=61)
    db.session.commit()
    second = runs.request_opinion_run(conversation.id)
    assert second.id != first.id and db.session.get(OpinionRun, first.id).status == RunStatus.FAILED


def test_a_failed_run_keeps_the_old_result_and_facilitators_are_told(app, make_user, make_conversation,
                                                                      as_participant, monkeypatch):
    conversation, posted = seed_two_camps(make_user, make_conversation, as_participant)
    runs.request_opinion_run(conversation.id)
    voting.cast_vote(as_participant(make_user()), posted[0].id, "agree")
    _forbid_computing(monkeypatch)
    app.config["CHORUS_OPINIONS_INTERVAL_MINUTES"] = 0
    staff = opinion_groups_for(as_participant(make_user()), conversation.id)  # queues; the inline run fails
    good, bad = _runs(conversation.id)
    assert good.status == RunStatus.SUCCEEDED and bad.status == RunStatus.FAILED
    assert bad.error == "The last update stopped with an error (RuntimeError)."
    assert staff.run.id == good.id and [c.size for c in staff.groups] == [12, 12] and staff.failed is None
    app.config["CHORUS_OPINIONS_INTERVAL_MINUTES"] = 2  # no retry straight away
    facilitator = opinion_groups_for(as_participant(make_user("facilitator")), conversation.id)
    assert facilitator.run.id == good.id and facilitator.failed.id == bad.id == _runs(conversation.id)[-1].id


def test_the_scheduler_refreshes_open_agree_conversations_with_new_votes(app, make_user, make_conversation,
                                                                          as_participant):
    from app.jobs.scheduler import tick

    conversation, posted = seed_two_camps(make_user, make_conversation, as_participant, voters=12)
    supported = make_conversation()
    voting.cast_vote(as_participant(make_user()), ideas.post_idea(
        as_participant(make_user()), supported.questions[0].id, "Free parking")[0].id, "support")
    tick(app)
    [run] = _runs(conversation.id)
    assert (run.trigger, run.status, run.grouped) == ("schedule", RunStatus.SUCCEEDED, 12)
    assert _runs(supported.id) == []
    app.config["CHORUS_OPINIONS_INTERVAL_MINUTES"] = 0
    tick(app)
    assert [r.id for r in _runs(conversation.id)] == [run.id]  # no new votes: nothing to do
    voting.cast_vote(as_participant(make_user()), posted[0].id, "disagree")
    tick(app)
    assert [r.voters for r in _runs(conversation.id)] == [13]


def test_only_agree_conversations_have_opinion_runs(make_user, make_conversation):
    supported = make_conversation()
    with pytest.raises(NotFound):
        runs.request_opinion_run(supported.id)
    with pytest.raises(NotFound):
        runs.request_opinion_run(987654)


def test_an_opinion_run_on_a_real_rq_worker(app, redis_url, make_user, make_conversation, as_participant):
    from redis import Redis
    from rq import SimpleWorker

    from app.jobs import queue

    conversation, _ = seed_two_camps(make_user, make_conversation, as_participant, voters=22)
    conversation_id = conversation.id  # the worker ends the session, detaching loaded objects
    app.config.update(CHORUS_JOBS="rq", REDIS_URL=redis_url)
    jobs = queue(redis_url)
    jobs.empty()
    viewer = as_participant(make_user())
    view = opinion_groups_for(viewer, conversation_id)
    [run] = _runs(conversation_id)
    assert view.updating and run.status == RunStatus.QUEUED and jobs.count == 1
    assert jobs.jobs[0].args == ("opinions.run", run.id)  # the payload is the run id alone
    SimpleWorker([jobs], connection=Redis.from_url(redis_url)).work(burst=True)
    [run] = _runs(conversation_id)
    assert run.status == RunStatus.SUCCEEDED and [g["size"] for g in run.groups] == [11, 11] and jobs.count == 0
    assert not opinion_groups_for(viewer, conversation_id).updating


def test_withdrawing_hiding_or_restoring_an_idea_makes_the_stored_groups_out_of_date(
        make_user, make_conversation, as_participant):
    from app.services.moderation import decisions

    conversation = make_conversation(voting_mode="agree")
    author = as_participant(make_user())
    posted = [ideas.post_idea(author, conversation.questions[0].id, text)[0] for text in STATEMENTS[:4]]
    for n in range(12):
        voter = as_participant(make_user())
        for idea in posted:
            voting.cast_vote(voter, idea.id, "agree" if n % 2 else "disagree")
    runs.request_opinion_run(conversation.id)
    facilitator = make_user("facilitator")

    def due() -> bool:
        return runs.is_due(db.session.get(Conversation, conversation.id), utcnow() + timedelta(hours=1))

    assert not due()
    decisions.hide_item(conversation, facilitator.id, "idea", posted[1].id, "duplicate")
    assert due()  # its votes leave the groups
    runs.request_opinion_run(conversation.id)
    assert not due()
    decisions.approve_item(conversation, facilitator.id, "idea", posted[1].id)
    assert due()  # and come back
    runs.request_opinion_run(conversation.id)
    decisions.approve_item(conversation, facilitator.id, "idea", posted[2].id)  # already published: no change
    assert not due()
    ideas.withdraw_idea(author, posted[3].id)  # its votes are deleted
    assert due()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Vote).where(Vote.idea_id == posted[3].id)) == 0
