"""The facilitator console: conversations, templates, settings, opening and closing, and the overview.

Views parse input, call one service, and render or redirect. No view here shows who wrote or voted.
"""

from __future__ import annotations

from datetime import datetime
from typing import TypeVar

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # new in WTForms 3.3; types-WTForms covers 3.2

from app.views import acting, refuse_on
from app.extensions import db
from app.facilitate import bp
from app.facilitate.forms import ConfirmForm, NewConversationForm, SettingsForm
from app.facilitate.helpers import fail_on, managed
from app.models import Conversation, ConversationKind, Organisation
from app.services import access
from app.services.conversations import lifecycle
from app.services.conversations import release
from app.services.conversations import templates
from app.services.common.errors import ServiceError
from app.services.conversations.participation import conversation_counts, participation_figures

T = TypeVar("T")


@bp.get("/")
def index() -> ResponseReturnValue:
    found = access.managed_conversations(acting().facilitates)
    groups = {status: [c for c in found if c.status == status] for status in ("open", "draft", "closed")}
    return render_template("facilitate/index.html", groups=groups,
                           counts=conversation_counts([c.id for c in found]))


def _organisations(ids: frozenset[int]) -> list[Organisation]:
    return list(db.session.scalars(sa.select(Organisation).where(Organisation.id.in_(ids)).order_by(Organisation.name)))


@bp.route("/conversations/new", methods=["GET", "POST"])
def new_conversation() -> ResponseReturnValue:
    form = NewConversationForm()
    orgs = _organisations(acting().facilitates)
    form.organisation_id.choices = [SelectChoice(o.id, o.name) for o in orgs]
    previous = templates.previous_sessions(acting().facilitates)
    form.previous_id.choices = [SelectChoice("", "None: this is the first session")] + [SelectChoice(c.id, c.title) for c in previous]
    if form.validate_on_submit():
        organisation_id = form.organisation_id.data if len(orgs) > 1 else orgs[0].id
        try:
            conversation = templates.create_from_template(acting().facilitates, organisation_id, form.kind.data,
                                                          form.title.data or "", form.previous_id.data)
        except ServiceError as error:
            fail_on(form, error, "title")
        else:
            flash("The conversation has been created." + (" It is open now." if conversation.status == "open" else
                  " Check its questions and settings, then open it."), "success")
            return redirect(url_for("facilitate.conversation", conversation_id=conversation.id))
    return render_template("facilitate/new.html", form=form, templates=templates.TEMPLATES, orgs=orgs,
                           previous=previous), 400 if form.errors else 200


@bp.get("/conversations/<int:conversation_id>")
def conversation(conversation_id: int) -> ResponseReturnValue:
    found = managed(conversation_id)
    return render_template("facilitate/conversation.html", conversation=found, figures=participation_figures(found),
                           confirm_form=ConfirmForm(), named_mode=found.named_mode, waiting=release.waiting_count(found))


def _audience_choices(conversation: Conversation) -> list[SelectChoice]:
    """The organisations the service accepts: the owner, its partnership, and any already in the audience."""
    allowed = access.allowed_audience(conversation.organisation, list(conversation.audience))
    return [SelectChoice(o.id, o.name) for o in allowed]


def _stamp(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else ""


def _or(value: T | None, current: T) -> T:
    return current if value is None else value


@bp.route("/conversations/<int:conversation_id>/edit", methods=["GET", "POST"])
def edit_conversation(conversation_id: int) -> ResponseReturnValue:
    found = managed(conversation_id)
    initial = {"title": found.title, "description": found.description, "voting_mode": found.voting_mode,
               "comments_enabled": found.comments_enabled, "named_mode": found.named_mode,
               "audience_ids": [o.id for o in found.audience], "opens_at": _stamp(found.opens_at),
               "closes_at": _stamp(found.closes_at), "batch_release": found.batch_release,
               "batch_size": found.batch_size, "batch_max_wait_hours": found.batch_max_wait_hours}
    form = SettingsForm(data=initial if request.method == "GET" else None)
    form.audience_ids.choices = _audience_choices(found)
    allowed = {choice.value for choice in form.audience_ids.choices}
    if form.is_submitted() and not set(form.audience_ids.data or []) <= allowed:
        form.audience_ids.data = []
    if form.validate_on_submit():
        details = lifecycle.ConversationDetails(
            title=form.title.data or "", description=form.description.data or "", kind=found.kind,
            voting_mode=form.voting_mode.data, comments_enabled=form.comments_enabled.data,
            named_mode=form.named_mode.data, audience_ids=form.audience_ids.data or [],
            questions=[q.text for q in found.questions], opens_at=form.opens_at.when, closes_at=form.closes_at.when,
            batch_release=form.batch_release.data, batch_size=_or(form.batch_size.data, found.batch_size),
            batch_max_wait_hours=_or(form.batch_max_wait_hours.data, found.batch_max_wait_hours))
        try:
            lifecycle.update_conversation(found, details)
        except ServiceError as error:
            refuse_on(form, error, "title")
        else:
            flash("The conversation's settings have been saved.", "success")
            return redirect(url_for("facilitate.conversation", conversation_id=found.id))
    return render_template("facilitate/edit.html", form=form, conversation=found, named_mode=found.named_mode), \
        400 if form.errors else 200


@bp.post("/conversations/<int:conversation_id>/open")
def open_conversation(conversation_id: int) -> ResponseReturnValue:
    found = managed(conversation_id)
    if ConfirmForm().validate_on_submit():
        was = found.status
        try:
            lifecycle.open_conversation(found)
        except ServiceError as error:
            flash(error.message, "error")
        else:
            flash("The conversation has been reopened." if was == "closed" else "The conversation is open.", "success")
    return redirect(url_for("facilitate.conversation", conversation_id=found.id))


@bp.route("/conversations/<int:conversation_id>/close", methods=["GET", "POST"])
def close_conversation(conversation_id: int) -> ResponseReturnValue:
    found = managed(conversation_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            lifecycle.close_conversation(found)
        except ServiceError as error:
            flash(error.message, "error")
        else:
            flash("The conversation has been closed.", "success")
        return redirect(url_for("facilitate.conversation", conversation_id=found.id))
    return render_template("facilitate/close.html", conversation=found, form=form)


from app.facilitate import batch_routes, content_routes, framework_routes  # noqa: E402,F401


@bp.app_template_filter("kind_label")
def kind_label(value: str) -> str:
    """Plain-English name of a conversation kind."""
    try:
        return ConversationKind(value).label
    except ValueError:
        return value
