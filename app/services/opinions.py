"""Opinion groups of an agree/disagree conversation, in the manner of Pol.is (the adapter to nlp.opinions).

Voters are the per-conversation pseudonyms already stored on votes; nothing here is stored, and the page
shows only group sizes and statements, never who is in which group.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import sqlalchemy as sa
from flask import current_app

from app.extensions import db
from app.models import ContentStatus, Conversation, Idea, Vote, VotingMode
from app.services.conversations import get_conversation
from app.services.errors import NotFound
from app.services.participants import Participant


@dataclass
class GroupStatement:
    """An idea that sets a group apart: how the group voted on it against everyone else."""

    idea: Idea
    direction: str  # "agree" or "disagree"
    percent_group: int
    percent_others: int


@dataclass
class GroupCard:
    number: int
    size: int
    statements: list[GroupStatement]


@dataclass
class SharedStatement:
    """A consensus or divisive idea with the share of each group that agreed (of those who agreed or disagreed)."""

    idea: Idea
    percent_agree_by_group: list[int]


@dataclass
class OpinionsView:
    conversation: Conversation
    voters: int = 0
    grouped: int = 0
    ideas_voted: int = 0
    min_votes: int = 0
    min_voters: int = 0
    groups: list[GroupCard] = field(default_factory=list)
    consensus: list[SharedStatement] = field(default_factory=list)
    divisive: list[SharedStatement] = field(default_factory=list)


def _percent(value: float) -> int:
    return int(round(100 * value))


def _agree_rates(matrix: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    """Per group and statement: agreed / (agreed + disagreed), 0 where nobody in the group voted either way."""
    rates = np.zeros((k, matrix.shape[1]))
    for g in range(k):
        rows = matrix[labels == g]
        agree, disagree = (rows == 1).sum(axis=0), (rows == -1).sum(axis=0)
        rates[g] = np.divide(agree, agree + disagree, out=np.zeros(matrix.shape[1]), where=(agree + disagree) > 0)
    return rates


def _share(matrix: np.ndarray, rows: np.ndarray, column: int, value: int) -> float:
    """Of these voters who saw a statement (agree, disagree or pass), the share who voted value."""
    seen = ~np.isnan(matrix[rows, column])
    return float((matrix[rows, column] == value).sum() / seen.sum()) if seen.any() else 0.0


def opinion_groups_for(participant: Participant, conversation_id: int, limit: int = 5) -> OpinionsView:
    """Opinion groups, what represents each, and consensus and divisive ideas; NotFound unless agree/disagree."""
    from nlp.opinions import matrix_from_votes, min_votes, opinion_groups

    conversation = get_conversation(participant, conversation_id)
    if conversation.voting_mode != VotingMode.AGREE:
        raise NotFound("This conversation does not use agree and disagree votes.")
    rows = db.session.execute(
        sa.select(Vote.voter, Vote.idea_id, Vote.value).join(Idea, Idea.id == Vote.idea_id).where(
            Vote.conversation_id == conversation.id, Idea.status == ContentStatus.PUBLISHED)
    ).all()
    voters, statements, matrix = matrix_from_votes((v, i, float(value)) for v, i, value in rows)
    view = OpinionsView(conversation, voters=len(voters), ideas_voted=len(statements),
                        min_votes=min_votes(len(statements)),
                        min_voters=current_app.config["CHORUS_MIN_GROUP_SIZE"])
    if not rows:
        return view
    result = opinion_groups(voters, statements, matrix, seed=0)
    view.grouped = len(result.group_of)
    if view.grouped < view.min_voters or result.k < 2:
        return view  # too few voters to show groups without exposing how individuals voted
    ideas = {i.id: i for i in db.session.scalars(sa.select(Idea).where(Idea.id.in_(statements)))}
    labels = np.array([result.group_of.get(v, -1) for v in voters])
    rates = _agree_rates(matrix, labels, result.k)
    column = {s: j for j, s in enumerate(statements)}
    view.groups = []
    for group in result.groups:
        inside, outside = labels == group.id, (labels >= 0) & (labels != group.id)
        statements = []
        for stat in group.representative[:limit]:
            j, value = column[stat.statement_id], 1 if stat.direction == "agree" else -1
            statements.append(GroupStatement(ideas[stat.statement_id], stat.direction,
                                             _percent(_share(matrix, inside, j, value)),
                                             _percent(_share(matrix, outside, j, value))))
        view.groups.append(GroupCard(group.id + 1, len(group.participant_ids), statements))
    view.consensus = [SharedStatement(ideas[s], [_percent(r) for r in rates[:, column[s]]]) for s in result.consensus[:limit]]
    view.divisive = [SharedStatement(ideas[s], [_percent(r) for r in rates[:, column[s]]]) for s in result.divisive[:limit]]
    return view
