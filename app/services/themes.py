"""The only adapter between the database and nlp/: theme runs, similar ideas and text checks."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
import sqlalchemy as sa
from flask import current_app

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
from app.models.base import utcnow
from app.services.conversations import get_conversation, get_managed_conversation, get_question
from app.services.errors import NotFound
from app.services.participants import Participant

log = logging.getLogger("chorus.themes")
STALE_RUN = timedelta(minutes=30)
STALE_MESSAGE = "The theme run did not finish (the background worker may have stopped). The previous themes are still shown."


@dataclass
class ThemeCard:
    snapshot: ThemeSnapshot
    quotes: list[Idea]


@dataclass
class ThemesView:
    conversation: Conversation
    run: ThemeRun | None
    cards: list[ThemeCard]
    unthemed: int
    latest_failed: ThemeRun | None = None
    pending: ThemeRun | None = None


@dataclass
class TextCheck:
    """What a draft's text reveals before it is posted."""

    spans: list = field(default_factory=list)  # nlp.identifying.Span
    sentiment: float = 0.0


# --- runs -------------------------------------------------------------------------------------

def request_theme_run(conversation_id: int, trigger: str = "manual") -> ThemeRun:
    """Queue a theme run unless one is already waiting or running; returns the run."""
    pending = db.session.scalar(
        sa.select(ThemeRun).where(
            ThemeRun.conversation_id == conversation_id,
            ThemeRun.status.in_([RunStatus.QUEUED, RunStatus.RUNNING]),
            ThemeRun.created_at > utcnow() - STALE_RUN,
        )
    )
    if pending is not None:
        return pending
    _expire_stale_runs(conversation_id)
    if db.session.get(Conversation, conversation_id) is None:
        raise NotFound("We could not find that conversation.")
    run = ThemeRun(conversation_id=conversation_id, trigger=trigger)
    db.session.add(run)
    db.session.commit()
    from app.jobs import enqueue

    enqueue("themes.run", run.id)
    return run


def _expire_stale_runs(conversation_id: int) -> None:
    """Runs queued or running for longer than STALE_RUN died with their worker: record them as failed."""
    for run in db.session.scalars(sa.select(ThemeRun).where(
            ThemeRun.conversation_id == conversation_id,
            ThemeRun.status.in_([RunStatus.QUEUED, RunStatus.RUNNING]),
            ThemeRun.created_at <= utcnow() - STALE_RUN)):
        run.status, run.finished_at = RunStatus.FAILED, utcnow()
        run.error = STALE_MESSAGE


def request_theme_run_for(participant: Participant, conversation_id: int) -> ThemeRun:
    """A facilitator or lead asks for fresh themes; NotFound for anyone else."""
    conversation = get_managed_conversation(participant.facilitates, conversation_id)
    return request_theme_run(conversation.id, trigger="manual")


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
        members.setdefault(theme_id, []).append(idea_id)
    themes = db.session.scalars(sa.select(Theme).where(Theme.id.in_(members))).all()
    return [
        PreviousTheme(id=str(t.id), member_ids=members[t.id], label=t.label, pinned=t.pinned, label_locked=t.label_locked)
        for t in themes
    ]


def _cached_vectors(ideas: list[Idea]) -> dict[str, np.ndarray] | None:
    """Embeddings stored when each idea arrived; only ideas without one are embedded (and stored) here."""
    from app.services.embeddings import stored_vectors

    return stored_vectors(ideas)


def execute_theme_run(run_id: int) -> None:
    """Cluster a conversation's ideas and switch it to the new run in one transaction; never half a run."""
    from nlp.themes import Document, find_themes

    run = db.session.get(ThemeRun, run_id)
    if run is None or run.status != RunStatus.QUEUED:
        return
    run.status = RunStatus.RUNNING
    db.session.commit()
    try:
        conversation = db.session.get(Conversation, run.conversation_id)
        ideas = list(db.session.scalars(
            sa.select(Idea).where(Idea.conversation_id == conversation.id, Idea.status == ContentStatus.PUBLISHED)
        ))
        backend = current_app.config.get("CHORUS_THEMES_BACKEND", "auto")
        result = find_themes(
            [Document(id=i.id, text=i.body) for i in ideas],
            previous=_previous_themes(conversation),
            vectors=None if backend == "tfidf-lsa" else _cached_vectors(ideas),
            seed=0,
            backend=backend,
        )
        _write_run(run, conversation, ideas, result)
        from app.services.theme_edits import apply_lead_edits

        apply_lead_edits(run)  # merges, manual placements and "not a theme" from change-hub leads
        db.session.commit()
    except Exception as error:
        db.session.rollback()
        log.exception("Theme run %s failed", run_id)
        run = db.session.get(ThemeRun, run_id)
        run.status = RunStatus.FAILED
        run.error = f"The theme run stopped with an error ({type(error).__name__}). The previous themes are still shown."
        run.finished_at = utcnow()
        db.session.commit()


def _write_run(run: ThemeRun, conversation: Conversation, ideas: list[Idea], result) -> None:  # type: ignore[no-untyped-def]
    sentiment = {i.id: i.sentiment for i in ideas}
    existing = {t.id: t for t in db.session.scalars(sa.select(Theme).where(Theme.conversation_id == conversation.id))}
    assigned: dict[str, int | None] = {i.id: None for i in ideas}
    themed = 0
    for found in result.themes:
        theme = existing.get(int(found.previous_id)) if found.previous_id and found.previous_id.isdigit() else None
        if theme is None:
            theme = Theme(conversation_id=conversation.id, label=found.label[:120])
            db.session.add(theme)
            db.session.flush()
        elif not theme.label_locked:
            theme.label = found.label[:120]
        if theme.not_a_theme:
            continue  # a lead said this is not a theme: its ideas stay unthemed
        scores = [sentiment[m] for m in found.member_ids if sentiment.get(m) is not None]
        db.session.add(ThemeSnapshot(
            run_id=run.id, theme_id=theme.id, label=theme.label, top_terms=list(found.top_terms)[:10],
            quote_ids=list(found.quotes)[:3], size=len(found.member_ids), coherence=float(found.coherence),
            sentiment=float(np.mean(scores)) if scores else None,
        ))
        for member in found.member_ids:
            assigned[member] = theme.id
        themed += 1
    db.session.add_all(ThemeAssignment(run_id=run.id, idea_id=i, theme_id=t) for i, t in assigned.items())
    run.backend, run.idea_count, run.theme_count = result.backend, len(ideas), themed
    run.unthemed_count = sum(1 for t in assigned.values() if t is None)
    run.status, run.finished_at = RunStatus.SUCCEEDED, utcnow()
    conversation.current_theme_run_id = run.id


def due_conversations(now: datetime | None = None) -> list[int]:
    """Open conversations whose themes are older than the interval and whose ideas have changed."""
    now = now or utcnow()
    interval = timedelta(minutes=current_app.config.get("CHORUS_THEMES_INTERVAL_MINUTES", 60))
    due = []
    for conversation in db.session.scalars(sa.select(Conversation).where(Conversation.status == ConversationStatus.OPEN)):
        latest = db.session.scalar(
            sa.select(ThemeRun).where(ThemeRun.conversation_id == conversation.id).order_by(ThemeRun.id.desc()).limit(1)
        )
        if latest is not None and (latest.status in (RunStatus.QUEUED, RunStatus.RUNNING) or latest.created_at > now - interval):
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


# --- reading -----------------------------------------------------------------------------------

def themes_for(participant: Participant, conversation_id: int) -> ThemesView:
    """The conversation's current themes, biggest first, with the quotes that represent them."""
    conversation = get_conversation(participant, conversation_id)
    runs = db.session.scalars(
        sa.select(ThemeRun).where(ThemeRun.conversation_id == conversation.id).order_by(ThemeRun.id.desc()).limit(5)
    ).all()
    current = db.session.get(ThemeRun, conversation.current_theme_run_id) if conversation.current_theme_run_id else None
    latest = runs[0] if runs else None
    view = ThemesView(conversation, current, [], current.unthemed_count if current else 0)
    if latest is not None and latest.status == RunStatus.FAILED:
        view.latest_failed = latest
    if latest is not None and latest.status in (RunStatus.QUEUED, RunStatus.RUNNING):
        if latest.created_at <= utcnow() - STALE_RUN:  # its worker died: report it, do not wait for it
            view.latest_failed = latest
        else:
            view.pending = latest
    if current is None:
        return view
    snapshots = db.session.scalars(
        sa.select(ThemeSnapshot).where(ThemeSnapshot.run_id == current.id).order_by(ThemeSnapshot.size.desc())
    ).all()
    quote_ids = {q for s in snapshots for q in s.quote_ids}
    quotes = {
        i.id: i for i in db.session.scalars(
            sa.select(Idea).where(Idea.id.in_(quote_ids), Idea.status == ContentStatus.PUBLISHED))
    }
    view.cards = [ThemeCard(s, [quotes[q] for q in s.quote_ids if q in quotes]) for s in snapshots]
    return view


def theme_idea_ids(participant: Participant, theme_id: int) -> tuple[Theme, ThemeSnapshot, list[str]]:
    """A theme of the current run with its ideas' ids, or NotFound."""
    theme = db.session.get(Theme, theme_id)
    if theme is None:
        raise NotFound("We could not find that theme.")
    conversation = get_conversation(participant, theme.conversation_id)
    snapshot = db.session.scalar(
        sa.select(ThemeSnapshot).where(ThemeSnapshot.run_id == conversation.current_theme_run_id,
                                       ThemeSnapshot.theme_id == theme.id)
    )
    if snapshot is None:
        raise NotFound("That theme is not in the current themes.")
    ids = db.session.scalars(
        sa.select(ThemeAssignment.idea_id).where(ThemeAssignment.run_id == snapshot.run_id,
                                                 ThemeAssignment.theme_id == theme.id)
    ).all()
    return theme, snapshot, list(ids)


# --- drafting help -----------------------------------------------------------------------------

_index_lock = threading.Lock()
_indexes: dict[int, tuple[tuple[int, float], object]] = {}
INDEX_TTL = 60.0


def _index_for(conversation_id: int):  # type: ignore[no-untyped-def]
    """A similarity index over a conversation's ideas, rebuilt when the count changes or it is a minute old."""
    from nlp.similar import SimilarityIndex
    from nlp.themes import Document

    count = db.session.scalar(
        sa.select(sa.func.count()).select_from(Idea).where(
            Idea.conversation_id == conversation_id, Idea.status == ContentStatus.PUBLISHED)
    ) or 0
    with _index_lock:
        entry = _indexes.get(conversation_id)
        if entry and entry[0][0] == count and time.monotonic() - entry[0][1] < INDEX_TTL:
            return entry[1]
    rows = db.session.execute(
        sa.select(Idea.id, Idea.body).where(Idea.conversation_id == conversation_id, Idea.status == ContentStatus.PUBLISHED)
    ).all()
    index = SimilarityIndex.build([Document(id=i, text=b) for i, b in rows])
    with _index_lock:
        _indexes[conversation_id] = ((count, time.monotonic()), index)
    return index


def similar_ideas(participant: Participant, conversation_id: int, text: str, limit: int = 5) -> list[tuple[Idea, float]]:
    """Ideas already posted that look like a draft, best first, for "support one instead?"."""
    conversation = get_conversation(participant, conversation_id)
    if len((text or "").strip()) < 12:
        return []
    from app.services.authorship import is_author
    from app.services.keys import conversation_key

    matches = _index_for(conversation.id).query(text[:2000], k=limit + 2)
    ideas = {i.id: i for i in db.session.scalars(sa.select(Idea).where(Idea.id.in_([m.id for m in matches])))}
    key = conversation_key(conversation)
    found = [(ideas[m.id], float(m.score)) for m in matches if m.id in ideas and ideas[m.id].status == ContentStatus.PUBLISHED]
    # One's own ideas are not offered ("support one instead?"), which also lets a re-sent form through.
    return [(idea, score) for idea, score in found if not is_author(participant, key, idea)][:limit]


def similar_to_draft(participant: Participant, question_id: int, text: str, limit: int = 3) -> list[tuple[Idea, float]]:
    """Ideas already posted in the question's conversation that look like a draft (the no-JavaScript step)."""
    question = get_question(participant, question_id)
    return similar_ideas(participant, question.conversation_id, text, limit)


def check_text(text: str) -> TextCheck:
    """Identifying details and sentiment of a draft (nothing is stored)."""
    from nlp.identifying import find_identifying_details
    from nlp.sentiment import sentiment

    return TextCheck(spans=find_identifying_details(text or ""), sentiment=float(sentiment(text or "")))
