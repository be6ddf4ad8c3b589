"""Editing a conversation's questions one at a time: add, reword, remove (only without ideas) and reorder."""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.services.common.transaction import transaction
from app.models import Conversation, ConversationStatus, Idea, Question
from app.services.conversations.lifecycle import MAX_QUESTIONS
from app.services.common.errors import InvalidInput, NotAllowedNow, NotFound
from app.services.common.text import clean_text


def _editable(conversation: Conversation) -> None:
    if conversation.status == ConversationStatus.CLOSED:
        raise NotAllowedNow("A closed conversation cannot be edited. Reopen it first.")


def _question(conversation: Conversation, question_id: int) -> Question:
    question = db.session.get(Question, question_id)
    if question is None or question.conversation_id != conversation.id:
        raise NotFound("We could not find that question.")
    return question


def _texts(text: str, description: str) -> tuple[str, str]:
    text = clean_text(text, minimum=3, maximum=300, what="question", field="text")
    description = (description or "").strip()
    if len(description) > 1000:
        raise InvalidInput("The question's description must be 1,000 characters or fewer", field="description")
    return text, description


def _renumber(conversation: Conversation, ordered: list[Question]) -> None:
    for position, question in enumerate(ordered):
        question.position = position
    conversation.questions.sort(key=lambda q: q.position)


@transaction
def add_question(conversation: Conversation, text: str, description: str = "") -> Question:
    _editable(conversation)
    if len(conversation.questions) >= MAX_QUESTIONS:
        raise InvalidInput(f"A conversation can have up to {MAX_QUESTIONS} questions", field="text")
    text, description = _texts(text, description)
    question = Question(text=text, description=description, position=len(conversation.questions))
    conversation.questions.append(question)
    db.session.commit()
    return question


@transaction
def edit_question(conversation: Conversation, question_id: int, text: str, description: str = "") -> Question:
    _editable(conversation)
    question = _question(conversation, question_id)
    question.text, question.description = _texts(text, description)
    db.session.commit()
    return question


@transaction
def remove_question(conversation: Conversation, question_id: int) -> None:
    """Remove a question; refused once it has ideas, so nobody's idea disappears."""
    _editable(conversation)
    question = _question(conversation, question_id)
    if db.session.scalar(sa.select(sa.exists().where(Idea.question_id == question.id))):
        raise NotAllowedNow("This question already has ideas, so it cannot be removed. You can reword it instead.")
    if len(conversation.questions) <= 1:
        raise NotAllowedNow("A conversation needs at least one question.")
    conversation.questions.remove(question)
    _renumber(conversation, list(conversation.questions))
    db.session.commit()


@transaction
def move_question(conversation: Conversation, question_id: int, direction: str) -> None:
    """Move a question up or down one place."""
    _editable(conversation)
    question = _question(conversation, question_id)
    ordered = list(conversation.questions)
    index = ordered.index(question)
    target = index - 1 if direction == "up" else index + 1 if direction == "down" else None
    if target is None:
        raise InvalidInput("Choose up or down", field="direction")
    if 0 <= target < len(ordered):
        ordered[index], ordered[target] = ordered[target], ordered[index]
        _renumber(conversation, ordered)
    db.session.commit()
