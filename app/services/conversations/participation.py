"""Participation figures for facilitators: read from the last scheduled batch, never live.

Nothing here runs when someone posts or votes (rules A1 and A4). A scheduled batch
(app/services/conversations/participation_batch.py) recomputes who took part in memory and stores only a snapshot of
aggregates; pages and the API show that snapshot and the hour it was computed. Groups (organisations and
staff groups alike) with fewer than k people (CHORUS_MIN_GROUP_SIZE, never below 10) are folded into "Other"
and never named; if "Other" itself would then be under k, the next smallest group joins it, so no hidden
figure can be worked out from the total. Counts of people are rounded to 5.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import current_app

from app.extensions import db
from app.models import Comment, ContentStatus, Conversation, Idea, ParticipationSnapshot, Vote

OTHER = "Other"
NOT_RECORDED = "Not recorded"
MIN_FLOOR = 10


def min_group_size() -> int:
    """k: never below 10, whatever the configuration says."""
    return max(MIN_FLOOR, int(current_app.config.get("CHORUS_MIN_GROUP_SIZE", 11)))


@dataclass
class Cell:
    """One row of a breakdown: a rounded count, or None when it is hidden (only "Other" is ever hidden)."""

    label: str
    value: int | None

    @property
    def hidden(self) -> bool:
        return self.value is None


@dataclass
class ParticipationFigures:
    """What the last batch found; every figure is None until the first batch has run."""

    conversation: Conversation
    k: int
    updated_at: datetime | None = None  # the hour the batch ran
    ideas: int | None = None
    comments: int | None = None
    votes: int | None = None
    participants: int | None = None  # rounded to 5; None when fewer than k
    by_organisation: list[Cell] = field(default_factory=list)
    by_staff_group: list[Cell] = field(default_factory=list)

    @property
    def fewer_than(self) -> str:
        return f"fewer than {self.k}"


def round_to_5(value: int) -> int:
    """Round half up to the nearest 5 (exact counts are never shown)."""
    return int((value + 2.5) // 5 * 5)


def fold_small_groups(counts: dict[str, int], k: int) -> list[Cell]:
    """Named cells for groups of at least k people, the rest summed into "Other", never named.

    If "Other" holds fewer than k people, the smallest named groups join it until it holds k (complementary
    suppression: otherwise "Other" could be shown as total minus the named cells). "Other" is hidden only when
    everyone together is fewer than k. Named cells are listed by size, "Other" always last.
    """
    other = sum(n for label, n in counts.items() if n < k or label == OTHER)
    named = sorted((n, label) for label, n in counts.items() if n >= k and label != OTHER)
    while 0 < other < k and named:
        other += named.pop(0)[0]
    cells = [Cell(label, round_to_5(n)) for n, label in sorted(named, key=lambda item: (-item[0], item[1]))]
    if other:
        cells.append(Cell(OTHER, round_to_5(other) if other >= k else None))
    return cells


def _cells(stored: list[Any]) -> list[Cell]:  # JSON: [[label, count or null], ...]
    return [Cell(str(label), None if value is None else int(value)) for label, value in stored]


def participation_figures(conversation: Conversation) -> ParticipationFigures:
    """The figures of the last batch for a conversation (empty until the first batch)."""
    snapshot = db.session.get(ParticipationSnapshot, conversation.id)
    if snapshot is None:
        return ParticipationFigures(conversation=conversation, k=min_group_size())
    return ParticipationFigures(
        conversation=conversation, k=snapshot.min_group_size, updated_at=snapshot.computed_hour,
        ideas=snapshot.ideas, comments=snapshot.comments, votes=snapshot.votes, participants=snapshot.participants,
        by_organisation=_cells(snapshot.by_organisation), by_staff_group=_cells(snapshot.by_staff_group),
    )


def conversation_counts(conversation_ids: list[int]) -> dict[int, tuple[int, int, int]]:
    """(ideas, comments, votes) per conversation, for the facilitator's list.

    Live, unlike the figures above: these are totals every participant can already see on the conversation's
    pages, and they say nothing about organisations or staff groups.
    """
    def grouped(model: type[Idea] | type[Comment] | type[Vote], *extra: sa.ColumnElement[bool]) -> dict[int, int]:
        return dict(db.session.execute(
            sa.select(model.conversation_id, sa.func.count()).where(model.conversation_id.in_(conversation_ids), *extra)
            .group_by(model.conversation_id)).all())

    ideas = grouped(Idea, Idea.status == ContentStatus.PUBLISHED)
    comments = grouped(Comment, Comment.status == ContentStatus.PUBLISHED)
    votes = grouped(Vote)
    return {i: (ideas.get(i, 0), comments.get(i, 0), votes.get(i, 0)) for i in conversation_ids}
