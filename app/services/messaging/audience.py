"""Who a broadcast goes to: the conversation's audience, optionally narrowed to organisations or staff groups of
at least k people. Nothing here reads content, votes or pseudonyms, so no recipient is ever chosen by what a person
wrote or voted (docs/anonymity.md, "Invitations, reminders and announcements").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from app.extensions import db
from app.models import Conversation, MessageKind, MessagePreference, Membership, Organisation, StaffGroup, User
from app.services.common.errors import InvalidInput
from app.services.conversations.participation import min_group_size


@dataclass(frozen=True)
class Choice:
    id: int
    label: str


@dataclass(frozen=True)
class AudienceChoices:
    """The organisations and staff groups a message may be narrowed to: only those of at least k people."""

    organisations: list[Choice]
    staff_groups: list[Choice]
    k: int


def audience_org_ids(conversation: Conversation) -> list[int]:
    return [o.id for o in conversation.audience] or [conversation.organisation_id]


def _members(org_ids: list[int]) -> sa.Select[Any]:
    return (sa.select(Membership.user_id).join(User, User.id == Membership.user_id)
            .where(Membership.organisation_id.in_(org_ids), User.active.is_(True)))


def choices(conversation: Conversation) -> AudienceChoices:
    """Organisations and staff groups in the audience with at least k active people (smaller ones are not named)."""
    k = min_group_size()
    org_ids = audience_org_ids(conversation)
    people = sa.func.count(sa.distinct(Membership.user_id))
    orgs = db.session.execute(
        sa.select(Organisation.id, Organisation.name).join(Membership, Membership.organisation_id == Organisation.id)
        .join(User, User.id == Membership.user_id)
        .where(Organisation.id.in_(org_ids), User.active.is_(True))
        .group_by(Organisation.id, Organisation.name).having(people >= k).order_by(Organisation.name)).all()
    groups = db.session.execute(
        sa.select(StaffGroup.id, StaffGroup.name, Organisation.name)
        .join(Organisation, Organisation.id == StaffGroup.organisation_id)
        .join(Membership, Membership.staff_group_id == StaffGroup.id).join(User, User.id == Membership.user_id)
        .where(StaffGroup.organisation_id.in_(org_ids), User.active.is_(True))
        .group_by(StaffGroup.id, StaffGroup.name, Organisation.name).having(people >= k)
        .order_by(Organisation.name, StaffGroup.name)).all()
    many = len(org_ids) > 1
    return AudienceChoices(
        organisations=[Choice(i, name) for i, name in orgs],
        staff_groups=[Choice(i, f"{name} ({org})" if many else name) for i, name, org in groups], k=k)


def check_filter(conversation: Conversation, organisation_ids: list[int], staff_group_ids: list[int]) -> dict[str, list[int]]:
    """The filter as stored, or InvalidInput when it names a group that is not offered or leaves fewer than k people."""
    offered = choices(conversation)
    orgs, groups = sorted(set(organisation_ids)), sorted(set(staff_group_ids))
    if not set(orgs) <= {c.id for c in offered.organisations}:
        raise InvalidInput("Choose organisations from the list: only those with at least "
                           f"{offered.k} people in this conversation's audience can be chosen.", field="organisation_ids")
    if not set(groups) <= {c.id for c in offered.staff_groups}:
        raise InvalidInput("Choose staff groups from the list: only those with at least "
                           f"{offered.k} people can be chosen.", field="staff_group_ids")
    chosen = {"organisation_ids": orgs, "staff_group_ids": groups}
    if (orgs or groups) and count(conversation, chosen) < offered.k:
        raise InvalidInput(f"Those organisations and staff groups together have fewer than {offered.k} people. "
                           "Choose more, or send to the whole audience.", field="organisation_ids")
    return chosen


def _selection(conversation: Conversation, audience_filter: dict[str, Any], kind: MessageKind | None) -> sa.Select[Any]:
    org_ids = audience_org_ids(conversation)
    chosen_orgs = [i for i in audience_filter.get("organisation_ids") or [] if i in org_ids]
    query = _members(chosen_orgs or org_ids)
    groups = audience_filter.get("staff_group_ids") or []
    if groups:
        query = query.where(Membership.staff_group_id.in_(groups))
    if kind is not None and kind.can_unsubscribe:
        query = query.where(~sa.exists().where(MessagePreference.user_id == Membership.user_id,
                                                MessagePreference.kind == kind.value))
    return query


def count(conversation: Conversation, audience_filter: dict[str, Any], kind: MessageKind | None = None) -> int:
    """How many people the message would reach (a number only, never who)."""
    inner = _selection(conversation, audience_filter, kind).distinct().subquery()
    return db.session.scalar(sa.select(sa.func.count()).select_from(inner)) or 0


def recipients(conversation: Conversation, audience_filter: dict[str, Any], kind: MessageKind,
               start: int = 0, limit: int = 500) -> list[tuple[int, str]]:
    """(user id, email) of recipients in user-id order from position `start`: read while sending, never stored."""
    ids = _selection(conversation, audience_filter, kind).distinct().subquery()
    return [(i, e) for i, e in db.session.execute(
        sa.select(User.id, User.email).where(User.id.in_(sa.select(ids.c.user_id)))
        .order_by(User.id).offset(start).limit(limit)).all()]


def describe(conversation: Conversation, audience_filter: dict[str, Any]) -> str:
    """The filter in words, for the send log."""
    orgs, groups = audience_filter.get("organisation_ids") or [], audience_filter.get("staff_group_ids") or []
    if not orgs and not groups:
        return "Everyone in the audience"
    names = []
    if orgs:
        names += list(db.session.scalars(sa.select(Organisation.name).where(Organisation.id.in_(orgs)).order_by(Organisation.name)))
    if groups:
        names += list(db.session.scalars(sa.select(StaffGroup.name).where(StaffGroup.id.in_(groups)).order_by(StaffGroup.name)))
    return ", ".join(names)
