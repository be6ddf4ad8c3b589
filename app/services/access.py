"""Who may see or act on what: every participant, facilitator and change-hub lead check, in one place.

Each getter returns the thing or raises NotFound, so something a person may not reach looks exactly like
something that does not exist (404, never 403).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager

from app.extensions import db
from app.models import (Conversation, ConversationKey, ConversationStatus, Organisation, Question, SpeakUpThread, Theme,
                        audience)
from app.models.base import utcnow
from app.models.conversation import ConversationState, accepting
from app.services.common.errors import NotAllowedNow, NotFound
from app.services.common.keys import stored_key
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


@functools.cache  # every idea posted asks this: built once with parameters, not on every request
def _member_question() -> sa.Select:
    return (sa.select(Question).join(Question.conversation)
            .where(Question.id == sa.bindparam("question"), member_visibility())
            .options(contains_eager(Question.conversation)))


def get_question(participant: Participant, question_id: int) -> Question:
    """A question in a conversation this person may see, or NotFound."""
    # One statement: the question, its conversation (with its key) and the access check together.
    if participant.guest_conversation_id is None:
        question = db.session.scalar(_member_question(), {"question": question_id, **visibility_params(participant)})
    else:
        question = db.session.scalar(
            sa.select(Question).join(Question.conversation)
            .where(Question.id == question_id, visible_to(participant))
            .options(contains_eager(Question.conversation)))
    if question is None:
        raise NotFound("We could not find that question.")
    return question


@dataclass(frozen=True, slots=True)
class VotedConversation:
    """What a vote reads of the idea's conversation (open/closed state, phase, voting mode, whether counts are
    hidden, the wrapped key), from one narrow row: no ORM object of its 40-odd columns and its key is built."""

    id: int
    status: str
    opens_at: datetime | None
    closes_at: datetime | None
    phase: str | None
    phase_ends_at: datetime | None
    auto_advance: bool
    votes_hidden: bool
    voting_mode: str
    wrapped_key: bytes | None
    key_epoch: str | None

    def is_accepting(self, now: datetime | None = None) -> bool:
        return accepting(self, now)

    def key(self) -> bytes:
        """The unwrapped conversation key, or NotAllowedNow once destroyed (as keys.conversation_key)."""
        return stored_key(self.id, self.wrapped_key, self.key_epoch)


VOTED_COLUMNS = (Conversation.id, Conversation.status, Conversation.opens_at, Conversation.closes_at,
                 Conversation.phase, Conversation.phase_ends_at, Conversation.auto_advance, Conversation.votes_hidden,
                 Conversation.voting_mode, ConversationKey.wrapped, ConversationKey.epoch_id)


@dataclass(frozen=True, slots=True)
class ListedConversation(VotedConversation):
    """What a list of a question's ideas reads of its conversation (listing.list_ideas, the question page and its
    navigation and idea form, the cards, the API list): a vote's narrow row and these, not an ORM object of 40-odd
    columns and its key."""

    organisation_id: int
    title: str
    kind: str
    named_mode: bool
    live_seq: int


@dataclass(frozen=True, slots=True)
class ListedQuestion:
    """What a list of a question's ideas reads of the question: its id and text, and its conversation."""

    id: int
    text: str
    conversation: ListedConversation


_LISTED_COLUMNS = (Question.id, Question.text, *VOTED_COLUMNS, Conversation.organisation_id, Conversation.title,
                   Conversation.kind, Conversation.named_mode, Conversation.live_seq)


def _listed(access: sa.ColumnElement[bool], question_id: sa.BindParameter[int] | int, guardian: bool) -> sa.Select:
    return (sa.select(*_LISTED_COLUMNS, *_guardian_column(guardian)).select_from(Question)
            .join(Conversation, Conversation.id == Question.conversation_id)
            .outerjoin(ConversationKey, ConversationKey.conversation_id == Conversation.id)
            .where(Question.id == question_id, access))


@functools.cache  # every page and list of ideas asks this: built once with parameters, not on every request
def _member_listed(guardian: bool) -> sa.Select:
    return _listed(member_visibility(), sa.bindparam("question"), guardian)


def _guardian_column(guardian: bool) -> list[sa.ColumnElement[bool]]:
    if not guardian:
        return []
    from app.services.speakup.settings import guardian_exists  # (settings imports services that import access)

    return [guardian_exists(Conversation.organisation_id).label("guardian")]


def listed_question(participant: Participant, question_id: int, guardian: bool = False
                    ) -> tuple[ListedQuestion, bool | None]:
    """get_question for a list of its ideas, as a narrow row (ListedQuestion), in one statement with the access
    check; with `guardian`, also whether its organisation has an active Freedom to Speak Up Guardian
    (speakup.settings.has_guardian: the question page offers "also send"), else None."""
    connection = db.session.connection()
    if participant.guest_conversation_id is None:
        row = connection.execute(_member_listed(guardian),
                                 {"question": question_id, **visibility_params(participant)}).first()
    else:
        row = connection.execute(_listed(visible_to(participant), question_id, guardian)).first()
    if row is None:
        raise NotFound("We could not find that question.")
    conversation = ListedConversation(*row[2:len(_LISTED_COLUMNS)])
    return ListedQuestion(row[0], row[1], conversation), bool(row[-1]) if guardian else None


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
