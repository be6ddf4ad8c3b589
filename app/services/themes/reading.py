"""Reading themes and helping drafts: the current themes of a conversation, similar ideas and text checks.

Runs themselves (queueing, clustering, switching a conversation to a new run) are in theme_runs.py.
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import sqlalchemy as sa

from app.extensions import db
from app.models import ContentStatus, Conversation, Idea, RunStatus, Theme, ThemeAssignment, ThemeRun, ThemeSnapshot
from app.services.access import get_conversation, get_question
from app.services.common.errors import NotFound
from app.services.common.participants import Participant
from app.services.common.worker_memory import latest_per_conversation
from app.services.themes.quotes import quotable, theme_summary

if TYPE_CHECKING:
    from nlp.similar import SimilarityIndex
from app.services.themes.runs import is_stale


@dataclass
class ThemeCard:
    snapshot: ThemeSnapshot
    quotes: list[Idea]

    @property
    def summary(self) -> str:
        """The lead's summary, or a sentence from the most central quote."""
        return theme_summary(self.snapshot.theme.summary, self.quotes)


@dataclass
class ThemesView:
    conversation: Conversation
    run: ThemeRun | None
    cards: list[ThemeCard]
    unthemed: int
    latest_failed: ThemeRun | None = None
    pending: ThemeRun | None = None


class TextCheck:
    """What a draft's text reveals before it is posted.

    Identifying details are looked for at once (every post is refused or held on them); the sentiment and the Speak
    Up suggestion are worked out when first read, because a comment stores neither (about 3% of a comment's CPU).
    """

    def __init__(self, text: str) -> None:
        from nlp.identifying import find_identifying_details

        self.text = text
        self.spans: list = find_identifying_details(text)  # nlp.identifying.Span

    @functools.cached_property
    def sentiment(self) -> float:
        from nlp.sentiment import sentiment

        return float(sentiment(self.text))

    @functools.cached_property
    def speak_up(self) -> list[str]:
        """What the draft seems to disclose (bullying, safety...), to suggest the Freedom to Speak Up route; else []."""
        return speak_up_topics(self.text)


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
        if is_stale(latest):  # its worker died: report it, do not wait for it
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
    view.cards = [ThemeCard(s, quotable(quotes[q] for q in s.quote_ids if q in quotes)) for s in snapshots]
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

INDEX_TTL = 60.0
INDEXES = 32  # conversations whose index a worker keeps


def _index_for(conversation_id: int) -> SimilarityIndex:
    """A similarity index over a conversation's ideas, rebuilt when the count changes or it is a minute old."""
    from nlp.similar import SimilarityIndex
    from nlp.themes import Document

    count = db.session.scalar(
        sa.select(sa.func.count()).select_from(Idea).where(
            Idea.conversation_id == conversation_id, Idea.status == ContentStatus.PUBLISHED)
    ) or 0
    kept = latest_per_conversation("similarity_indexes", INDEXES)
    found = kept.get(conversation_id)
    if found is not None and found[0][0] == count and time.monotonic() - found[0][1] < INDEX_TTL:
        index: SimilarityIndex = found[1]
        return index
    rows = db.session.execute(
        sa.select(Idea.id, Idea.body).where(Idea.conversation_id == conversation_id, Idea.status == ContentStatus.PUBLISHED)
    ).all()
    index = SimilarityIndex.build([Document(id=i, text=b) for i, b in rows])
    kept.put(conversation_id, (count, time.monotonic()), index)
    return index


def similar_ideas(participant: Participant, conversation_id: int, text: str, limit: int = 5) -> list[tuple[Idea, float]]:
    """Ideas already posted that look like a draft, best first, for "support one instead?"."""
    conversation = get_conversation(participant, conversation_id)
    if len((text or "").strip()) < 12:
        return []
    from app.services.content.authorship import is_author
    from app.services.common.keys import conversation_key

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
    """Identifying details, sentiment and any Speak Up suggestion of a draft (nothing is stored)."""
    return TextCheck(text or "")


def speak_up_topics(text: str) -> list[str]:
    """What a text seems to disclose, in plain words, when it reads like a safety or bullying disclosure; else []."""
    from nlp.disclosure import CATEGORIES, find_disclosure

    found = find_disclosure(text or "")
    return [CATEGORIES[category] for category in found.categories] if found.suggest else []
