"""Pairwise prioritisation for leads: compare two themes at a time, and see the ranking with intervals."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.manage import bp
from app.manage.forms import PairForm
from app.manage.routes import lead_orgs
from app.services import prioritise, theme_edits
from app.services.errors import ServiceError
from app.services.participants import Participant


def _focus() -> int | None:
    value = request.args.get("top", "")
    return int(value) if value.isdigit() and 1 <= int(value) <= 20 else None


@bp.get("/conversations/<int:conversation_id>/prioritise")
def prioritise_page(conversation_id: int):  # type: ignore[no-untyped-def]
    conversation = theme_edits.get_led_conversation(lead_orgs(), conversation_id)
    page = prioritise.comparison_page(Participant.from_user(current_user), conversation.id, _focus())
    return render_template("manage/prioritise.html", conversation=conversation, pair=page.pair, themes=page.themes,
                           form=PairForm(), ranking=prioritise.ranking(conversation), top=_focus())


@bp.post("/conversations/<int:conversation_id>/prioritise")
def prioritise_choose(conversation_id: int):  # type: ignore[no-untyped-def]
    conversation = theme_edits.get_led_conversation(lead_orgs(), conversation_id)
    form = PairForm()
    if form.validate_on_submit() and form.left_id.data.isdigit() and form.right_id.data.isdigit():
        try:
            prioritise.record_choice(Participant.from_user(current_user), conversation.id, int(form.left_id.data),
                                     int(form.right_id.data), form.choice.data)
        except ServiceError as error:
            if error.status == 404:
                raise
            flash(error.message, "error")
    else:
        flash("Choose one of the two themes, or say you can't decide.", "error")
    return redirect(url_for("manage.prioritise_page", conversation_id=conversation.id, top=_focus()))
