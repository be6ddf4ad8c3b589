"""Who may see or act on what: every participant, facilitator and change-hub lead check, in one place.

Each getter returns the thing or raises NotFound, so something a person may not reach looks exactly like
something that does not exist (404, never 403).
"""

from __future__ import annotations

import functools
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, defer

from app.extensions import db
from app.models import Conversation, ConversationStatus, Organisation, Question, SpeakUpThread, Theme, audience
from app.models.base import utcnow
from app.models.conversation import ConversationState
from app.services.common.errors import NotAllowedNow, NotFound
from app.services.common.participants import Participant


def visible_conversations(participant: Participant) -> list[Conversation]:
    """Open and closed conversations whose audience includes one of the person's organisations."""
    if participant.guest_conversation_id is not None:
        guest = db.session.get(Conversation, participant.guest_conversation_id)
        return [guest] if guest is not None and can_see(participant, guest) else []
    if not participant.organisation_ids:
        return []
    query = (
        sa.select(Conversation)
        .join(audience, audience.c.conversation_id == Conversation.id)
        .where(
            audience.c.organisation_id.in_(participant.organisation_ids),
            Conversation.status != ConversationStatus.DRAFT,
        )
        .distinct()
        .order_by(Conversation.status.desc(), Conversation.created_at.desc())
    )
    return list(db.session.scalars(query))


def can_see(participant: Participant, conversation: Conversation) -> bool:
    if participant.guest_conversation_id is not None:
        return (conversation.id == participant.guest_conversation_id and conversation.allow_guests
                and conversation.status != ConversationStatus.DRAFT)
    if conversation.organisation_id in participant.facilitates:
        return True
    if conversation.status == ConversationStatus.DRAFT:
        return False
    return any(org.id in participant.organisation_ids for org in conversation.audience)


def visible_to(participant: Participant) -> sa.ColumnElement[bool]:
    """can_see as SQL, so a lookup checks access in the same statement that loads the thing (no audience load)."""
    if participant.guest_conversation_id is not None:
        return ((Conversation.id == participant.guest_conversation_id) & Conversation.allow_guests.is_(True)
                & (Conversation.status != ConversationStatus.DRAFT))
    in_audience = sa.exists().where(audience.c.conversation_id == Conversation.id,
                                    audience.c.organisation_id.in_(participant.organisation_ids))
    return (Conversation.organisation_id.in_(participant.facilitates)
            | ((Conversation.status != ConversationStatus.DRAFT) & in_audience))


def member_visibility() -> sa.ColumnElement[bool]:
    """visible_to for a member (not a guest) with bind parameters instead of values, so a hot lookup can build its
    statement once; execute it with visibility_params(participant)."""
    in_audience = sa.exists().where(audience.c.conversation_id == Conversation.id,
                                    audience.c.organisation_id.in_(sa.bindparam("organisations", expanding=True)))
    return (Conversation.organisation_id.in_(sa.bindparam("facilitates", expanding=True))
            | ((Conversation.status != ConversationStatus.DRAFT) & in_audience))


def visibility_params(participant: Participant) -> dict[str, list[int]]:
    """The values member_visibility's bind parameters take for this person."""
    return {"facilitates": sorted(participant.facilitates), "organisations": sorted(participant.organisation_ids)}


def get_conversation(participant: Participant, conversation_id: int) -> Conversation:
    """A conversation this person may see, or NotFound (drafts only to its facilitators)."""
    conversation = db.session.scalar(  # one statement with the access check (no audience load)
        sa.select(Conversation).where(Conversation.id == conversation_id, visible_to(participant)))
    if conversation is None:
        raise NotFound("We could not find that conversation.")
    return conversation


@functools.cache  # every page and list of ideas asks this: built once with parameters, not on every request
def _member_question(guardian: bool = False) -> sa.Select:
    query = sa.select(Question, *_guardian_column(guardian))
    return (query.join(Question.conversation)
            .where(Question.id == sa.bindparam("question"), member_visibility())
            .options(*_question_loading(guardian)))


def _guardian_column(guardian: bool) -> list[sa.ColumnElement[bool]]:
    if not guardian:
        return []
    from app.services.speakup.settings import guardian_exists  # (settings imports services that import access)

    return [guardian_exists(Conversation.organisation_id).label("guardian")]


def _question_loading(page: bool) -> list[Any]:
    """The question's conversation loaded with it; for the question page (`page`: get_question_with_guardian, its
    only caller) without what that page does not show: the organisation (joined on every conversation otherwise, one
    more entity to build) and the two descriptions, which would load on first use if asked (the page's statement
    budget says they are not)."""
    eager = contains_eager(Question.conversation)
    if not page:
        return [eager]
    return [eager.lazyload(Conversation.organisation), eager.defer(Conversation.description),
            defer(Question.description)]


def _question_row(participant: Participant, question_id: int, guardian: bool) -> sa.Row:
    # One statement: the question, its conversation (with its key) and the access check together.
    if participant.guest_conversation_id is None:
        row = db.session.execute(_member_question(guardian),
                                 {"question": question_id, **visibility_params(participant)}).first()
    else:
        row = db.session.execute(
            sa.select(Question, *_guardian_column(guardian)).join(Question.conversation)
            .where(Question.id == question_id, visible_to(participant))
            .options(*_question_loading(guardian))
        ).first()
    if row is None:
        raise NotFound("We could not find that question.")
    return row


def get_question(participant: Participant, question_id: int) -> Question:
    """A question in a conversation this person may see, or NotFound."""
    question: Question = _question_row(participant, question_id, False)[0]
    return question


def get_question_with_guardian(participant: Participant, question_id: int) -> tuple[Question, bool]:
    """get_question, and whether its organisation has an active Freedom to Speak Up Guardian
    (speakup.settings.has_guardian) in the same statement: the question page asks both."""
    question, guardian = _question_row(participant, question_id, True)
    return question, bool(guardian)


def require_accepting(conversation: ConversationState) -> None:
    """Raise NotAllowedNow unless the conversation takes posts, comments and votes right now."""
    if not conversation.is_accepting():
        if conversation.status == ConversationStatus.DRAFT:
            raise NotAllowedNow("This conversation has not opened yet.")
        if conversation.opens_at and utcnow() < conversation.opens_at:
            raise NotAllowedNow("This conversation has not opened yet.")
        raise NotAllowedNow("This conversation has closed, so it no longer takes new posts, comments or votes.")


def managed_conversations(organisation_ids: frozenset[int]) -> list[Conversation]:
    """Conversations owned by organisations where the person facilitates, newest first."""
    if not organisation_ids:
        return []
    return list(
        db.session.scalars(
            sa.select(Conversation)
            .where(Conversation.organisation_id.in_(organisation_ids))
            .order_by(Conversation.created_at.desc())
        )
    )


def get_managed_conversation(organisation_ids: frozenset[int], conversation_id: int) -> Conversation:
    """A conversation the person facilitates, or NotFound."""
    conversation = db.session.get(Conversation, conversation_id)
    if conversation is None or conversation.organisation_id not in organisation_ids:
        raise NotFound("We could not find that conversation.")
    return conversation


def allowed_audience(owner: Organisation, current: list[Organisation] | None = None) -> list[Organisation]:
    """Who may be asked to take part: the owner and its partnership (plus any already asked), by name."""
    orgs = {owner.id: owner, **{o.id: o for o in current or []}}
    if owner.partnership is not None:
        orgs |= {o.id: o for o in owner.partnership.organisations}
    return sorted(orgs.values(), key=lambda o: o.name)


def visible_audience(participant: Participant, conversation: Conversation) -> list[Organisation]:
    """The audience as this person may see it: only their own organisations and their partnerships'."""
    own = participant.organisation_ids | participant.facilitates
    partnerships = set(db.session.scalars(
        sa.select(Organisation.partnership_id).where(Organisation.id.in_(own), Organisation.partnership_id.is_not(None))))
    return [o for o in conversation.audience if o.id in own or o.partnership_id in partnerships]


def get_led_conversation(lead_orgs: frozenset[int], conversation_id: int) -> Conversation:
    """A conversation run by an organisation where the person is a change-hub lead, or NotFound."""
    conversation = db.session.get(Conversation, conversation_id)
    if conversation is None or conversation.organisation_id not in lead_orgs:
        raise NotFound("We could not find that conversation.")
    return conversation


def get_led_theme(lead_orgs: frozenset[int], theme_id: int) -> Theme:
    """A theme of a conversation the person leads, or NotFound."""
    theme = db.session.get(Theme, theme_id)
    if theme is None:
        raise NotFound("We could not find that theme.")
    get_led_conversation(lead_orgs, theme.conversation_id)
    return theme


def get_guardian_thread(guardian_of: frozenset[int], thread_id: str) -> SpeakUpThread:
    """A Speak Up thread sent to an organisation where the person is a Guardian, or NotFound."""
    thread = db.session.scalar(
        sa.select(SpeakUpThread).join(Conversation, Conversation.id == SpeakUpThread.conversation_id)
        .where(SpeakUpThread.id == thread_id, Conversation.organisation_id.in_(guardian_of)))
    if thread is None:
        raise NotFound("We could not find that message.")
    return thread


def organisation(organisation_id: int) -> Organisation:
    """An organisation by id, or NotFound (organisations' names and Speak Up details are not secret)."""
    found = db.session.get(Organisation, organisation_id)
    if found is None:
        raise NotFound("We could not find that organisation.")
    return found
