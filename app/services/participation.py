"""Participation figures: who took part, by organisation and staff group, without ever saying who.

`record_participation` is called inside the transaction that posts, comments or votes. It inserts one
row per person per conversation with ON CONFLICT DO NOTHING, so repeated or concurrent posting can
never make a second row. Figures are shown only for groups of at least k people (CHORUS_MIN_GROUP_SIZE),
rounded to 5, with complementary suppression so that a hidden cell cannot be worked out from the total.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite

from app.crypto import tag
from app.extensions import db
from app.models import Comment, ContentStatus, Conversation, Idea, Membership, Organisation, Participation, StaffGroup, Vote
from app.services.keys import conversation_key
from app.services.participants import Participant

OTHER = "Other"
NOT_RECORDED = "Not recorded"
MIN_FLOOR = 10


def min_group_size() -> int:
    """k: never below 10, whatever the configuration says."""
    return max(MIN_FLOOR, int(current_app.config.get("CHORUS_MIN_GROUP_SIZE", 11)))


def participant_pseudonym(key: bytes, user_key: str) -> str:
    """A per-conversation pseudonym used only for counting people; unrelated to vote and author tags."""
    return tag(key, "participant", user_key)


def _group_label(organisation_id: int, staff_group_id: int | None) -> str:
    if staff_group_id is None:
        return NOT_RECORDED
    roster = db.session.scalar(
        sa.select(sa.func.count()).select_from(Membership).where(
            Membership.organisation_id == organisation_id, Membership.staff_group_id == staff_group_id)
    ) or 0
    if roster < min_group_size():
        return OTHER
    group = db.session.get(StaffGroup, staff_group_id)
    return group.name if group else OTHER


def record_participation(conversation: Conversation, participant: Participant) -> None:
    """Note (once) that this person took part; flushes only, so it commits with the post or vote."""
    audience = {org.id for org in conversation.audience}
    membership = next(((o, g) for o, g in participant.memberships if o in audience), None)
    if membership is None:
        membership = next(((o, g) for o, g in participant.memberships if o == conversation.organisation_id), None)
    organisation_id, label = (membership[0], _group_label(*membership)) if membership else (None, NOT_RECORDED)
    values = {
        "conversation_id": conversation.id,
        "pseudonym": participant_pseudonym(conversation_key(conversation), participant.user_key),
        "organisation_id": organisation_id,
        "staff_group": label,
    }
    insert = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    db.session.execute(insert(Participation).values(**values).on_conflict_do_nothing())


# --- figures ---------------------------------------------------------------------------------


@dataclass
class Cell:
    """One row of a breakdown: a rounded count, or None when it is hidden."""

    label: str
    value: int | None

    @property
    def hidden(self) -> bool:
        return self.value is None


@dataclass
class ParticipationFigures:
    conversation: Conversation
    k: int
    ideas: int
    comments: int
    votes: int
    participants: int | None  # rounded to 5; None when fewer than k
    by_organisation: list[Cell] = field(default_factory=list)
    by_staff_group: list[Cell] = field(default_factory=list)

    @property
    def fewer_than(self) -> str:
        return f"fewer than {self.k}"


def round_to_5(value: int) -> int:
    """Round half up to the nearest 5 (exact counts are never shown)."""
    return int((value + 2.5) // 5 * 5)


def suppress(counts: dict[str, int], k: int) -> list[Cell]:
    """Hide cells under k, then more cells (smallest first) until the hidden ones hold at least k people.

    Without the second step, a single hidden cell could be worked out as the total minus the shown cells.
    """
    hidden = {label for label, n in counts.items() if n < k}
    visible = sorted((n, label) for label, n in counts.items() if label not in hidden)
    while hidden and sum(counts[label] for label in hidden) < k and visible:
        hidden.add(visible.pop(0)[1])
    # Shown cells by size, then hidden ones by name: ordering hidden cells by their true size would leak it.
    ordered = sorted(counts.items(), key=lambda item: (item[0] in hidden, -item[1] if item[0] not in hidden else 0, item[0]))
    return [Cell(label, None if label in hidden else round_to_5(n)) for label, n in ordered]


def _count(model: type, conversation_id: int, *extra: sa.ColumnElement[bool]) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(model).where(model.conversation_id == conversation_id, *extra)
    ) or 0


def participation_figures(conversation: Conversation) -> ParticipationFigures:
    """Totals and suppressed breakdowns for a conversation."""
    k = min_group_size()
    by_org = dict(db.session.execute(
        sa.select(sa.func.coalesce(Organisation.name, NOT_RECORDED), sa.func.count())
        .select_from(Participation)
        .outerjoin(Organisation, Organisation.id == Participation.organisation_id)
        .where(Participation.conversation_id == conversation.id)
        .group_by(Organisation.name)
    ).all())
    by_group = dict(db.session.execute(
        sa.select(Participation.staff_group, sa.func.count())
        .where(Participation.conversation_id == conversation.id)
        .group_by(Participation.staff_group)
    ).all())
    total = sum(by_org.values())
    return ParticipationFigures(
        conversation=conversation,
        k=k,
        ideas=_count(Idea, conversation.id, Idea.status == ContentStatus.PUBLISHED),
        comments=_count(Comment, conversation.id, Comment.status == ContentStatus.PUBLISHED),
        votes=_count(Vote, conversation.id),
        participants=round_to_5(total) if total >= k else None,
        by_organisation=suppress(by_org, k),
        by_staff_group=suppress(by_group, k),
    )


def conversation_counts(conversation_ids: list[int]) -> dict[int, tuple[int, int, int]]:
    """(ideas, comments, votes) per conversation, for the facilitator's list."""
    def grouped(model: type, *extra: sa.ColumnElement[bool]) -> dict[int, int]:
        return dict(db.session.execute(
            sa.select(model.conversation_id, sa.func.count()).where(model.conversation_id.in_(conversation_ids), *extra)
            .group_by(model.conversation_id)).all())

    ideas = grouped(Idea, Idea.status == ContentStatus.PUBLISHED)
    comments = grouped(Comment, Comment.status == ContentStatus.PUBLISHED)
    votes = grouped(Vote)
    return {i: (ideas.get(i, 0), comments.get(i, 0), votes.get(i, 0)) for i in conversation_ids}
