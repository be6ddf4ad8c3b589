"""API: conversations, their questions, "my posts", and facilitators' create/edit/open/close."""

from __future__ import annotations

from typing import Any

from flask import abort, url_for
from flask_login import current_user

from app.api import bp, for_role
from app.auth import signed_in_record
from app.api.schemas.conversations import (Conversation, ConversationCreate, ConversationEdit, ConversationList, Me,
                                           Membership, Mine, Question, QuestionList)
from app.api.schemas.content import Comment, Idea
from app.api.spec import WRITE, parsed_json, responses, validate
from app.models import Conversation as ConversationRow
from app.models import Role
from app.services import access
from app.services.content import grace
from app.services.content.listing import my_posts
from app.services.conversations import lifecycle
from app.views import acting

_DEFAULTS = {"title": "", "description": "", "kind": "online", "voting_mode": "support", "comments_enabled": True,
             "named_mode": False, "audience_ids": [], "questions": [], "opens_at": None, "closes_at": None,
             "batch_release": False, "batch_size": 5, "batch_max_wait_hours": 24}


def _details(base: dict, sent: ConversationEdit) -> lifecycle.ConversationDetails:
    """The fields sent, over `base`."""
    given = {name: getattr(sent, name) for name in sent.model_fields_set if name in _DEFAULTS}
    return lifecycle.ConversationDetails(**(base | given))


def _full(conversation: ConversationRow) -> Conversation:
    """The whole conversation, its audience limited to organisations the caller may see."""
    # Never a trust outside the caller's own partnership, even in an audience stored before the rule held.
    return Conversation.of(conversation, audience=access.visible_audience(acting(), conversation))


def _current(conversation: ConversationRow) -> dict[str, Any]:
    return {"title": conversation.title, "description": conversation.description, "kind": conversation.kind,
            "voting_mode": conversation.voting_mode, "comments_enabled": conversation.comments_enabled,
            "named_mode": conversation.named_mode, "audience_ids": [org.id for org in conversation.audience],
            "questions": [q.text for q in conversation.questions], "opens_at": conversation.opens_at,
            "closes_at": conversation.closes_at, "batch_release": conversation.batch_release,
            "batch_size": conversation.batch_size, "batch_max_wait_hours": conversation.batch_max_wait_hours}


@bp.get("/me")
@validate(resp=responses(200, Me, (401,)))
def me() -> Me:
    """The signed-in person's organisations and roles."""
    # The memberships' organisation and staff group names come from the rows themselves (a guest has none).
    user = current_user if getattr(current_user, "is_guest", False) else signed_in_record()
    return Me(display_name=user.display_name, memberships=[
        Membership(organisation=m.organisation.name, organisation_id=m.organisation_id, role=m.role,
                   staff_group=m.staff_group.name if m.staff_group else None) for m in user.memberships])


@bp.get("/conversations")
@validate(resp=responses(200, ConversationList, (401,)))
def list_conversations() -> ConversationList:
    """Conversations open to you."""
    return ConversationList(conversations=[Conversation.of(c) for c in access.visible_conversations(acting())])


@bp.get("/conversations/<int:conversation_id>")
@validate(resp=responses(200, Conversation))
def get_conversation(conversation_id: int) -> Conversation:
    """A conversation with its questions."""
    return _full(access.get_conversation(acting(), conversation_id))


@bp.get("/conversations/<int:conversation_id>/questions")
@validate(resp=responses(200, QuestionList))
def list_questions(conversation_id: int) -> QuestionList:
    """The questions of a conversation."""
    conversation = access.get_conversation(acting(), conversation_id)
    return QuestionList(questions=[Question.of(q) for q in conversation.questions])


@bp.get("/conversations/<int:conversation_id>/mine")
@validate(resp=responses(200, Mine))
def mine(conversation_id: int) -> Mine:
    """Your own ideas and comments, found by recomputing author tags."""
    posts = my_posts(acting(), conversation_id)
    conversation = posts.conversation
    until = grace.grace_ends(conversation) if grace.in_grace_period(conversation) else None
    return Mine(ideas=[Idea.of(card) for card in posts.ideas], comments=[Comment.of(c, True) for c in posts.comments],
                # Archived: the key is destroyed, nothing can be found or changed. Otherwise whether edits are
                # possible now, and (after closing) until when.
                archived=posts.archived,
                can_edit=grace.may_change(conversation, "edit") or grace.may_change(conversation, "withdraw"),
                edit_until=until.isoformat() + "Z" if until else None)


@bp.post("/conversations")
@for_role(Role.FACILITATOR)
@validate(json=ConversationCreate, resp=responses(201, Conversation, WRITE))
def create_conversation() -> tuple[Conversation, int, dict[str, str]]:
    """Create a draft conversation (facilitators)."""
    data: ConversationCreate = parsed_json()
    organisations = acting().facilitates
    organisation_id = data.organisation_id or (min(organisations) if len(organisations) == 1 else None)
    if organisation_id not in organisations:
        abort(400, "organisation_id must be an organisation where you are a facilitator.")
    conversation = lifecycle.create_conversation(organisation_id, _details(_DEFAULTS, data))
    location = url_for("api.get_conversation", conversation_id=conversation.id)
    return _full(conversation), 201, {"Location": location}


@bp.patch("/conversations/<int:conversation_id>")
@for_role(Role.FACILITATOR)
@validate(json=ConversationEdit, resp=responses(200, Conversation, WRITE))
def update_conversation(conversation_id: int) -> Conversation:
    """Edit a conversation (facilitators): only the fields sent change."""
    conversation = access.get_managed_conversation(acting().facilitates, conversation_id)
    details = _details(_current(conversation), parsed_json())
    return _full(lifecycle.update_conversation(conversation, details))


@bp.post("/conversations/<int:conversation_id>/open")
@for_role(Role.FACILITATOR)
@validate(resp=responses(200, Conversation, (400, 401, 404, 409)))
def open_conversation(conversation_id: int) -> Conversation:
    """Open a conversation (facilitators)."""
    conversation = access.get_managed_conversation(acting().facilitates, conversation_id)
    return _full(lifecycle.open_conversation(conversation))


@bp.post("/conversations/<int:conversation_id>/close")
@for_role(Role.FACILITATOR)
@validate(resp=responses(200, Conversation, (400, 401, 404, 409)))
def close_conversation(conversation_id: int) -> Conversation:
    """Close a conversation (facilitators)."""
    conversation = access.get_managed_conversation(acting().facilitates, conversation_id)
    return _full(lifecycle.close_conversation(conversation))
