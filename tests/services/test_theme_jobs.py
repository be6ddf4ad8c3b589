"""Background work for themes: embeddings once per idea (one job per conversation), theme runs on a real RQ worker."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Conversation, Idea, IdeaVector, RunStatus, ThemeRun
from app.services.content import ideas
from app.services.themes import runs as theme_runs
from app.services.themes import reading

IDEAS = [f"Free staff parking for night shift workers, idea {n}" for n in range(6)] + \
        [f"Hot food in the canteen after midnight, idea {n}" for n in range(6)]


@pytest.fixture
def fake_embeddings(app, monkeypatch):
    """A stand-in for MiniLM (the real model is optional and slow): counts every text it embeds."""
    import nlp.represent

    seen: list[str] = []

    def embed_many(texts):  # type: ignore[no-untyped-def]
        seen.extend(texts)
        rows = []
        for text in texts:
            rng = np.random.default_rng(int(hashlib.sha1(text.split(",")[0].encode()).hexdigest()[:8], 16))
            rows.append(rng.normal(size=16) + 0.01 * len(text))
        vectors = np.asarray(rows, dtype=np.float32)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)

    monkeypatch.setattr(nlp.represent, "embeddings_available", lambda: True)
    monkeypatch.setattr(nlp.represent, "embed_many", embed_many)
    import nlp.themes

    monkeypatch.setattr(nlp.themes, "embed_many", embed_many)
    monkeypatch.setattr(nlp.themes, "embeddings_available", lambda: True)
    from app.services.frameworks import mapping

    # The framework wording's embeddings are cached per process: start each test without another test's.
    monkeypatch.setattr(mapping, "_element_cache", {})
    app.config["CHORUS_THEMES_BACKEND"] = "minilm"
    return seen


def _vector_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(IdeaVector)) or 0


def test_each_idea_is_embedded_once_on_arrival_and_never_by_a_rerun(fake_embeddings, make_user, make_conversation,
                                                                     as_participant):
    from app.services.frameworks import catalogue, mapping
    from nlp.frameworks import element_texts

    mapping._element_cache.clear()
    conversation = make_conversation()
    person = as_participant(make_user())
    posted = [ideas.post_idea(person, conversation.questions[0].id, text)[0] for text in IDEAS]
    assert fake_embeddings == IDEAS and _vector_count() == len(IDEAS)  # the job ran once per idea (inline runner)

    first = theme_runs.request_theme_run(conversation.id)
    second = theme_runs.request_theme_run(conversation.id)
    for run in (first, second):
        db.session.refresh(run)
        assert run.status == RunStatus.SUCCEEDED and run.backend == "minilm"
    # No run recomputed a stored idea vector; the framework's wording (frameworks/mapping.py) is embedded once.
    wording = element_texts(mapping.elements_of(catalogue.default_framework()))
    assert fake_embeddings[:len(IDEAS)] == IDEAS and fake_embeddings[len(IDEAS):] == wording

    ideas.edit_idea(person, posted[0].id, "Free staff parking for night shift workers, cheaper please")
    assert fake_embeddings[-1].endswith("cheaper please") and _vector_count() == len(IDEAS)
    ideas.withdraw_idea(person, posted[1].id)
    assert db.session.get(IdeaVector, (posted[1].id, "minilm")) is None  # nothing of a withdrawn idea is kept
    assert len(fake_embeddings) == len(IDEAS) + len(wording) + 1


def test_a_run_embeds_only_ideas_that_arrived_without_a_vector(fake_embeddings, app, make_user, make_conversation,
                                                                 as_participant):
    conversation = make_conversation()
    person = as_participant(make_user())
    app.config["CHORUS_THEMES_BACKEND"] = "tfidf-lsa"  # embeddings switched off while these arrive
    for text in IDEAS:
        ideas.post_idea(person, conversation.questions[0].id, text)
    assert fake_embeddings == []
    app.config["CHORUS_THEMES_BACKEND"] = "minilm"
    run = theme_runs.request_theme_run(conversation.id)
    db.session.refresh(run)
    assert run.status == RunStatus.SUCCEEDED
    from app.services.frameworks import catalogue, mapping
    from nlp.frameworks import element_texts

    wording = set(element_texts(mapping.elements_of(catalogue.default_framework())))  # the run maps onto it too
    assert sorted(t for t in fake_embeddings if t not in wording) == sorted(IDEAS) and _vector_count() == len(IDEAS)


def test_the_conversation_job_catches_up_ideas_that_arrived_without_a_vector(fake_embeddings, app, make_user,
                                                                             make_conversation, as_participant):
    conversation = make_conversation()
    person = as_participant(make_user())
    app.config["CHORUS_THEMES_BACKEND"] = "tfidf-lsa"
    for text in IDEAS[:4]:
        ideas.post_idea(person, conversation.questions[0].id, text)
    app.config["CHORUS_THEMES_BACKEND"] = "minilm"
    ideas.post_idea(person, conversation.questions[0].id, IDEAS[4])
    # One job embeds every idea of the conversation that has no vector, each exactly once.
    assert sorted(fake_embeddings) == sorted(IDEAS[:5]) and _vector_count() == 5


def test_a_theme_run_on_a_real_rq_worker(app, redis_url, make_user, make_conversation, as_participant):
    from redis import Redis
    from rq import SimpleWorker

    from app.jobs import queue

    conversation = make_conversation()
    conversation_id = conversation.id
    person = as_participant(make_user())
    for text in IDEAS:
        ideas.post_idea(person, conversation.questions[0].id, text)
    app.config.update(CHORUS_JOBS="rq", REDIS_URL=redis_url)
    jobs = queue(redis_url)
    jobs.empty()
    run_id = theme_runs.request_theme_run(conversation_id).id
    assert db.session.get(ThemeRun, run_id).status == RunStatus.QUEUED and jobs.count == 1
    assert jobs.jobs[0].args == ("themes.run", run_id)  # the payload is the run id alone
    SimpleWorker([jobs], connection=Redis.from_url(redis_url)).work(burst=True)
    run = db.session.get(ThemeRun, run_id)
    assert run.status == RunStatus.SUCCEEDED and run.theme_count >= 2 and run.idea_count == len(IDEAS)
    assert db.session.get(Conversation, conversation_id).current_theme_run_id == run_id  # switched by the worker
    assert jobs.count == 0


def test_scheduler_tick_queues_runs_for_open_conversations(app, make_user, make_conversation, as_participant):
    from app.jobs.scheduler import tick

    conversation = make_conversation()
    person = as_participant(make_user())
    for text in IDEAS:
        ideas.post_idea(person, conversation.questions[0].id, text)
    tick(app)
    runs = db.session.scalars(sa.select(ThemeRun).where(ThemeRun.conversation_id == conversation.id)).all()
    assert [(r.trigger, r.status) for r in runs] == [("schedule", RunStatus.SUCCEEDED)]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Idea)) == len(IDEAS)


def test_a_run_whose_worker_died_is_reported_and_replaced(app, make_user, make_conversation, as_participant):
    from datetime import timedelta

    from app.models.base import utcnow

    conversation = make_conversation()
    person = as_participant(make_user())
    for text in IDEAS:
        ideas.post_idea(person, conversation.questions[0].id, text)
    first = theme_runs.request_theme_run(conversation.id)
    stuck = ThemeRun(conversation_id=conversation.id, status=RunStatus.RUNNING, created_at=utcnow() - timedelta(hours=2))
    db.session.add(stuck)
    db.session.commit()
    view = reading.themes_for(person, conversation.id)
    assert view.latest_failed.id == stuck.id and view.pending is None and view.run.id == first.id and view.cards
    stuck_id = stuck.id
    fresh = theme_runs.request_theme_run(conversation.id)
    # The stuck run was recorded as failed, then forgotten once the fresh run succeeded (rule A5: keep only
    # the current run and the one before it); tests/anonymity/test_run_history.py sees the failure message.
    db.session.expire_all()
    assert fresh.id != stuck_id and db.session.get(ThemeRun, stuck_id) is None
    assert db.session.get(ThemeRun, fresh.id).status == RunStatus.SUCCEEDED
