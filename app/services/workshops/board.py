"""Reading a live board: every idea with its counts, the phase, timer and spotlight.

Participants get counts filtered by the vote-visibility rule; facilitators (console) get all counts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from app.services.workshops.auto_advance import catch_up
from app.extensions import db
from app.models import Comment, ContentStatus, Conversation, Idea, Question, ThemeSnapshot, Vote
from app.models.base import utcnow
from app.services.access import get_conversation
from app.services.content.listing import IdeaCard, _card_query, _cards
from app.services.workshops.session import iso, spotlight_payload
from app.services.common.keys import conversation_key
from app.services.common.participants import Participant
from app.services.workshops.phases import counts_hidden, phase_label

BOARD_LIMIT = 300


@dataclass
class QuestionColumn:
    question: Question
    cards: list[IdeaCard]


@dataclass
class Board:
    conversation: Conversation
    columns: list[QuestionColumn]
    spotlight: dict[str, Any]
    last_event_id: int
    phase_label: str | None
    themes: list[ThemeSnapshot] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)

    @property
    def seconds_left(self) -> int | None:
        ends = self.conversation.phase_ends_at
        return None if ends is None else max(0, int((ends - utcnow()).total_seconds()))


def _rows(conversation: Conversation) -> list:
    query, _, _ = _card_query()
    return list(db.session.execute(
        query.where(Idea.conversation_id == conversation.id, Idea.status == ContentStatus.PUBLISHED)
        .order_by(Idea.created_hour.desc(), Idea.id).limit(BOARD_LIMIT)
    ).all())


def _columns(conversation: Conversation, cards: list[IdeaCard]) -> list[QuestionColumn]:
    return [QuestionColumn(q, [c for c in cards if c.idea.question_id == q.id]) for q in conversation.questions]


def _themes(conversation: Conversation) -> list[ThemeSnapshot]:
    if not conversation.current_theme_run_id:
        return []
    return list(db.session.scalars(
        sa.select(ThemeSnapshot).where(ThemeSnapshot.run_id == conversation.current_theme_run_id)
        .order_by(ThemeSnapshot.size.desc(), ThemeSnapshot.theme_id).limit(12)
    ))


def _board(conversation: Conversation, cards: list[IdeaCard]) -> Board:
    return Board(conversation, _columns(conversation, cards), spotlight_payload(conversation),
                 conversation.live_seq, phase_label(conversation), _themes(conversation))


def live_board(participant: Participant, conversation_id: int) -> Board:
    """The board a participant (or the projector) sees: counts hidden by the visibility rule."""
    conversation = get_conversation(participant, conversation_id)
    catch_up(conversation)
    return _board(conversation, _cards(participant, conversation_key(conversation), conversation, _rows(conversation)))


def presenter_board(conversation: Conversation) -> Board:
    """The projector's board: everyone sees it, so counts show only when shown to all."""
    catch_up(conversation)
    hidden = counts_hidden(conversation)
    cards = [IdeaCard(idea=idea, support=0 if hidden else (up or 0), agree=0 if hidden else (up or 0),
                      disagree=0 if hidden else (down or 0), passes=0 if hidden else (passes or 0),
                      comments=comments or 0, counts_hidden=hidden)
             for idea, up, down, passes, comments in _rows(conversation)]
    return _board(conversation, cards)


def console_board(conversation: Conversation) -> Board:
    """The facilitator's console: all counts, and the conversation's totals."""
    catch_up(conversation)
    cards = [IdeaCard(idea=idea, support=up or 0, agree=up or 0, disagree=down or 0, passes=passes or 0,
                      comments=comments or 0)
             for idea, up, down, passes, comments in _rows(conversation)]
    board = _board(conversation, cards)
    published = (Idea.conversation_id == conversation.id) & (Idea.status == ContentStatus.PUBLISHED)
    board.totals = {
        "ideas": db.session.scalar(sa.select(sa.func.count()).select_from(Idea).where(published)) or 0,
        "comments": db.session.scalar(sa.select(sa.func.count()).select_from(Comment).where(
            Comment.conversation_id == conversation.id, Comment.status == ContentStatus.PUBLISHED)) or 0,
        "votes": db.session.scalar(sa.select(sa.func.count()).select_from(Vote).where(
            Vote.conversation_id == conversation.id)) or 0,
    }
    return board


def _counts(card: IdeaCard, voting_mode: str) -> dict[str, int] | None:
    if card.counts_hidden:
        return None
    if voting_mode == "support":
        return {"support": card.support}
    return {"agree": card.agree, "disagree": card.disagree, "pass": card.passes}


def state_json(board: Board) -> dict[str, Any]:
    """The whole live state as JSON: what a browser loads after a reset or a change of visibility."""
    conversation = board.conversation
    return {
        "conversation_id": conversation.id,
        "status": conversation.status,
        "phase": conversation.phase,
        "phase_label": board.phase_label,
        "ends_at": iso(conversation.phase_ends_at),
        "now": iso(utcnow()),
        "votes_hidden": conversation.votes_hidden,
        "auto_advance": conversation.auto_advance,
        "spotlight": board.spotlight,
        "last_event_id": board.last_event_id,
        "ideas": {
            card.idea.id: {"votes": _counts(card, conversation.voting_mode), "comments": card.comments,
                           "my_vote": card.my_vote}
            for column in board.columns for card in column.cards
        },
    }
