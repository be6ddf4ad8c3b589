"""Votes: one per person per idea, guaranteed by the primary key and an atomic upsert."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from app.crypto import voter_pseudonym
from app import live
from app.extensions import db
from app.models import Vote, VotingMode
from app.services.workshops import events
from app.services.common.errors import InvalidInput
from app.services.content.ideas import VotedConversation, voted_conversation
from app.services.common.participants import Participant
from app.services.workshops.phases import counts_hidden, require_allowed

VOTE_VALUES = {"support": 1, "agree": 1, "disagree": -1, "pass": 0}
VALUE_NAMES = {1: "agree", -1: "disagree", 0: "pass"}


_VOTES = cast(sa.Table, Vote.__table__)  # a declarative model's table: typed as any FromClause


def _upsert_statement(dialect: str) -> sa.Insert:
    """INSERT ... ON CONFLICT (idea_id, voter) DO UPDATE, built once per dialect on the table (no ORM bulk path)."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(_VOTES)
    return statement.on_conflict_do_update(index_elements=["idea_id", "voter"], set_={"value": statement.excluded.value})


_UPSERT = {name: _upsert_statement(name) for name in ("postgresql", "sqlite")}
_DELETE = sa.delete(_VOTES).where(_VOTES.c.idea_id == sa.bindparam("idea_id"), _VOTES.c.voter == sa.bindparam("voter"))

# PostgreSQL: the upsert as a data-modifying WITH (run once, to completion, though nothing reads it) in front of the
# idea's counts without this voter, to which the caller adds this vote: one statement and one round trip fewer per
# vote than the upsert then the counts. The SELECT does not see the upsert's row (one snapshot for the statement),
# hence the voter's own vote is added, never counted twice; others' votes are those committed when it started, as
# for a separate count. SQLite has no INSERT inside WITH, so it runs the two statements.
def _upsert_then_others() -> sa.Select:
    # Bind names of their own: an INSERT keeps its columns' names (idea_id, ...) for its VALUES.
    idea_id, voter = sa.bindparam("b_idea_id", type_=_VOTES.c.idea_id.type), sa.bindparam("b_voter", type_=sa.String)
    insert = postgresql.insert(_VOTES).values(idea_id=idea_id, voter=voter, value=sa.bindparam("b_value"),
                                              conversation_id=sa.bindparam("b_conversation_id"))
    upsert = insert.on_conflict_do_update(index_elements=["idea_id", "voter"], set_={"value": insert.excluded.value})
    return (sa.select(_VOTES.c.value, sa.func.count()).where(_VOTES.c.idea_id == idea_id, _VOTES.c.voter != voter)
            .group_by(_VOTES.c.value).add_cte(upsert.cte("cast_vote")))


_UPSERT_THEN_OTHERS = _upsert_then_others()


def _upsert(idea_id: str, voter: str, conversation_id: int, value: int, voting_mode: str) -> dict[str, int]:
    """Record the vote; return the idea's counts with it."""
    # The session's connection: nothing is pending in the session, so there is nothing to flush first.
    connection = db.session.connection()
    params = {"idea_id": idea_id, "voter": voter, "conversation_id": conversation_id, "value": value}
    if connection.dialect.name != "postgresql":
        connection.execute(_UPSERT[connection.dialect.name], params)
        return events.vote_counts(idea_id, voting_mode)
    result = connection.execute(_UPSERT_THEN_OTHERS, {"b_" + name: param for name, param in params.items()})
    others: dict[int, int] = {row_value: count for row_value, count in result}
    others[value] = others.get(value, 0) + 1
    return events.counts_by_name(others, voting_mode)


@dataclass(frozen=True)
class VoteResult:
    """What a voter needs back: the idea's counts (None while hidden from them) and their own vote."""

    idea_id: str
    votes: dict[str, int] | None
    my_vote: str | None


def _result(conversation: VotedConversation, idea_id: str, my_vote: str | None, counts: dict[str, int]) -> VoteResult:
    # A voter sees counts even while they are hidden from others (as idea cards do); after a withdrawal, not.
    hidden = counts_hidden(conversation) and my_vote is None
    return VoteResult(idea_id, None if hidden else counts, my_vote)


def cast_vote(participant: Participant, idea_id: str, choice: str) -> VoteResult:
    """Record or change this person's vote on an idea; repeating it changes nothing.

    A handful of statements: the idea's conversation with the idea's access check, the upsert with the idea's new
    counts (two statements on SQLite), and the live event, numbered last (app/live/store.py). No conversation-wide
    counter is touched.
    """
    conversation = voted_conversation(participant, idea_id)
    require_allowed(conversation, "vote")
    allowed = {"support"} if conversation.voting_mode == VotingMode.SUPPORT else {"agree", "disagree", "pass"}
    if choice not in allowed:
        raise InvalidInput("Choose " + " or ".join(sorted(allowed)), field="choice")
    voter = voter_pseudonym(conversation.key(), participant.user_key)
    counts = _upsert(idea_id, voter, conversation.id, VOTE_VALUES[choice], conversation.voting_mode)
    message = events.votes_changed(conversation, idea_id, counts)
    result = _result(conversation, idea_id, choice, counts)  # before the commit expires what it reads
    db.session.commit()
    live.publish(message)
    return result


def withdraw_vote(participant: Participant, idea_id: str) -> VoteResult:
    """Remove this person's vote on an idea, if any."""
    conversation = voted_conversation(participant, idea_id)
    require_allowed(conversation, "vote")
    voter = voter_pseudonym(conversation.key(), participant.user_key)
    removed = db.session.connection().execute(_DELETE, {"idea_id": idea_id, "voter": voter}).rowcount
    counts = events.vote_counts(idea_id, conversation.voting_mode)
    message = events.votes_changed(conversation, idea_id, counts) if removed else None
    result = _result(conversation, idea_id, None, counts)
    db.session.commit()
    live.publish(message)
    return result
