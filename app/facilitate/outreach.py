"""Invite and remind: facilitators send invitations, reminders and "You said, we did" announcements to a
conversation's audience by email and Microsoft Teams, and see the send log (counts only, never who).
"""

from __future__ import annotations

import logging

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from app.extensions import limiter
from app.facilitate import bp
from app.facilitate.helpers import managed
from app.facilitate.outreach_forms import MessageForm, WebhookForm
from app.models import Conversation, MessageKind
from app.participate.forms import ConfirmForm
from app.services.common.errors import ServiceError
from app.services.messaging import audience, broadcasts, mailer
from app.views import fail_on, flash_refusal

log = logging.getLogger("chorus.messages")


def _page(conversation: Conversation, form: MessageForm, webhook_form: WebhookForm | None = None,
          preview: int | None = None, status: int = 200) -> ResponseReturnValue:
    settings = mailer.SmtpSettings.from_app()
    hook = broadcasts.webhook(conversation)
    return render_template(
        "facilitate/messages.html", conversation=conversation, form=form,
        webhook_form=webhook_form or WebhookForm(), confirm_form=ConfirmForm(), preview=preview,
        k=audience.choices(conversation).k, audience_count=audience.count(conversation, {}),
        messages=[(m, audience.describe(conversation, m.audience_filter)) for m in broadcasts.messages(conversation)],
        email_settings=settings.describe(), email_ready=settings.configured, webhook=broadcasts.masked(hook),
        has_outcomes=broadcasts.has_outcomes(conversation),
    ), status


def _form(conversation: Conversation) -> MessageForm:
    form = MessageForm()
    offered = audience.choices(conversation)
    form.organisation_ids.choices = [(c.id, c.label) for c in offered.organisations]
    form.staff_group_ids.choices = [(c.id, c.label) for c in offered.staff_groups]
    if request.method == "GET":
        asked = request.args.get("kind", "")
        form.kind.data = asked if asked in {k.value for k in MessageKind} else MessageKind.INVITATION.value
        form.channels.data = ["email"]
        form.when.data = "now"
    return form


def _request(form: MessageForm) -> broadcasts.Request:
    channels = form.channels.data or []
    return broadcasts.Request(
        kind=form.kind.data or "", by_email="email" in channels, by_teams="teams" in channels,
        when=form.when.data or "", at=form.at.when, organisation_ids=tuple(form.organisation_ids.data or ()),
        staff_group_ids=tuple(form.staff_group_ids.data or ()), note=form.note.data or "")


@bp.route("/conversations/<int:conversation_id>/messages", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config.get("RATELIMIT_MESSAGES", "30 per hour"), methods=["POST"])
def messages(conversation_id: int) -> ResponseReturnValue:
    conversation = managed(conversation_id)
    form = _form(conversation)
    if not form.validate_on_submit():
        return _page(conversation, form, status=400 if form.errors else 200)
    if request.form.get("action") == "preview":
        try:
            chosen = audience.check_filter(conversation, list(form.organisation_ids.data or []),
                                           list(form.staff_group_ids.data or []))
        except ServiceError as error:
            fail_on(form, error, "organisation_ids")
            return _page(conversation, form, status=400)
        return _page(conversation, form, preview=audience.count(conversation, chosen, MessageKind(form.kind.data)))
    try:
        message = broadcasts.schedule_message(conversation, _request(form))
    except ServiceError as error:
        if error.status == 404:
            raise
        fail_on(form, error, "kind")  # beside the field the service names, else beside "what to send"
        return _page(conversation, form, status=400)
    if message.status == "sent":
        flash(f"Your {message.kind_label.lower()} has been sent.", "success")
    elif message.last_error:
        flash(f"Your {message.kind_label.lower()} is waiting: {message.last_error}", "error")
    else:
        flash(f"Your {message.kind_label.lower()} is scheduled for {message.due_hour:%-d %B %Y at %H:00} (UTC).", "success")
    return redirect(url_for("facilitate.messages", conversation_id=conversation.id) + "#send-log")


@bp.post("/conversations/<int:conversation_id>/messages/<int:message_id>/cancel")
def cancel_message(conversation_id: int, message_id: int) -> ResponseReturnValue:
    conversation = managed(conversation_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        message = broadcasts.cancel_message(conversation, message_id)
    except ServiceError as error:
        flash_refusal(error)
    else:
        flash(f"The {message.kind_label.lower()} has been cancelled.", "success")
    return redirect(url_for("facilitate.messages", conversation_id=conversation.id) + "#send-log")


@bp.post("/conversations/<int:conversation_id>/messages/teams")
def teams_webhook(conversation_id: int) -> ResponseReturnValue:
    conversation = managed(conversation_id)
    webhook_form = WebhookForm()
    if webhook_form.validate_on_submit():
        try:
            hook = broadcasts.set_teams_webhook(conversation, webhook_form.url.data or "")
        except ServiceError as error:
            fail_on(webhook_form, error, "url")
        else:
            flash("The Teams channel has been set." if hook else "The Teams channel has been removed.", "success")
            return redirect(url_for("facilitate.messages", conversation_id=conversation.id) + "#teams")
    return _page(conversation, _form(conversation), webhook_form, status=400)


@bp.post("/conversations/<int:conversation_id>/messages/check-email")
@limiter.limit("6 per minute")
def check_email(conversation_id: int) -> ResponseReturnValue:
    """Connect to the relay and sign in without sending anything, to check the settings."""
    conversation = managed(conversation_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        described = mailer.check(mailer.SmtpSettings.from_app())
    except mailer.MailProblem as problem:
        log.warning("email settings check failed: %s", problem.message)
        flash(problem.message, "error")
    else:
        flash(f"The email settings work: {described}.", "success")
    return redirect(url_for("facilitate.messages", conversation_id=conversation.id) + "#email-settings")
