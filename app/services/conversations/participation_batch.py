"""The scheduled participation batch: who took part, worked out in memory, stored only as aggregates (rule A4).

Posting, commenting and voting write no participation row at all (rule A1). Once an hour the scheduler queues
one job per conversation; the job recomputes, for every person in the audience, their voter pseudonym and first
author slots (and, for items from before author slots, the author tags), counts people by organisation and staff group, folds groups under k
into "Other", rounds, and replaces the conversation's snapshot. Which person matched is never written anywhere.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from app.crypto import author_slots, author_tag, voter_pseudonym
from app import jobs
from app.jobs import outbox as job_outbox
from app.extensions import db
from app.models import (
    Comment, ContentStatus, Conversation, ConversationStatus, Idea, Membership, ParticipationSnapshot, StaffGroup,
    User, Vote,
)
from app.models.base import this_hour
from app.services.common.errors import NotAllowedNow
from app.services.common.keys import conversation_key
from app.services.conversations.participation import NOT_RECORDED, fold_small_groups, min_group_size, round_to_5

log = logging.getLogger("chorus.participation")


def _audience(conversation: Conversation) -> dict[str, tuple[str, str]]:
    """user key -> (organisation name, staff group name) for everyone who may take part, in memory only."""
    org_ids = [org.id for org in conversation.audience] or [conversation.organisation_id]
    rows = db.session.execute(
        sa.select(User.user_key, Membership.organisation_id, StaffGroup.name)
        .join(Membership, Membership.user_id == User.id)
        .outerjoin(StaffGroup, StaffGroup.id == Membership.staff_group_id)
        .where(Membership.organisation_id.in_(org_ids))
        .order_by(Membership.organisation_id, Membership.id)
    ).all()
    names = {org.id: org.name for org in conversation.audience}
    names.setdefault(conversation.organisation_id, conversation.organisation.name)
    people: dict[str, tuple[str, str]] = {}
    for user_key, org_id, group in rows:  # someone in two audience organisations counts once, under the first
        people.setdefault(user_key, (names[org_id], group or NOT_RECORDED))
    return people


def _items(conversation_id: int) -> list[tuple[str, str]]:
    """(author tag, nonce) of every idea and comment people wrote before author slots existed (imported paper notes
    have no author); later items are found by their slot tags (_slot_tags).

    Keyed by tag, not nonce: a nonce made from a client token can repeat across people and tables.
    """
    ideas = sa.select(Idea.nonce, Idea.author_tag).where(Idea.conversation_id == conversation_id, Idea.source != "paper",
                                                         Idea.slot_tag.is_(None))
    comments = sa.select(Comment.nonce, Comment.author_tag).where(Comment.conversation_id == conversation_id,
                                                                  Comment.slot_tag.is_(None))
    return [(t, n) for n, t in db.session.execute(ideas)] + [(t, n) for n, t in db.session.execute(comments)]


def _slot_tags(conversation_id: int) -> dict[str, set[str]]:
    """Every slot tag of the conversation's ideas and of its comments. A person wrote an item of a kind if and only if
    their first slot of that kind is held: slots are taken in order and items are never deleted one by one."""
    return {kind: set(db.session.scalars(sa.select(model.slot_tag).where(model.conversation_id == conversation_id,
                                                                         model.slot_tag.is_not(None))))
            for kind, model in (("idea", Idea), ("comment", Comment))}


def _part(value: str) -> bytes:
    raw = value.encode()
    return len(raw).to_bytes(4, "big") + raw


def _author_matcher(key: bytes, items: dict[str, str]) -> Callable[[str], str | None]:
    """A fast "which item did this person write?" over items (author tag -> nonce), returning the item's tag.

    The HMAC state after the key, purpose and user key is made once per person and copied per item, as
    app.crypto.tag would compute it from scratch; one probe checks that first, else author_tag is used.
    """
    fast = True
    if items:
        nonce = next(iter(items.values()))
        probe = hmac.new(key, _part("author") + _part("probe-user"), hashlib.sha256)
        probe.update(_part(nonce))
        fast = probe.hexdigest() == author_tag(key, "probe-user", nonce)
    parts = {tag: (_part(nonce), bytes.fromhex(tag)) for tag, nonce in items.items()}

    def find(user_key: str) -> str | None:
        if not fast:  # app.crypto changed its encoding: stay correct, only slower
            return next((t for t, n in items.items() if author_tag(key, user_key, n) == t), None)
        base = hmac.new(key, _part("author") + _part(user_key), hashlib.sha256)
        for tag in items:  # items shrinks as authors are found; parts keeps every item's bytes
            part, digest = parts[tag]
            mac = base.copy()
            mac.update(part)
            if mac.digest() == digest:
                return tag
        return None

    return find


def count_people(conversation: Conversation, key: bytes) -> tuple[Counter[str], Counter[str]]:
    """People who voted or wrote, by organisation and by staff group; voters nobody matches are "Not recorded"."""
    people = _audience(conversation)
    voters = set(db.session.scalars(sa.select(Vote.voter).where(Vote.conversation_id == conversation.id).distinct()))
    slots = _slot_tags(conversation.id)
    unmatched = dict(_items(conversation.id))  # author tag -> nonce, shrinking as authors are found
    author_of = _author_matcher(key, unmatched)
    took_part: list[str] = []
    for user_key in people:
        pseudonym = voter_pseudonym(key, user_key)
        if pseudonym in voters:
            voters.discard(pseudonym)
            took_part.append(user_key)
            continue
        if any(author_slots(key, user_key, kind)(0) in held for kind, held in slots.items()):
            took_part.append(user_key)
            continue
        # Items from before author slots: items x people HMACs at worst; each match removes an item.
        found = author_of(user_key)
        if found is not None:
            del unmatched[found]
            took_part.append(user_key)
    by_org = Counter(people[k][0] for k in took_part)
    by_group = Counter(people[k][1] for k in took_part)
    if voters:  # guests and people no longer in the audience: counted, but under no organisation or group
        by_org[NOT_RECORDED] += len(voters)
        by_group[NOT_RECORDED] += len(voters)
    return by_org, by_group


def _count(model: type[Idea] | type[Comment] | type[Vote], conversation_id: int, *extra: sa.ColumnElement[bool]) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(model).where(model.conversation_id == conversation_id, *extra)) or 0


def refresh_snapshot(conversation_id: int) -> ParticipationSnapshot | None:
    """Recompute a conversation's figures and replace its snapshot; None when its key is gone (kept as it was)."""
    conversation = db.session.get(Conversation, conversation_id)
    if conversation is None:
        return None
    try:
        key = conversation_key(conversation)
    except NotAllowedNow:
        return None
    k = min_group_size()
    by_org, by_group = count_people(conversation, key)
    total = sum(by_org.values())
    values = {
        "computed_hour": this_hour(), "min_group_size": k,
        "ideas": _count(Idea, conversation.id, Idea.status == ContentStatus.PUBLISHED),
        "comments": _count(Comment, conversation.id, Comment.status == ContentStatus.PUBLISHED),
        "votes": _count(Vote, conversation.id),
        "participants": round_to_5(total) if total >= k else None,
        "by_organisation": [[c.label, c.value] for c in fold_small_groups(by_org, k)],
        "by_staff_group": [[c.label, c.value] for c in fold_small_groups(by_group, k)],
    }
    insert = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = insert(ParticipationSnapshot).values(conversation_id=conversation.id, **values)
    # Two workers finishing the same batch: the primary key keeps one snapshot, the later one wins.
    db.session.execute(statement.on_conflict_do_update(index_elements=["conversation_id"], set_=values))
    db.session.commit()
    return db.session.get(ParticipationSnapshot, conversation.id)


@jobs.job("participation.snapshot")
def snapshot_job(conversation_id: int) -> None:
    """The queued batch: skips a conversation already counted this hour (a tick may queue it twice)."""
    snapshot = db.session.get(ParticipationSnapshot, conversation_id)
    if snapshot is None or snapshot.computed_hour < this_hour():
        refresh_snapshot(conversation_id)


def due_conversations(now: datetime | None = None) -> list[int]:
    """Open conversations (and ones closed within the last day) whose snapshot is not from this hour."""
    hour = (now or this_hour()).replace(minute=0, second=0, microsecond=0)
    snapshot_hour = sa.select(ParticipationSnapshot.computed_hour).where(
        ParticipationSnapshot.conversation_id == Conversation.id).scalar_subquery()
    return list(db.session.scalars(sa.select(Conversation.id).where(
        sa.or_(Conversation.status == ConversationStatus.OPEN,
               sa.and_(Conversation.status == ConversationStatus.CLOSED, Conversation.closed_at >= hour - timedelta(days=1))),
        sa.or_(snapshot_hour.is_(None), snapshot_hour < hour),
    ).order_by(Conversation.id)))


def refresh_due(now: datetime | None = None) -> list[int]:
    """Queue this hour's batch for every conversation that needs one (the scheduler tick); returns their ids."""
    due = due_conversations(now)
    for conversation_id in due:
        job_outbox.defer("participation.snapshot", conversation_id)
    db.session.commit()
    job_outbox.dispatch()
    return due
