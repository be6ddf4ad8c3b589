"""Freedom to Speak Up set-up: who the Guardians are, how staff reach them, and the one figure others may see.

A Guardian is a flag on their membership of an organisation, apart from the ranked roles, so admins, leads and
facilitators are not Guardians unless appointed. The only fact about the route anyone else sees is how many posts
were sent in an organisation, counted up to the start of the hour, rounded to 5 and shown only at k or more.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import InstrumentedAttribute

from app.extensions import db
from app.models import Conversation, Membership, SpeakUpContact, SpeakUpThread, User
from app.services.accounts.users import normalise_email
from app.services.common.errors import InvalidInput, NotFound
from app.services.common.transaction import transaction
from app.services.conversations.participation import min_group_size, round_to_5


def guardian_exists(organisation: sa.ColumnElement[int] | InstrumentedAttribute[int]) -> sa.Exists:
    """Whether the organisation has at least one active Guardian, as an expression (the question page reads it in
    the statement that loads the question: access.listed_question)."""
    return (sa.select(Membership.user_id).join(User, User.id == Membership.user_id)
            .where(Membership.organisation_id == organisation, Membership.speak_up_guardian, User.active).exists())


# Asked by every page with a post form: built once with a parameter, not rebuilt and re-keyed each time.
_HAS_GUARDIAN = sa.select(guardian_exists(sa.bindparam("organisation", type_=sa.Integer)))


def has_guardian(organisation_id: int) -> bool:
    """True when the organisation has at least one active Guardian to read what is sent."""
    return bool(db.session.connection().scalar(_HAS_GUARDIAN, {"organisation": organisation_id}))


def guardians(organisation_id: int) -> list[User]:
    return list(db.session.scalars(
        sa.select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.organisation_id == organisation_id, Membership.speak_up_guardian)
        .order_by(User.display_name, User.email)))


def contact_for(organisation_id: int) -> SpeakUpContact:
    """The organisation's Speak Up details (empty ones, not stored, when none have been saved)."""
    return db.session.get(SpeakUpContact, organisation_id) or SpeakUpContact(
        organisation_id=organisation_id, guardian_contact="", local_routes="")


def _membership(scope: frozenset[int], organisation_id: int, user: User | None) -> Membership:
    if organisation_id not in scope:
        raise NotFound("We could not find that organisation.")
    membership = next((m for m in user.memberships if m.organisation_id == organisation_id), None) if user else None
    if membership is None:
        raise InvalidInput("That person is not a member of this organisation. Add them on the People page first.",
                           field="email")
    return membership


@transaction
def appoint_guardian(scope: frozenset[int], organisation_id: int, email: str) -> User:
    """Make a member of the organisation one of its Freedom to Speak Up Guardians."""
    address = normalise_email(email)
    user = db.session.scalar(sa.select(User).where(User.email == address))
    membership = _membership(scope, organisation_id, user)
    assert user is not None  # _membership refused otherwise
    if not user.active:
        raise InvalidInput("That account is deactivated. Reactivate it first.", field="email")
    membership.speak_up_guardian = True
    return user


@transaction
def remove_guardian(scope: frozenset[int], organisation_id: int, user_id: int) -> None:
    membership = _membership(scope, organisation_id, db.session.get(User, user_id))
    membership.speak_up_guardian = False


@transaction
def save_contact(scope: frozenset[int], organisation_id: int, guardian_contact: str, local_routes: str) -> SpeakUpContact:
    """Save how staff reach the Guardian and the organisation's other routes (plain text, shown on the Speak Up page)."""
    if organisation_id not in scope:
        raise NotFound("We could not find that organisation.")
    contact = db.session.get(SpeakUpContact, organisation_id) or SpeakUpContact(organisation_id=organisation_id)
    contact.guardian_contact = (guardian_contact or "").strip()[:1000]
    contact.local_routes = (local_routes or "").strip()[:2000]
    db.session.add(contact)
    return contact


def sent_count(organisation_id: int) -> int | None:
    """Posts sent to the organisation's Guardians, rounded to 5; None while fewer than k (the only figure admins see)."""
    count = db.session.scalar(
        sa.select(sa.func.count()).select_from(SpeakUpThread).join(Conversation)
        .where(Conversation.organisation_id == organisation_id)) or 0
    return round_to_5(count) if count >= min_group_size() else None
