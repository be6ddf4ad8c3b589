"""API: reporting posts, and the moderation queue, decisions and log for facilitators.

Responses describe items and moderators, never who wrote an item.
"""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, jsonify
from flask_login import current_user

from app.views import acting
from app import notice_cookie
from app.api import bp, for_role
from app.api.helpers import iso_hour, json_body, text_field
from app.models import Comment, Conversation, Idea, Role
from app.ratelimit import posting_limit
from app.services.moderation import decisions
from app.services.moderation import notices
from app.services.moderation import reports
from app.services.access import get_managed_conversation


def _managed(conversation_id: int) -> Conversation:
    return get_managed_conversation(acting().facilitates, conversation_id)


def _optional_text(data: dict[str, Any], name: str) -> str:
    value = data.get(name, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        abort(400, f"The field {name!r} must be a string.")
    return value


def item_json(kind: str, item: Idea | Comment) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": kind, "id": item.id, "conversation_id": item.conversation_id, "body": item.body,
        "status": item.status, "created_hour": iso_hour(item.created_hour), "edited": item.edited,
        "moderator_edited": item.moderator_edited, "flagged_identifying": item.flagged_identifying,
        "flagged_abusive": item.flagged_abusive,
    }
    data["idea_id"] = item.id if isinstance(item, Idea) else item.idea_id
    return data


def _report(kind: str, item_id: str):  # type: ignore[no-untyped-def]
    data = json_body("reason")
    created = reports.report_item(acting(), kind, item_id, text_field(data, "reason"), _optional_text(data, "note"))
    return jsonify(reported=True, already_reported=not created), 201 if created else 200


@bp.post("/ideas/<idea_id>/report")
@posting_limit
def report_idea(idea_id: str):  # type: ignore[no-untyped-def]
    return _report("idea", idea_id)


@bp.post("/comments/<comment_id>/report")
@posting_limit
def report_comment(comment_id: str):  # type: ignore[no-untyped-def]
    return _report("comment", comment_id)


@bp.get("/conversations/<int:conversation_id>/moderation")
@for_role(Role.FACILITATOR)
def moderation_queue(conversation_id: int):  # type: ignore[no-untyped-def]
    conversation = _managed(conversation_id)
    queue = decisions.moderation_queue(conversation)
    return jsonify(
        moderation_mode=conversation.moderation_mode, report_threshold=conversation.report_threshold,
        items=[item_json(q.kind, q.item) | {"reasons": q.reasons, "reports": q.report_reasons,
                                            "report_notes": q.report_notes} for q in queue],
    )


@bp.post("/conversations/<int:conversation_id>/moderation/<kind>/<item_id>")
@for_role(Role.FACILITATOR)
def moderate_item(conversation_id: int, kind: str, item_id: str):  # type: ignore[no-untyped-def]
    conversation = _managed(conversation_id)
    if kind not in decisions.KINDS:
        abort(404)
    data = json_body("action")
    action = text_field(data, "action")
    if action == "approve":
        item = decisions.approve_item(conversation, current_user.id, kind, item_id)
    elif action == "hide":
        item = decisions.hide_item(conversation, current_user.id, kind, item_id, _optional_text(data, "reason"),
                                    _optional_text(data, "note"))
    elif action == "redact":
        if "body" not in data:
            abort(400, "Missing field: body")
        item = decisions.redact_item(conversation, current_user.id, kind, item_id, text_field(data, "body"),
                                      _optional_text(data, "note"))
    else:
        abort(400, "action must be one of: approve, hide, redact")
    return jsonify(item_json(kind, item))


@bp.get("/conversations/<int:conversation_id>/moderation/log")
@for_role(Role.FACILITATOR)
def moderation_log(conversation_id: int):  # type: ignore[no-untyped-def]
    conversation = _managed(conversation_id)
    return jsonify(entries=[{
        "id": row.entry.id, "item_kind": row.entry.item_kind, "item_id": row.entry.item_id,
        "action": row.entry.action, "reason": row.entry.reason, "note": row.entry.note,
        "moderator_id": row.entry.moderator_id, "moderator": row.moderator,
        "at": row.entry.created_at.isoformat(timespec="seconds") + "Z",
    } for row in decisions.moderation_log(conversation)])


@bp.get("/notices")
def my_notices():  # type: ignore[no-untyped-def]
    """Moderation notices on the caller's own posts, found from their author tags at this call."""
    return jsonify(notices=[{
        "kind": n.kind, "item_id": n.item.id, "conversation_id": n.conversation.id, "action": n.action,
        "reason": n.reason or None, "note": n.note, "message": n.message, "body": n.item.body, "status": n.item.status,
    } for n in notices.notices_for(acting(), notice_cookie.dismissed())])


@bp.post("/notices/<kind>/<item_id>/dismiss")
def dismiss_notice(kind: str, item_id: str):  # type: ignore[no-untyped-def]
    token = notices.dismiss_notice(acting(), kind, item_id)
    return notice_cookie.remember(current_app.make_response(("", 204)), [token])
