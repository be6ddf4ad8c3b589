"""What a conversation's pairs page compares: themes (the default), the ideas of a question, or ideas a lead picks.

Leads call these after `access.get_led_conversation` has checked they lead the conversation.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from app.extensions import db
from app.models import (
    ContentStatus,
    Conversation,
    Idea,
    PairwiseIdea,
    PairwiseItems,
    PairwiseSetup,
    Question,
)
from app.services.common.errors import InvalidInput

MAX_PICKED = 100  # "50 recommendations narrowed to a handful" with room to spare
MAX_SHOWN = 300  # ideas listed for picking, per question


@dataclass
class Setup:
    items: PairwiseItems
    question: Question | None


def setup(conversation: Conversation) -> Setup:
    row = db.session.get(PairwiseSetup, conversation.id)
    if row is None:
        return Setup(PairwiseItems.THEMES, None)
    question = db.session.get(Question, row.question_id) if row.question_id is not None else None
    items = PairwiseItems(row.items)
    if items == PairwiseItems.QUESTION and question is None:  # the question was deleted since
        return Setup(PairwiseItems.THEMES, None)
    return Setup(items, question)


def _published(conversation: Conversation) -> sa.ColumnElement[bool]:
    return (Idea.conversation_id == conversation.id) & (Idea.status == ContentStatus.PUBLISHED)


def compared_ideas(conversation: Conversation, chosen: Setup) -> list[Idea]:
    """The published ideas being compared under an ideas setup, by id."""
    query = sa.select(Idea).where(_published(conversation)).order_by(Idea.id)
    if chosen.items == PairwiseItems.QUESTION and chosen.question is not None:
        query = query.where(Idea.question_id == chosen.question.id)
    else:
        query = query.join(PairwiseIdea, (PairwiseIdea.idea_id == Idea.id)
                           & (PairwiseIdea.conversation_id == conversation.id))
    return list(db.session.scalars(query))


def choose_items(conversation: Conversation, items: str, question_id: int | None = None) -> Setup:
    """Set what staff compare. A question is needed (and must be this conversation's) for "question"."""
    chosen = _choose(conversation, items, question_id)
    db.session.commit()
    return chosen


def configure(conversation: Conversation, items: str, question_id: int | None, picked: list[str]) -> Setup:
    """Replace the picked ideas of one question and set what staff compare, in one step (all or nothing)."""
    question = _question(conversation, question_id)
    try:
        chosen = _choose(conversation, items, question.id)  # checks everything before any row changes
        _set_picks(conversation, question.id, picked)
    except InvalidInput:
        db.session.rollback()
        raise
    db.session.commit()
    return chosen


def _question(conversation: Conversation, question_id: int | None) -> Question:
    in_range = isinstance(question_id, int) and 0 < question_id < 2**31
    question = db.session.get(Question, question_id) if in_range else None
    if question is None or question.conversation_id != conversation.id:
        raise InvalidInput("Choose one of this conversation's questions", field="question_id")
    return question


def _choose(conversation: Conversation, items: str, question_id: int | None) -> Setup:
    try:
        kind = PairwiseItems(items)
    except ValueError:
        raise InvalidInput("Choose what staff compare: themes, the ideas of a question, or ideas you pick",
                           field="items") from None
    question = _question(conversation, question_id) if kind == PairwiseItems.QUESTION else None
    row = db.session.get(PairwiseSetup, conversation.id) or PairwiseSetup(conversation_id=conversation.id)
    row.items, row.question_id = kind.value, question.id if question is not None else None
    db.session.add(row)
    return Setup(kind, question)


@dataclass
class PickList:
    question: Question
    ideas: list[Idea]
    picked: set[str]
    total_picked: int


def pick_list(conversation: Conversation, question_id: int | None) -> PickList | None:
    """Published ideas of one question (the first by default) with which are picked; None without questions."""
    questions = {q.id: q for q in conversation.questions}
    if not questions:
        return None
    question = questions.get(question_id or 0) or conversation.questions[0]
    ideas = list(db.session.scalars(sa.select(Idea).where(_published(conversation), Idea.question_id == question.id)
                                    .order_by(Idea.id).limit(MAX_SHOWN)))
    picked = set(db.session.scalars(sa.select(PairwiseIdea.idea_id).where(PairwiseIdea.conversation_id == conversation.id)))
    return PickList(question, ideas, picked & {i.id for i in ideas}, len(picked))


def set_picks(conversation: Conversation, question_id: int, idea_ids: list[str]) -> int:
    """Make the picked ideas of one question exactly `idea_ids`; returns how many ideas are picked in all."""
    total = _set_picks(conversation, question_id, idea_ids)
    db.session.commit()
    return total


def _set_picks(conversation: Conversation, question_id: int, idea_ids: list[str]) -> int:
    question = _question(conversation, question_id)
    wanted = set(idea_ids)
    found = set(db.session.scalars(sa.select(Idea.id).where(_published(conversation), Idea.question_id == question.id,
                                                            Idea.id.in_(wanted)))) if wanted else set()
    if found != wanted:
        raise InvalidInput("Some of those ideas are not in this question any more. Reload the page and try again.",
                           field="idea_ids")
    of_question = sa.select(Idea.id).where(Idea.question_id == question.id).scalar_subquery()
    others = db.session.scalar(sa.select(sa.func.count()).select_from(PairwiseIdea).where(
        PairwiseIdea.conversation_id == conversation.id, PairwiseIdea.idea_id.not_in(of_question))) or 0
    if others + len(wanted) > MAX_PICKED:
        raise InvalidInput(f"Pick at most {MAX_PICKED} ideas in all", field="idea_ids")
    db.session.execute(sa.delete(PairwiseIdea).where(PairwiseIdea.conversation_id == conversation.id,
                                                     PairwiseIdea.idea_id.in_(of_question)))
    db.session.add_all(PairwiseIdea(conversation_id=conversation.id, idea_id=i) for i in sorted(wanted))
    return others + len(wanted)
