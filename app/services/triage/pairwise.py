"""Pairwise prioritisation in a conversation: two themes (or two ideas) at a time, Bradley–Terry scores.

What is compared is the lead's choice (app.services.triage.pairs): the themes of the current run, the
ideas of one question, or ideas the lead picked. Answers about themes and about ideas are kept apart.

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
from app.models import Conversation, PairwiseChoice, PairwiseItems, Theme, ThemePlan, ThemeSnapshot, ThemeStatus
from app.services.triage import pairs
from app.services.access import get_conversation
from app.services.common.errors import InvalidInput, NotAllowedNow
from app.services.common.keys import conversation_key
from app.services.common.participants import Participant
from nlp.pairwise import Comparison, fit, next_pair

MAX_ANSWERS_PER_PERSON = 300
CHOICES = ("left", "right", "skip")


LABEL_LENGTH = 140


@dataclass(frozen=True)
class Item:
    """A theme or an idea as shown in a pair: ideas have no title, so a long idea's label is its opening."""

    id: int | str
    label: str
    summary: str
    kind: str  # "theme" or "idea"


@dataclass
class Pair:
    left: Item
    right: Item
    answered: int


@dataclass
class ComparisonPage:
    conversation: Conversation
    pair: Pair | None
    themes: int  # how many items are being compared
    kind: str = "theme"


@dataclass
class Ranked:
    item: Item
    score: float
    lower: float
    upper: float
    comparisons: int


def _chooser(conversation: Conversation, participant: Participant) -> str:
    return tag(conversation_key(conversation), "pairwise", participant.user_key)


def _idea_item(body: str, idea_id: str) -> Item:
    text = " ".join(body.split())
    label = text if len(text) <= LABEL_LENGTH else text[:LABEL_LENGTH].rsplit(" ", 1)[0] + "…"
    return Item(idea_id, label, text if label != text else "", "idea")


def compared_kind(conversation: Conversation) -> str:
    """"theme" or "idea": what this conversation's pairs are made of."""
    return "theme" if pairs.setup(conversation).items == PairwiseItems.THEMES else "idea"


def items(conversation: Conversation) -> list[Item]:
    """What is being compared in this conversation, in a stable order."""
    chosen = pairs.setup(conversation)
    if chosen.items == PairwiseItems.THEMES:
        return [Item(t.id, t.label, t.summary or "", "theme") for t in candidates(conversation)]
    return [_idea_item(i.body, i.id) for i in pairs.compared_ideas(conversation, chosen)]


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


def _sides(row: PairwiseChoice, kind: str) -> tuple[str, str] | None:
    if kind == "theme":
        return (str(row.left_theme_id), str(row.right_theme_id)) if row.left_theme_id is not None else None
    if row.left_idea_id is None or row.right_idea_id is None:
        return None
    return row.left_idea_id, row.right_idea_id


def _comparisons(conversation: Conversation, index: dict[str, int], kind: str
                 ) -> tuple[list[Comparison], list[tuple[PairwiseChoice, int, int]]]:
    rows = db.session.scalars(sa.select(PairwiseChoice).where(PairwiseChoice.conversation_id == conversation.id)).all()
    out, kept = [], []
    for row in rows:
        sides = _sides(row, kind)
        a, b = (index.get(sides[0]), index.get(sides[1])) if sides else (None, None)
        if a is None or b is None:
            continue  # the other kind, or an item that has left the list since
        kept.append((row, a, b))
        if row.choice == "left":
            out.append(Comparison(a, b))
        elif row.choice == "right":
            out.append(Comparison(b, a))
        else:
            out.append(Comparison(a, b, tie=True))
    return out, kept


def comparison_page(participant: Participant, conversation_id: int, focus_top: int | None = None) -> ComparisonPage:
    """The conversation, the next pair for this person (None when done) and how many items are in play."""
    conversation = get_conversation(participant, conversation_id)
    compared = items(conversation)
    return ComparisonPage(conversation, _next(participant, conversation, focus_top, compared), len(compared),
                          compared_kind(conversation))


def next_comparison(participant: Participant, conversation_id: int, focus_top: int | None = None) -> Pair | None:
    """The next pair for this person: uncertain and close, never one they already answered; None when done."""
    return _next(participant, get_conversation(participant, conversation_id), focus_top)


def _answered(conversation: Conversation, chooser: str) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(PairwiseChoice).where(
        PairwiseChoice.conversation_id == conversation.id, PairwiseChoice.chooser == chooser)) or 0


def _next(participant: Participant, conversation: Conversation, focus_top: int | None,
          compared: list[Item] | None = None) -> Pair | None:
    compared = items(conversation) if compared is None else compared
    if len(compared) < 2:
        return None
    index = {str(t.id): i for i, t in enumerate(compared)}
    comparisons, rows = _comparisons(conversation, index, compared[0].kind)
    chooser = _chooser(conversation, participant)
    answered = _answered(conversation, chooser)
    if answered >= MAX_ANSWERS_PER_PERSON:
        return None
    exclude = {(min(a, b), max(a, b)) for row, a, b in rows if row.chooser == chooser}
    pair = next_pair(fit(len(compared), comparisons), np.random.default_rng(), exclude=exclude, focus_top=focus_top)
    if pair is None:
        return None
    return Pair(compared[pair[0]], compared[pair[1]], answered)


def record_choice(participant: Participant, conversation_id: int, left_id: int | str, right_id: int | str,
                  choice: str) -> None:
    """Store one answer: left or right matters more, or "skip" (can't decide). Ids are theme or idea ids."""
    conversation = get_conversation(participant, conversation_id)
    compared = items(conversation)
    what = "ideas" if compared and compared[0].kind == "idea" else "themes"
    if choice not in CHOICES:
        raise InvalidInput(f"Choose one of the two {what}, or say you can't decide", field="choice")
    by_id = {str(t.id): t for t in compared}
    left, right = by_id.get(str(left_id)), by_id.get(str(right_id))
    if left is None or right is None or left is right:
        raise InvalidInput(f"Those {what} are no longer being compared. Try the next pair.", field="choice")
    chooser = _chooser(conversation, participant)
    if _answered(conversation, chooser) >= MAX_ANSWERS_PER_PERSON:
        raise NotAllowedNow("You have compared enough pairs in this conversation. Thank you.")
    row = PairwiseChoice(conversation_id=conversation.id, choice=choice, chooser=chooser)
    if left.kind == "theme":
        row.left_theme_id, row.right_theme_id = int(left.id), int(right.id)
    else:
        row.left_idea_id, row.right_idea_id = str(left.id), str(right.id)
    db.session.add(row)
    db.session.commit()


def ranking(conversation: Conversation) -> list[Ranked]:
    """Compared items by Bradley–Terry score with 95% intervals; empty when nothing has been compared."""
    compared = items(conversation)
    if not compared:
        return []
    index = {str(t.id): i for i, t in enumerate(compared)}
    comparisons, _ = _comparisons(conversation, index, compared[0].kind)
    if not comparisons:
        return []
    fitted = fit(len(compared), comparisons)
    scores, lower, upper = fitted.scores, fitted.lower, fitted.upper
    return [Ranked(compared[i], round(float(scores[i]), 1), round(float(lower[i]), 1), round(float(upper[i]), 1),
                   int(fitted.counts[i].sum())) for i in fitted.order()]
