"""Votes: one per person per idea, guaranteed by the primary key and an atomic upsert."""

from __future__ import annotations

from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import CursorResult
from sqlalchemy.dialects import postgresql, sqlite

from app.crypto import voter_pseudonym
from app import live
from app.extensions import db
from app.models import Vote, VotingMode
from app.services.workshops import events
from app.services.common.errors import InvalidInput
from app.services.content.ideas import visible_idea
from app.services.common.keys import conversation_key
from app.services.opinions.runs import mark_votes_changed
from app.services.common.participants import Participant
from app.services.workshops.phases import require_allowed

VOTE_VALUES = {"support": 1, "agree": 1, "disagree": -1, "pass": 0}
VALUE_NAMES = {1: "agree", -1: "disagree", 0: "pass"}


def _upsert(idea_id: str, voter: str, conversation_id: int, value: int) -> None:
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(Vote).values(idea_id=idea_id, voter=voter, conversation_id=conversation_id, value=value)
    db.session.execute(
        statement.on_conflict_do_update(index_elements=["idea_id", "voter"], set_={"value": statement.excluded.value})
    )



def cast_vote(participant: Participant, idea_id: str, choice: str) -> str:
    """Record or change this person's vote on an idea; repeating it changes nothing. Returns the choice."""
    idea = visible_idea(participant, idea_id)
    conversation = idea.conversation
    require_allowed(conversation, "vote")
    allowed = {"support"} if conversation.voting_mode == VotingMode.SUPPORT else {"agree", "disagree", "pass"}
    if choice not in allowed:
        raise InvalidInput("Choose " + " or ".join(sorted(allowed)), field="choice")
    voter = voter_pseudonym(conversation_key(conversation), participant.user_key)
    _upsert(idea.id, voter, conversation.id, VOTE_VALUES[choice])
    mark_votes_changed(conversation.id)  # locks the conversation row, as live_events does next
    message = events.votes_changed(conversation, idea.id)
    db.session.commit()
    live.publish(message)
    return choice


def withdraw_vote(participant: Participant, idea_id: str) -> None:
    """Remove this person's vote on an idea, if any."""
    idea = visible_idea(participant, idea_id)
    require_allowed(idea.conversation, "vote")
    voter = voter_pseudonym(conversation_key(idea.conversation), participant.user_key)
    deleted = db.session.execute(sa.delete(Vote).where(Vote.idea_id == idea.id, Vote.voter == voter))
    removed = cast(CursorResult[Any], deleted).rowcount  # Session.execute types every result as Result; an UPDATE/DELETE gives a CursorResult
    if removed:
        mark_votes_changed(idea.conversation_id)
    message = events.votes_changed(idea.conversation, idea.id) if removed else None
    db.session.commit()
    live.publish(message)
