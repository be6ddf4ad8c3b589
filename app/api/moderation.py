"""API: reporting posts, and the moderation queue, decisions and log for facilitators.

Responses describe items and moderators, never who wrote an item.
"""

from __future__ import annotations

from flask import abort, current_app
from werkzeug.wrappers import Response
from flask_login import current_user

from app import notice_cookie
from app.api import bp, for_role
from app.api.schemas.moderation import (Log, LogEntry, ModerationAction, ModerationItem, Notice, Notices, Queue,
                                        QueueItem, Reported, ReportBody)
from app.api.spec import ACT, POSTING, READ, WRITE, parsed_json, responses, validate
from app.models import Conversation, Role
from app.ratelimit import posting_limit
from app.services.access import get_managed_conversation
from app.services.moderation import decisions, notices, reports
from app.views import acting

_REPORTED = {"HTTP_200": (Reported, "You had already reported it")}


def _managed(conversation_id: int) -> Conversation:
    return get_managed_conversation(acting().facilitates, conversation_id)


def _report(kind: str, item_id: str) -> tuple[Reported, int]:
    data: ReportBody = parsed_json()
    created = reports.report_item(acting(), kind, item_id, data.reason, data.note or "")
    return Reported(reported=True, already_reported=not created), 201 if created else 200


@bp.post("/ideas/<idea_id>/report")
@posting_limit
@validate(json=ReportBody, resp=responses(201, Reported, POSTING, **_REPORTED))
def report_idea(idea_id: str) -> tuple[Reported, int]:
    """Report an idea to the moderators (once per person)."""
    return _report("idea", idea_id)


@bp.post("/comments/<comment_id>/report")
@posting_limit
@validate(json=ReportBody, resp=responses(201, Reported, POSTING, **_REPORTED))
def report_comment(comment_id: str) -> tuple[Reported, int]:
    """Report a comment to the moderators (once per person)."""
    return _report("comment", comment_id)


@bp.get("/conversations/<int:conversation_id>/moderation")
@for_role(Role.FACILITATOR)
@validate(resp=responses(200, Queue, READ))
def moderation_queue(conversation_id: int) -> Queue:
    """The moderation queue (facilitators of the conversation)."""
    conversation = _managed(conversation_id)
    return Queue(moderation_mode=conversation.moderation_mode, report_threshold=conversation.report_threshold, items=[
        QueueItem(**ModerationItem.of(q.kind, q.item).model_dump(), reasons=q.reasons, reports=q.report_reasons,
                  report_notes=q.report_notes) for q in decisions.moderation_queue(conversation)])


@bp.post("/conversations/<int:conversation_id>/moderation/<kind>/<item_id>")
@for_role(Role.FACILITATOR)
@validate(json=ModerationAction, resp=responses(200, ModerationItem, WRITE))
def moderate_item(conversation_id: int, kind: str, item_id: str) -> ModerationItem:
    """Approve, hide with a reason, or redact an idea or comment; the author is told in-app (facilitators)."""
    conversation = _managed(conversation_id)
    if kind not in decisions.KINDS:
        abort(404)
    data: ModerationAction = parsed_json()
    if data.action == "approve":
        item = decisions.approve_item(conversation, current_user.id, kind, item_id)
    elif data.action == "hide":
        item = decisions.hide_item(conversation, current_user.id, kind, item_id, data.reason or "", data.note or "")
    elif data.action == "redact":
        if data.body is None:
            abort(400, "Missing field: body")
        item = decisions.redact_item(conversation, current_user.id, kind, item_id, data.body, data.note or "")
    else:
        abort(400, "action must be one of: approve, hide, redact")
    return ModerationItem.of(kind, item)


@bp.get("/conversations/<int:conversation_id>/moderation/log")
@for_role(Role.FACILITATOR)
@validate(resp=responses(200, Log, READ))
def moderation_log(conversation_id: int) -> Log:
    """The moderation log: action, reason, moderator, time; never the author (facilitators)."""
    return Log(entries=[LogEntry(
        id=row.entry.id, item_kind=row.entry.item_kind, item_id=row.entry.item_id, action=row.entry.action,
        reason=row.entry.reason, note=row.entry.note, moderator_id=row.entry.moderator_id, moderator=row.moderator,
        at=row.entry.created_at.isoformat(timespec="seconds") + "Z",
    ) for row in decisions.moderation_log(_managed(conversation_id))])


@bp.get("/notices")
@validate(resp=responses(200, Notices, (401,)))
def my_notices() -> Notices:
    """Moderation notices on your own posts (computed from your author tags, never stored against you)."""
    return Notices(notices=[Notice(
        kind=n.kind, item_id=n.item.id, conversation_id=n.conversation.id, action=n.action, reason=n.reason or None,
        note=n.note, message=n.message, body=n.item.body, status=n.item.status,
    ) for n in notices.notices_for(acting(), notice_cookie.dismissed())])


@bp.post("/notices/<kind>/<item_id>/dismiss")
@validate(resp=responses(204, None, ACT))
def dismiss_notice(kind: str, item_id: str) -> Response:
    """Mark a notice on your own post as seen; remembered only by the chorus_seen cookie this response sets (send it
    back to keep the notice hidden), never on the server."""
    token = notices.dismiss_notice(acting(), kind, item_id)
    return notice_cookie.remember(current_app.make_response(("", 204)), [token])

