"""API: facilitators' invitations, reminders and "You said, we did" announcements, by email and Teams."""

from __future__ import annotations

from flask import current_app

from app.api import bp, for_role
from app.api.schemas.common import iso_hour
from app.api.schemas.messaging import (Choice, Message, Messages, Preview, PreviewBody, ScheduleBody, TeamsChannel,
                                       WebhookBody)
from app.api.spec import ACT, POSTING, READ, WRITE, parsed_json, responses, validate
from app.extensions import limiter
from app.models import Conversation, MessageKind, OutreachMessage, Role
from app.services import access
from app.services.common.errors import InvalidInput
from app.services.messaging import audience, broadcasts, mailer
from app.views import acting


def _managed(conversation_id: int) -> Conversation:
    return access.get_managed_conversation(acting().facilitates, conversation_id)


def _message(conversation: Conversation, message: OutreachMessage) -> Message:
    chosen = message.audience_filter or {}
    return Message(
        id=message.id, conversation_id=message.conversation_id, kind=message.kind, email=message.by_email,
        teams=message.by_teams, audience=audience.describe(conversation, chosen),
        organisation_ids=list(chosen.get("organisation_ids") or []), staff_group_ids=list(chosen.get("staff_group_ids") or []),
        note=message.note, due_hour=iso_hour(message.due_hour) or "", status=message.status,
        recipients=message.recipients, sent=message.sent_count, failed=message.failed_count,
        teams_posted=message.teams_posted, attempts=message.attempts, last_error=message.last_error,
        sent_hour=iso_hour(message.sent_hour))


@bp.get("/conversations/<int:conversation_id>/messages")
@for_role(Role.FACILITATOR)
@validate(resp=responses(200, Messages, READ))
def list_messages(conversation_id: int) -> Messages:
    """A conversation's invitations, reminders and announcements with their send logs (facilitators)."""
    conversation = _managed(conversation_id)
    offered = audience.choices(conversation)
    everyone = audience.count(conversation, {})
    return Messages(
        conversation_id=conversation.id, min_group_size=offered.k, audience=everyone if everyone >= offered.k else None,
        email_configured=mailer.SmtpSettings.from_app().configured,
        teams_configured=broadcasts.webhook(conversation) is not None,
        organisations=[Choice(id=c.id, name=c.label) for c in offered.organisations],
        staff_groups=[Choice(id=c.id, name=c.label) for c in offered.staff_groups],
        messages=[_message(conversation, m) for m in broadcasts.messages(conversation)])


@bp.post("/conversations/<int:conversation_id>/messages")
@for_role(Role.FACILITATOR)
@limiter.limit(lambda: current_app.config.get("RATELIMIT_MESSAGES", "30 per hour"))
@validate(json=ScheduleBody, resp=responses(201, Message, POSTING))
def schedule_message(conversation_id: int) -> tuple[Message, int]:
    """Send a message now or schedule it (facilitators): to the whole audience, or organisations and staff groups of
    at least k people. A message that cannot be sent yet (settings, relay away) stays scheduled with `last_error`."""
    conversation = _managed(conversation_id)
    data: ScheduleBody = parsed_json()
    message = broadcasts.schedule_message(conversation, broadcasts.Request(
        kind=data.kind, by_email=data.email, by_teams=data.teams, when=data.when, at=data.at,
        organisation_ids=tuple(data.organisation_ids), staff_group_ids=tuple(data.staff_group_ids), note=data.note))
    return _message(conversation, message), 201


@bp.post("/conversations/<int:conversation_id>/messages/preview")
@for_role(Role.FACILITATOR)
@validate(json=PreviewBody, resp=responses(200, Preview, WRITE))
def preview_message(conversation_id: int) -> Preview:
    """How many people a message would reach by email (facilitators): a count, never who; writes nothing."""
    conversation = _managed(conversation_id)
    data: PreviewBody = parsed_json()
    try:
        kind = MessageKind(data.kind)
    except ValueError:
        raise InvalidInput("Choose what to send: an invitation, a reminder or an announcement.", field="kind") from None
    chosen = audience.check_filter(conversation, list(data.organisation_ids), list(data.staff_group_ids))
    k = audience.choices(conversation).k
    count = audience.count(conversation, chosen, kind)
    return Preview(recipients=count if count >= k else None, min_group_size=k)


@bp.post("/conversations/<int:conversation_id>/messages/<int:message_id>/cancel")
@for_role(Role.FACILITATOR)
@validate(resp=responses(200, Message, (*ACT, 409)))
def cancel_message(conversation_id: int, message_id: int) -> Message:
    """Cancel a message that is still scheduled (facilitators); 409 once it is being sent or sent."""
    conversation = _managed(conversation_id)
    return _message(conversation, broadcasts.cancel_message(conversation, message_id))


@bp.put("/conversations/<int:conversation_id>/teams-channel")
@for_role(Role.FACILITATOR)
@validate(json=WebhookBody, resp=responses(200, TeamsChannel, WRITE))
def set_teams_channel(conversation_id: int) -> TeamsChannel:
    """Set the Teams incoming webhook or Workflows address posts go to (https, a Microsoft host); empty removes it."""
    conversation = _managed(conversation_id)
    data: WebhookBody = parsed_json()
    hook = broadcasts.set_teams_webhook(conversation, data.url)
    return TeamsChannel(configured=hook is not None, address=broadcasts.masked(hook))
