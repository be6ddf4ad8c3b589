"""A theme run's stage and progress (n of N) are stored on its row as it goes, and boards hear when it finishes."""

from __future__ import annotations

import json

import sqlalchemy as sa

from app.extensions import db
from app.models import LiveEvent, RunStatus, ThemeRun
from app.services.content import ideas
from app.services.themes import pending as run_status, progress
from app.services.themes import runs as theme_runs

IDEAS = [f"Free staff parking for night shift workers, idea {n}" for n in range(8)] + \
         [f"Hot food in the canteen after midnight, idea {n}" for n in range(8)]


def _post_all(conversation, person) -> None:  # type: ignore[no-untyped-def]
    for text in IDEAS:
        ideas.post_idea(person, conversation.questions[0].id, text)


def test_a_run_stores_each_stage_and_ends_done(app, monkeypatch, make_conversation, make_user, as_participant):
    conversation = make_conversation()
    _post_all(conversation, as_participant(make_user()))
    stored: list[tuple[str, int, int]] = []
    real = progress.reporter

    def watching(run_id: int):  # type: ignore[no-untyped-def]
        report = real(run_id)

        def check(stage: str, done: int, total: int) -> None:
            report(stage, done, total)
            # Committed at once: a fresh connection (another request) sees it while the run goes on.
            with db.engine.connect() as other:
                row = other.execute(sa.select(ThemeRun.stage, ThemeRun.progress_done, ThemeRun.progress_total)
                                    .where(ThemeRun.id == run_id)).one()
            stored.append(tuple(row))

        return check

    monkeypatch.setattr(progress, "reporter", watching)
    run = theme_runs.request_theme_run(conversation.id)
    db.session.expire_all()
    run = db.session.get_one(ThemeRun, run.id)
    assert run.status == RunStatus.SUCCEEDED and run.stage == progress.DONE
    assert stored[0] == ("representing", 0, len(IDEAS)) and ("representing", len(IDEAS), len(IDEAS)) in stored
    assert [s for s, _, _ in stored][-2:] == ["clustering", "labelling"]
    assert run_status.pending_for(conversation.id) is None
    assert progress.of(run).percent == 100


def test_pending_progress_reads_in_plain_english(app, make_conversation):
    conversation = make_conversation()
    run = ThemeRun(conversation_id=conversation.id, status=RunStatus.RUNNING)
    db.session.add(run)
    db.session.commit()
    assert run_status.pending_for(conversation.id).text == "Waiting to start"
    progress.reporter(run.id)("representing", 120, 450)
    pending = run_status.pending_for(conversation.id)
    assert pending is not None and pending.text == "Reading the ideas: 120 of 450" and 5 < pending.percent < 70
    progress.reporter(run.id)("clustering", 450, 450)
    assert run_status.pending_for(conversation.id).text == "Grouping similar ideas"


def test_a_finished_run_tells_live_boards_its_themes(app, make_conversation, make_user, as_participant):
    conversation = make_conversation()
    _post_all(conversation, as_participant(make_user()))
    run = theme_runs.request_theme_run(conversation.id)
    events = db.session.scalars(sa.select(LiveEvent).where(LiveEvent.conversation_id == conversation.id,
                                                           LiveEvent.type == "themes")).all()
    assert len(events) == 1
    payload = json.loads(events[0].payload)
    assert payload["run_id"] == run.id and payload["themes"]
    assert sum(t["size"] for t in payload["themes"]) <= len(IDEAS)
    assert set(payload["themes"][0]) == {"label", "size"}  # names and sizes only: no idea, author or time
    sizes = [t["size"] for t in payload["themes"]]
    assert sizes == sorted(sizes, reverse=True)


def test_a_failed_run_tells_no_board(app, monkeypatch, make_conversation, make_user, as_participant):
    conversation = make_conversation()
    _post_all(conversation, as_participant(make_user()))
    import nlp.themes

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("boom")

    monkeypatch.setattr(nlp.themes, "find_themes", broken)
    run = theme_runs.request_theme_run(conversation.id)
    db.session.expire_all()
    assert db.session.get_one(ThemeRun, run.id).status == RunStatus.FAILED
    assert not db.session.scalar(sa.select(sa.func.count()).select_from(LiveEvent).where(LiveEvent.type == "themes"))
    assert run_status.pending_for(conversation.id) is None


def test_reading_progress_is_paced_but_stage_changes_are_stored_at_once(app, make_conversation):
    conversation = make_conversation()
    run = ThemeRun(conversation_id=conversation.id, status=RunStatus.RUNNING)
    db.session.add(run)
    db.session.commit()
    report = progress.reporter(run.id, every=3600)  # an hour: only stage changes and the end of reading get through

    def stored() -> tuple:  # type: ignore[type-arg]
        with db.engine.connect() as other:
            return tuple(other.execute(sa.select(ThemeRun.stage, ThemeRun.progress_done)
                                       .where(ThemeRun.id == run.id)).one())

    report("representing", 0, 10)
    report("representing", 5, 10)
    assert stored() == ("representing", 0)
    report("representing", 10, 10)
    assert stored() == ("representing", 10)
    report("clustering", 10, 10)
    assert stored() == ("clustering", 10)
