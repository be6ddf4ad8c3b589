"""Moderation for facilitators: the queue, decisions, the log, and moderation and guest settings.

Pages show what an item says and why it is queued, never who wrote it.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from app.facilitate import bp
from app.facilitate.moderation_forms import HideForm, RedactForm, SettingsForm
from app.models import Conversation
from app.participate.forms import ConfirmForm
from app.services.accounts import guests
from app.services.moderation import decisions
from app.services.access import get_managed_conversation
from app.services.common.errors import ServiceError
from app.views import acting, fail_on, refuse_on

_KIND = {"idea", "comment"}


def _has_endpoint(endpoint: str) -> bool:
    """Lets moderation pages link to facilitator pages that may be added by other modules."""
    return endpoint in current_app.view_functions


bp.add_app_template_global(_has_endpoint, "has_endpoint")


def _managed(conversation_id: int) -> Conversation:
    return get_managed_conversation(acting().facilitates, conversation_id)


def _queue_url(conversation: Conversation) -> str:
    return url_for("facilitate.moderation_queue", conversation_id=conversation.id)


@bp.get("/conversations/<int:conversation_id>/moderation")
def moderation_queue(conversation_id: int) -> ResponseReturnValue:
    conversation = _managed(conversation_id)
    return render_template("facilitate/moderation/queue.html", conversation=conversation,
                           queue=decisions.moderation_queue(conversation))


@bp.post("/conversations/<int:conversation_id>/moderation/<kind>/<item_id>/approve")
def moderation_approve(conversation_id: int, kind: str, item_id: str) -> ResponseReturnValue:
    conversation = _managed(conversation_id)
    if kind not in _KIND or not ConfirmForm().validate_on_submit():
        abort(404 if kind not in _KIND else 400)
    decisions.approve_item(conversation, current_user.id, kind, item_id)
    flash(f"The {kind} has been approved and is visible.", "success")
    return redirect(_queue_url(conversation))


@bp.route("/conversations/<int:conversation_id>/moderation/<kind>/<item_id>/hide", methods=["GET", "POST"])
def moderation_hide(conversation_id: int, kind: str, item_id: str) -> ResponseReturnValue:
    conversation = _managed(conversation_id)
    if kind not in _KIND:
        abort(404)
    item = decisions.get_item(conversation, kind, item_id)
    form = HideForm()
    if form.validate_on_submit():
        try:
            decisions.hide_item(conversation, current_user.id, kind, item_id, form.reason.data, form.note.data or "")
        except ServiceError as error:
            refuse_on(form, error, "reason")
        else:
            flash(f"The {kind} has been hidden. Its author will see why at their next visit.", "success")
            return redirect(_queue_url(conversation))
    return render_template("facilitate/moderation/hide.html", conversation=conversation, item=item, kind=kind,
                           form=form), (400 if form.errors else 200)


@bp.route("/conversations/<int:conversation_id>/moderation/<kind>/<item_id>/redact", methods=["GET", "POST"])
def moderation_redact(conversation_id: int, kind: str, item_id: str) -> ResponseReturnValue:
    conversation = _managed(conversation_id)
    if kind not in _KIND:
        abort(404)
    item = decisions.get_item(conversation, kind, item_id)
    form = RedactForm()
    if request.method == "GET":
        form.body.data = item.body
    if form.validate_on_submit():
        try:
            decisions.redact_item(conversation, current_user.id, kind, item_id, form.body.data or "", form.note.data or "")
        except ServiceError as error:
            refuse_on(form, error, "body")
        else:
            flash(f"The {kind} has been edited and published with an “edited by a moderator” mark.", "success")
            return redirect(_queue_url(conversation))
    return render_template("facilitate/moderation/redact.html", conversation=conversation, item=item, kind=kind,
                           form=form), (400 if form.errors else 200)


@bp.get("/conversations/<int:conversation_id>/moderation/log")
def moderation_log(conversation_id: int) -> ResponseReturnValue:
    conversation = _managed(conversation_id)
    return render_template("facilitate/moderation/log.html", conversation=conversation,
                           entries=decisions.moderation_log(conversation))


@bp.route("/conversations/<int:conversation_id>/moderation/settings", methods=["GET", "POST"])
def moderation_settings(conversation_id: int) -> ResponseReturnValue:
    conversation = _managed(conversation_id)
    form = SettingsForm(obj=conversation)
    if form.validate_on_submit():
        try:
            decisions.update_settings(conversation, moderation_mode=form.moderation_mode.data,
                                   report_threshold=form.report_threshold.data, allow_guests=form.allow_guests.data)
        except ServiceError as error:
            fail_on(form, error, "moderation_mode")
        else:
            flash("Moderation settings saved.", "success")
            return redirect(url_for("facilitate.moderation_settings", conversation_id=conversation.id))
    return render_template("facilitate/moderation/settings.html", conversation=conversation, form=form,
                           code_form=ConfirmForm()), (400 if form.errors else 200)


@bp.post("/conversations/<int:conversation_id>/moderation/join-code")
def regenerate_join_code(conversation_id: int) -> ResponseReturnValue:
    conversation = _managed(conversation_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        guests.regenerate_join_code(conversation)
    except ServiceError as error:
        flash(error.message, "error")
    else:
        flash("There is a new join code. Guests who joined with the old code need to join again.", "success")
    return redirect(url_for("facilitate.moderation_settings", conversation_id=conversation.id))
