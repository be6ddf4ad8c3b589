"""API: conversations, their questions, "my posts", and facilitators' create/edit/open/close."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from flask import abort, jsonify, url_for
from flask_login import current_user

from app.views import acting
from app.api import bp, for_role
from app.api.helpers import comment_json, conversation_json, idea_json, is_db_id, json_body, question_json
from app.models import Role
from app.services import access
from app.services.conversations import lifecycle
from app.services.content import grace
from app.services.content.listing import my_posts


@bp.get("/me")
def me():  # type: ignore[no-untyped-def]
    return jsonify(
        display_name=current_user.display_name,
        memberships=[
            {"organisation": m.organisation.name, "organisation_id": m.organisation_id, "role": m.role,
             "staff_group": m.staff_group.name if m.staff_group else None}
            for m in current_user.memberships
        ],
    )


@bp.get("/conversations")
def list_conversations():  # type: ignore[no-untyped-def]
    return jsonify(conversations=[conversation_json(c) for c in access.visible_conversations(acting())])


@bp.get("/conversations/<int:conversation_id>")
def get_conversation(conversation_id: int):  # type: ignore[no-untyped-def]
    return jsonify(conversation_json(access.get_conversation(acting(), conversation_id), full=True))


@bp.get("/conversations/<int:conversation_id>/questions")
def list_questions(conversation_id: int):  # type: ignore[no-untyped-def]
    conversation = access.get_conversation(acting(), conversation_id)
    return jsonify(questions=[question_json(q) for q in conversation.questions])


@bp.get("/conversations/<int:conversation_id>/mine")
def mine(conversation_id: int):  # type: ignore[no-untyped-def]
    posts = my_posts(acting(), conversation_id)
    conversation = posts.conversation
    until = grace.grace_ends(conversation) if grace.in_grace_period(conversation) else None
    return jsonify(
        ideas=[idea_json(card) for card in posts.ideas],
        comments=[comment_json(comment, True) for comment in posts.comments],
        # Archived: the key is destroyed, nothing can be found or changed. Otherwise whether edits are possible
        # now, and (after closing) until when.
        archived=posts.archived,
        can_edit=grace.may_change(conversation, "edit") or grace.may_change(conversation, "withdraw"),
        edit_until=until.isoformat() + "Z" if until else None,
    )


def _date(data: dict[str, Any], name: str) -> datetime | None:
    value = data.get(name)
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        abort(400, f"{name} must be an ISO 8601 date-time string.")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        if parsed.tzinfo is not None:
            parsed = parsed.astimezone(timezone.utc).replace(tzinfo=None)
    except (ValueError, OverflowError):  # OverflowError: 0001-01-01T00:00+14:00 has no UTC time
        abort(400, f"{name} must be an ISO 8601 date-time, like 2026-12-01T09:00:00Z.")
    return parsed


def _details(data: dict[str, Any]) -> lifecycle.ConversationDetails:
    questions = data.get("questions", [])
    audience = data.get("audience_ids", [])
    if not isinstance(questions, list) or not all(isinstance(q, str) for q in questions):
        abort(400, "questions must be a list of strings.")
    if not isinstance(audience, list) or not all(is_db_id(a) for a in audience):
        abort(400, "audience_ids must be a list of organisation ids.")
    for name in ("title", "description", "kind", "voting_mode"):
        if name in data and not isinstance(data[name], str):
            abort(400, f"{name} must be a string.")
    for flag in ("comments_enabled", "named_mode", "batch_release"):
        if flag in data and not isinstance(data[flag], bool):
            abort(400, f"{flag} must be true or false.")
    for number in ("batch_size", "batch_max_wait_hours"):
        if number in data and not is_db_id(data[number]):
            abort(400, f"{number} must be a whole number.")
    return lifecycle.ConversationDetails(
        title=data.get("title", ""),
        description=data.get("description", ""),
        kind=data.get("kind", "online"),
        voting_mode=data.get("voting_mode", "support"),
        comments_enabled=data.get("comments_enabled", True),
        named_mode=data.get("named_mode", False),
        audience_ids=audience,
        questions=questions,
        opens_at=_date(data, "opens_at"),
        closes_at=_date(data, "closes_at"),
        batch_release=data.get("batch_release", False),
        batch_size=data.get("batch_size", 5),
        batch_max_wait_hours=data.get("batch_max_wait_hours", 24),
    )


@bp.post("/conversations")
@for_role(Role.FACILITATOR)
def create_conversation():  # type: ignore[no-untyped-def]
    organisations = acting().facilitates
    data = json_body("title", "questions", "audience_ids")
    organisation_id = data.get("organisation_id", min(organisations) if len(organisations) == 1 else None)
    if not is_db_id(organisation_id) or organisation_id not in organisations:
        abort(400, "organisation_id must be an organisation where you are a facilitator.")
    conversation = lifecycle.create_conversation(organisation_id, _details(data))
    response = jsonify(conversation_json(conversation, full=True))
    response.status_code = 201
    response.headers["Location"] = url_for("api.get_conversation", conversation_id=conversation.id)
    return response


@bp.patch("/conversations/<int:conversation_id>")
@for_role(Role.FACILITATOR)
def update_conversation(conversation_id: int):  # type: ignore[no-untyped-def]
    conversation = access.get_managed_conversation(acting().facilitates, conversation_id)
    current = conversation_json(conversation, full=True)
    data = json_body()
    merged = {
        "title": current["title"], "description": current["description"], "kind": current["kind"],
        "voting_mode": current["voting_mode"], "comments_enabled": current["comments_enabled"],
        "named_mode": current["named_mode"], "audience_ids": [org.id for org in conversation.audience],
        "questions": [q.text for q in conversation.questions],
        "opens_at": current["opens_at"], "closes_at": current["closes_at"],
        "batch_release": current["batch_release"], "batch_size": current["batch_size"],
        "batch_max_wait_hours": current["batch_max_wait_hours"],
    } | data
    return jsonify(conversation_json(lifecycle.update_conversation(conversation, _details(merged)), full=True))


@bp.post("/conversations/<int:conversation_id>/open")
@for_role(Role.FACILITATOR)
def open_conversation(conversation_id: int):  # type: ignore[no-untyped-def]
    conversation = access.get_managed_conversation(acting().facilitates, conversation_id)
    return jsonify(conversation_json(lifecycle.open_conversation(conversation), full=True))


@bp.post("/conversations/<int:conversation_id>/close")
@for_role(Role.FACILITATOR)
def close_conversation(conversation_id: int):  # type: ignore[no-untyped-def]
    conversation = access.get_managed_conversation(acting().facilitates, conversation_id)
    return jsonify(conversation_json(lifecycle.close_conversation(conversation), full=True))
