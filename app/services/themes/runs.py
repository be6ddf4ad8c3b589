"""Theme runs: queue a run, cluster a conversation's ideas with nlp/, and switch it to the new run at once.

Each run writes its snapshots and assignments under a new run id and sets the conversation's current
run in the same transaction, so readers (app/services/themes/reading.py) never see half a run; a failed run
is recorded as failed and the previous themes stay visible.

Rule A5: runs keep only the hour they ran, only the current run and the one before it are kept (older runs'
assignments would bracket when each idea appeared), and runs asked for on demand are rate-limited.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import numpy as np
import sqlalchemy as sa
from flask import current_app

from app import jobs, live
from app.jobs import outbox as job_outbox
from app.extensions import db
from app.models import (
    ContentStatus,
    Conversation,
    ConversationStatus,
    Idea,
    RunStatus,
    Theme,
    ThemeAssignment,
    ThemeRun,
    ThemeSnapshot,
)
from app.models.base import this_hour, utcnow
from app.services.access import get_managed_conversation
from app.services.common.errors import NotAllowedNow, NotFound
from app.services.common.participants import Participant
from app.services.themes import progress
from app.services.workshops.events import themes_updated

if TYPE_CHECKING:
    from nlp.themes import ThemeRun as FoundThemes

log = logging.getLogger("chorus.themes")
STALE_RUN = timedelta(minutes=30)
STALE_MESSAGE = "The theme run did not finish (the background worker may have stopped). The previous themes are still shown."
DEAD_MESSAGE = ("The theme run stopped because its background worker stopped. The previous themes are still "
                "shown; the next run starts as usual.")
PENDING = (RunStatus.QUEUED, RunStatus.RUNNING)
ON_DEMAND = "manual"


class TooSoon(NotAllowedNow):
    """An on-demand run was asked for too soon after the last one."""

    status = 429


def stale_before(stale_after: timedelta, now: datetime | None = None) -> datetime:
    """Runs queued in an hour up to this one are stuck: a run keeps only its hour, so allow a whole hour more.

    A run stored as 10:00 may have started at 10:59; it is stuck for certain once 11:00 + stale_after has passed.
    """
    return (now or utcnow()) - stale_after - timedelta(hours=1)


def is_stale(run: ThemeRun, now: datetime | None = None) -> bool:
    """A queued or running run whose worker has certainly died (reported, and no longer blocking a new run)."""
    return run.status in PENDING and run.created_at <= stale_before(STALE_RUN, now)


def request_theme_run(conversation_id: int, trigger: str = "manual") -> ThemeRun:
    """Queue a theme run unless one is already waiting or running; returns the run."""
    pending = db.session.scalar(
        sa.select(ThemeRun).where(
            ThemeRun.conversation_id == conversation_id,
            ThemeRun.status.in_(PENDING),
            ThemeRun.created_at > stale_before(STALE_RUN),
        )
    )
    if pending is not None:
        return pending
    _expire_stale_runs(conversation_id)
    if db.session.get(Conversation, conversation_id) is None:
        raise NotFound("We could not find that conversation.")
    run = ThemeRun(conversation_id=conversation_id, trigger=trigger)
    db.session.add(run)
    db.session.flush()
    job_outbox.defer("themes.run", run.id)  # with the run: Redis being away delays it, never strands it
    db.session.commit()
    job_outbox.dispatch()
    return run


def fail_dead_runs() -> list[int]:
    """Theme runs whose worker died are recorded as failed, so the next run can start (the scheduler tick)."""
    from app.services.common.dead_runs import fail_dead_runs as fail

    return fail(ThemeRun, "themes.run", DEAD_MESSAGE)


def _expire_stale_runs(conversation_id: int) -> None:
    """Runs queued or running for longer than STALE_RUN died with their worker: record them as failed."""
    for run in db.session.scalars(sa.select(ThemeRun).where(
            ThemeRun.conversation_id == conversation_id,
            ThemeRun.status.in_(PENDING),
            ThemeRun.created_at <= stale_before(STALE_RUN))):
        run.status, run.finished_at = RunStatus.FAILED, this_hour()
        run.error = STALE_MESSAGE


def request_on_demand_run(conversation_id: int) -> ThemeRun:
    """A person asks for fresh themes now: refused (TooSoon) within CHORUS_THEMES_ON_DEMAND_MINUTES of the last.

    Runs at moments someone chooses, each listing the ideas it saw, would bracket when a post appeared. Runs keep
    only their hour, so the wait is counted from the end of that hour: the true gap is always at least the limit.
    """
    minutes = current_app.config["CHORUS_THEMES_ON_DEMAND_MINUTES"]
    latest = db.session.scalar(sa.select(sa.func.max(ThemeRun.created_at)).where(
        ThemeRun.conversation_id == conversation_id, ThemeRun.trigger == ON_DEMAND))
    if minutes > 0 and latest is not None:
        allowed = latest + timedelta(hours=1, minutes=minutes)
        if utcnow() < allowed:
            raise TooSoon(f"Themes can be updated on request at most once every {minutes} minutes, so that the "
                          f"times of updates cannot show when an idea was posted. You can ask again from "
                          f"{allowed:%H:%M} UTC. Themes are also updated automatically every hour when there are "
                          "new ideas.")
    return request_theme_run(conversation_id, trigger=ON_DEMAND)


def request_theme_run_for(participant: Participant, conversation_id: int) -> ThemeRun:
    """A facilitator or lead asks for fresh themes; NotFound for anyone else, TooSoon when too frequent."""
    conversation = get_managed_conversation(participant.facilitates, conversation_id)
    return request_on_demand_run(conversation.id)


def _previous_themes(conversation: Conversation) -> list:
    from nlp.themes import PreviousTheme

    if conversation.current_theme_run_id is None:
        return []
    rows = db.session.execute(
        sa.select(ThemeAssignment.theme_id, ThemeAssignment.idea_id).where(
            ThemeAssignment.run_id == conversation.current_theme_run_id, ThemeAssignment.theme_id.is_not(None)
        )
    ).all()
    members: dict[int, list[str]] = {}
    for theme_id, idea_id in rows:
        if theme_id is not None:  # always, by the query; the column itself is nullable
            members.setdefault(theme_id, []).append(idea_id)
    themes = db.session.scalars(sa.select(Theme).where(Theme.id.in_(members))).all()
    return [
        PreviousTheme(id=str(t.id), member_ids=members[t.id], label=t.label, pinned=t.pinned, label_locked=t.label_locked)
        for t in themes
    ]


def _cached_vectors(ideas: list[Idea]) -> dict[str, np.ndarray] | None:
    """Embeddings stored when each idea arrived; only ideas without one are embedded (and stored) here."""
    from app.services.themes.embeddings import stored_vectors

    return stored_vectors(ideas)


@jobs.job("themes.run")
def execute_theme_run(run_id: int) -> None:
    """Cluster a conversation's ideas and switch it to the new run in one transaction; never half a run."""
    from nlp.themes import Document, find_themes

    run = db.session.get(ThemeRun, run_id)
    if run is None or run.status != RunStatus.QUEUED:
        return
    run.status = RunStatus.RUNNING
    db.session.commit()
    try:
        conversation = db.session.get_one(Conversation, run.conversation_id)
        ideas = list(db.session.scalars(
            sa.select(Idea).where(Idea.conversation_id == conversation.id, Idea.status == ContentStatus.PUBLISHED)
        ))
        backend = current_app.config.get("CHORUS_THEMES_BACKEND", "auto")
        docs = [Document(id=i.id, text=i.body) for i in ideas]
        previous = _previous_themes(conversation)
        vectors = None if backend == "tfidf-lsa" else _cached_vectors(ideas)
        sentiment = {i.id: i.sentiment for i in ideas}  # plain values: progress reports commit (and expire rows)
        result = find_themes(docs, previous=previous, vectors=vectors, seed=0, backend=backend,
                             progress=progress.reporter(run_id))
        run, conversation = db.session.get_one(ThemeRun, run_id), db.session.get_one(Conversation, run.conversation_id)
        _write_run(run, conversation, sentiment, result)
        from app.services.themes.edits import apply_lead_edits

        apply_lead_edits(run)  # merges, manual placements and "not a theme" from change-hub leads
        from app.services.triage.recurring import link_to_previous_session

        link_to_previous_session(conversation, run)  # a Change Hub theme raised last session keeps its identity
        from app.services.frameworks.mapping import map_conversation

        # Onto the organisation's framework, in this transaction; the run's embeddings only if it used them.
        map_conversation(conversation, vectors if result.backend.startswith("minilm") else None)
        message = themes_updated(run)  # live boards in their review phase show the new themes
        db.session.commit()
        live.publish(message)
    except Exception as error:
        db.session.rollback()
        log.exception("Theme run %s failed", run_id)
        run = db.session.get_one(ThemeRun, run_id)
        run.status = RunStatus.FAILED
        run.error = f"The theme run stopped with an error ({type(error).__name__}). The previous themes are still shown."
        run.finished_at = this_hour()
        _forget_older_runs(run)
        db.session.commit()


def _write_run(run: ThemeRun, conversation: Conversation, sentiment: dict[str, float | None],
               result: FoundThemes) -> None:
    existing = {t.id: t for t in db.session.scalars(sa.select(Theme).where(Theme.conversation_id == conversation.id))}
    assigned: dict[str, int | None] = {idea_id: None for idea_id in sentiment}
    themed = 0
    for found in result.themes:
        theme = existing.get(int(found.previous_id)) if found.previous_id and found.previous_id.isascii() and found.previous_id.isdigit() else None
        if theme is None:
            theme = Theme(conversation_id=conversation.id, label=found.label[:120])
            db.session.add(theme)
            db.session.flush()
        elif not theme.label_locked:
            theme.label = found.label[:120]
        if theme.not_a_theme:
            continue  # a lead said this is not a theme: its ideas stay unthemed
        scores = [score for m in found.member_ids if (score := sentiment.get(m)) is not None]
        db.session.add(ThemeSnapshot(
            run_id=run.id, theme_id=theme.id, label=theme.label, top_terms=list(found.top_terms)[:10],
            quote_ids=list(found.quotes)[:3], size=len(found.member_ids), coherence=float(found.coherence),
            sentiment=float(np.mean(scores)) if scores else None,
        ))
        for member in found.member_ids:
            assigned[member] = theme.id
        themed += 1
    db.session.add_all(ThemeAssignment(run_id=run.id, idea_id=i, theme_id=t) for i, t in assigned.items())
    run.backend, run.idea_count, run.theme_count = result.backend, len(sentiment), themed
    run.unthemed_count = sum(1 for t in assigned.values() if t is None)
    run.status, run.finished_at, run.stage = RunStatus.SUCCEEDED, this_hour(), progress.DONE
    conversation.current_theme_run_id = run.id
    _forget_older_runs(run)


def _forget_older_runs(run: ThemeRun) -> None:
    """Keep the current run whole, the run before it as sizes only, and `run` if it failed; drop the rest (flushes).

    A new run is matched to the current one, so theme ids, names and lead edits live on in Theme and ThemePlan,
    and trends need only the previous run's snapshot sizes. Any other run's list of ideas would bracket when
    each idea first appeared (rule A5).
    """
    conversation = db.session.get_one(Conversation, run.conversation_id)
    current = conversation.current_theme_run_id
    done = ThemeRun.status.not_in(PENDING)
    mine = ThemeRun.conversation_id == run.conversation_id
    previous = db.session.scalar(sa.select(sa.func.max(ThemeRun.id)).where(
        mine, ThemeRun.status == RunStatus.SUCCEEDED, ThemeRun.id < (current or 0)))
    ids = set(db.session.scalars(sa.select(ThemeRun.id).where(mine, done, ThemeRun.id <= run.id))) - {current}
    # Deleted explicitly: SQLite enforces ON DELETE CASCADE only with its foreign-key pragma.
    if ids:
        db.session.execute(sa.delete(ThemeAssignment).where(ThemeAssignment.run_id.in_(ids)))
    # The newest on-demand run stays as a bare row (its hour and counts): the rate limit is counted from it.
    on_demand = db.session.scalar(sa.select(sa.func.max(ThemeRun.id)).where(mine, ThemeRun.trigger == ON_DEMAND))
    no_sizes = ids - {previous}
    if no_sizes:
        db.session.execute(sa.delete(ThemeSnapshot).where(ThemeSnapshot.run_id.in_(no_sizes)))
    gone = no_sizes - {on_demand, run.id if run.status == RunStatus.FAILED else None}
    if gone:
        db.session.execute(sa.delete(ThemeRun).where(ThemeRun.id.in_(gone)))


def due_conversations(now: datetime | None = None) -> list[int]:
    """Open conversations whose themes are older than the interval and whose ideas have changed."""
    now = now or utcnow()
    interval = timedelta(minutes=current_app.config.get("CHORUS_THEMES_INTERVAL_MINUTES", 60))
    due = []
    for conversation in db.session.scalars(sa.select(Conversation).where(Conversation.status == ConversationStatus.OPEN)):
        latest = db.session.scalar(
            sa.select(ThemeRun).where(ThemeRun.conversation_id == conversation.id).order_by(ThemeRun.id.desc()).limit(1)
        )
        if latest is not None and ((latest.status in PENDING and not is_stale(latest, now))
                                   or latest.created_at > now - interval):
            continue
        count = db.session.scalar(
            sa.select(sa.func.count()).select_from(Idea).where(
                Idea.conversation_id == conversation.id, Idea.status == ContentStatus.PUBLISHED)
        ) or 0
        current = db.session.get(ThemeRun, conversation.current_theme_run_id) if conversation.current_theme_run_id else None
        if count >= 2 and (current is None or current.idea_count != count):
            due.append(conversation.id)
    return due


def run_scheduled(now: datetime | None = None) -> list[int]:
    """Queue runs for every due conversation; returns their ids (called by the scheduler tick)."""
    due = due_conversations(now)
    for conversation_id in due:
        request_theme_run(conversation_id, trigger="schedule")
    return due
