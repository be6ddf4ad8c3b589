"""Pairwise prioritisation of a conversation's themes: two themes at a time, Bradley–Terry scores.

Answers carry a per-conversation chooser pseudonym (an HMAC with its own purpose, unrelated to votes
and author tags) so one person is not shown the same pair twice and cannot answer without limit;
there is no user id and no time on them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sqlalchemy as sa

from app.crypto import tag
from app.extensions import db
from app.models import Conversation, PairwiseChoice, Theme, ThemePlan, ThemeSnapshot, ThemeStatus
from app.services.conversations import get_conversation
from app.services.errors import InvalidInput, NotAllowedNow
from app.services.keys import conversation_key
from app.services.participants import Participant
from nlp.pairwise import Comparison, fit, next_pair

MAX_ANSWERS_PER_PERSON = 300
CHOICES = ("left", "right", "skip")


@dataclass
class Pair:
    left: Theme
    right: Theme
    answered: int


@dataclass
class ComparisonPage:
    conversation: Conversation
    pair: Pair | None
    themes: int  # how many themes are being compared


@dataclass
class Ranked:
    theme: Theme
    score: float
    lower: float
    upper: float
    comparisons: int


def _chooser(conversation: Conversation, participant: Participant) -> str:
    return tag(conversation_key(conversation), "pairwise", participant.user_key)


def candidates(conversation: Conversation) -> list[Theme]:
    """Themes of the current run that are still in play (not set aside, not done), by id."""
    if conversation.current_theme_run_id is None:
        return []
    out = {ThemeStatus.NOT_TAKING_FORWARD.value, ThemeStatus.DONE.value}
    rows = db.session.execute(
        sa.select(Theme, ThemePlan.status).join(ThemeSnapshot, ThemeSnapshot.theme_id == Theme.id)
        .outerjoin(ThemePlan, ThemePlan.theme_id == Theme.id)
        .where(ThemeSnapshot.run_id == conversation.current_theme_run_id).order_by(Theme.id)).all()
    return [theme for theme, status in rows if status not in out]


def _comparisons(conversation: Conversation, index: dict[int, int]) -> tuple[list[Comparison], list[PairwiseChoice]]:
    rows = db.session.scalars(sa.select(PairwiseChoice).where(PairwiseChoice.conversation_id == conversation.id)).all()
    out = []
    for row in rows:
        a, b = index.get(row.left_theme_id), index.get(row.right_theme_id)
        if a is None or b is None:
            continue  # a theme that has left the list since
        if row.choice == "left":
            out.append(Comparison(a, b))
        elif row.choice == "right":
            out.append(Comparison(b, a))
        else:
            out.append(Comparison(a, b, tie=True))
    return out, list(rows)


def comparison_page(participant: Participant, conversation_id: int, focus_top: int | None = None) -> ComparisonPage:
    """The conversation, the next pair for this person (None when done) and how many themes are in play."""
    conversation = get_conversation(participant, conversation_id)
    return ComparisonPage(conversation, _next(participant, conversation, focus_top), len(candidates(conversation)))


def next_comparison(participant: Participant, conversation_id: int, focus_top: int | None = None) -> Pair | None:
    """The next pair for this person: uncertain and close, never one they already answered; None when done."""
    return _next(participant, get_conversation(participant, conversation_id), focus_top)


def _next(participant: Participant, conversation: Conversation, focus_top: int | None) -> Pair | None:
    themes = candidates(conversation)
    if len(themes) < 2:
        return None
    index = {t.id: i for i, t in enumerate(themes)}
    comparisons, rows = _comparisons(conversation, index)
    chooser = _chooser(conversation, participant)
    mine = [r for r in rows if r.chooser == chooser]
    if len(mine) >= MAX_ANSWERS_PER_PERSON:
        return None
    exclude = {tuple(sorted((index[r.left_theme_id], index[r.right_theme_id])))
               for r in mine if r.left_theme_id in index and r.right_theme_id in index}
    pair = next_pair(fit(len(themes), comparisons), np.random.default_rng(), exclude=exclude,  # type: ignore[arg-type]
                     focus_top=focus_top)
    if pair is None:
        return None
    return Pair(themes[pair[0]], themes[pair[1]], len(mine))


def record_choice(participant: Participant, conversation_id: int, left_id: int, right_id: int, choice: str) -> None:
    """Store one answer: left or right matters more, or "skip" (can't decide)."""
    conversation = get_conversation(participant, conversation_id)
    if choice not in CHOICES:
        raise InvalidInput("Choose one of the two themes, or say you can't decide", field="choice")
    ids = {t.id for t in candidates(conversation)}
    if left_id == right_id or left_id not in ids or right_id not in ids:
        raise InvalidInput("Those themes are no longer being compared. Try the next pair.", field="choice")
    chooser = _chooser(conversation, participant)
    answered = db.session.scalar(sa.select(sa.func.count()).select_from(PairwiseChoice).where(
        PairwiseChoice.conversation_id == conversation.id, PairwiseChoice.chooser == chooser)) or 0
    if answered >= MAX_ANSWERS_PER_PERSON:
        raise NotAllowedNow("You have compared enough pairs in this conversation. Thank you.")
    db.session.add(PairwiseChoice(conversation_id=conversation.id, left_theme_id=left_id, right_theme_id=right_id,
                                  choice=choice, chooser=chooser))
    db.session.commit()


def ranking(conversation: Conversation) -> list[Ranked]:
    """Themes by Bradley–Terry score with 95% intervals; empty when nothing has been compared."""
    themes = candidates(conversation)
    index = {t.id: i for i, t in enumerate(themes)}
    comparisons, _ = _comparisons(conversation, index)
    if not comparisons:
        return []
    fitted = fit(len(themes), comparisons)
    scores, lower, upper = fitted.scores, fitted.lower, fitted.upper
    return [Ranked(themes[i], round(float(scores[i]), 1), round(float(lower[i]), 1), round(float(upper[i]), 1),
                   int(fitted.counts[i].sum())) for i in fitted.order()]
