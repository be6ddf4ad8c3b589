"""Pairwise prioritisation for leads: choose what staff compare (themes or ideas), compare two at a time, and
see the ranking with intervals."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # new in WTForms 3.3; types-WTForms covers 3.2

from app.manage import bp
from app.manage.forms import PairForm, PairwiseSetupForm, PickIdeasForm

from app.models import Conversation, PairwiseItems
from app.services import access
from app.services.triage import pairs
from app.services.triage import pairwise
from app.services.common.errors import ServiceError
from app.urls import WholeNumber
from app.views import acting, flash_refusal, int_arg


def _focus() -> int | None:
    return request.args.get("top", type=WholeNumber(1, 20))  # a focus outside 1-20 just shows every theme


@bp.get("/conversations/<int:conversation_id>/prioritise")
def prioritise_page(conversation_id: int) -> ResponseReturnValue:
    conversation = access.get_led_conversation(acting().leads, conversation_id)
    return _render(conversation, _setup_form(conversation))


@bp.post("/conversations/<int:conversation_id>/prioritise")
def prioritise_choose(conversation_id: int) -> ResponseReturnValue:
    conversation = access.get_led_conversation(acting().leads, conversation_id)
    form = PairForm()
    if form.validate_on_submit():
        try:
            pairwise.record_choice(acting(), conversation.id, form.left_id.data or "",
                                     form.right_id.data or "", form.choice.data or "")
        except ServiceError as error:
            flash_refusal(error)
    else:
        flash("Choose one of the two, or say you can't decide.", "error")
    return redirect(url_for("manage.prioritise_page", conversation_id=conversation.id, top=_focus()))


def _setup_form(conversation: Conversation) -> PairwiseSetupForm:
    chosen = pairs.setup(conversation)
    form = PairwiseSetupForm(data={"items": chosen.items.value,
                                   "question_id": chosen.question.id if chosen.question else None})
    form.question_id.choices = [SelectChoice(q.id, q.text) for q in conversation.questions]
    return form


@bp.post("/conversations/<int:conversation_id>/prioritise/setup")
def prioritise_setup(conversation_id: int) -> ResponseReturnValue:
    conversation = access.get_led_conversation(acting().leads, conversation_id)
    form = PairwiseSetupForm()
    form.question_id.choices = [SelectChoice(q.id, q.text) for q in conversation.questions]
    if form.validate_on_submit():
        try:
            chosen = pairs.choose_items(conversation, form.items.data, form.question_id.data)
        except ServiceError as error:
            getattr(form, error.field or "items").errors = [error.message]
        else:
            flash(f"Staff now compare: {chosen.items.label.lower()}.", "success")
            if chosen.items == PairwiseItems.PICKED:
                return redirect(url_for("manage.prioritise_pick", conversation_id=conversation.id))
            return redirect(url_for("manage.prioritise_page", conversation_id=conversation.id))
    return _render(conversation, form), 400


@bp.get("/conversations/<int:conversation_id>/prioritise/ideas")
def prioritise_pick(conversation_id: int) -> ResponseReturnValue:
    conversation = access.get_led_conversation(acting().leads, conversation_id)
    picks = pairs.pick_list(conversation, int_arg("question"))
    return render_template("manage/prioritise_pick.html", conversation=conversation, picks=picks,
                           form=PickIdeasForm(question_id=picks.question.id if picks else ""), errors=[])


@bp.post("/conversations/<int:conversation_id>/prioritise/ideas")
def prioritise_pick_save(conversation_id: int) -> ResponseReturnValue:
    conversation = access.get_led_conversation(acting().leads, conversation_id)
    form = PickIdeasForm()
    question = WholeNumber().parse(form.question_id.data or "")
    if form.validate_on_submit() and question is not None:
        try:
            total = pairs.set_picks(conversation, question, request.form.getlist("idea_id"))
        except ServiceError as error:
            if error.status == 404:
                raise
            picks = pairs.pick_list(conversation, question)
            return render_template("manage/prioritise_pick.html", conversation=conversation, picks=picks, form=form,
                                   errors=[error.message]), 400
        flash(f"Saved. {total} {'idea is' if total == 1 else 'ideas are'} picked for comparing in pairs.", "success")
        return redirect(url_for("manage.prioritise_pick", conversation_id=conversation.id, question=question))
    return redirect(url_for("manage.prioritise_pick", conversation_id=conversation.id))


def _render(conversation: Conversation, setup_form: PairwiseSetupForm) -> str:
    page = pairwise.comparison_page(acting(), conversation.id, _focus())
    return render_template("manage/prioritise.html", conversation=conversation, pair=page.pair, themes=page.themes,
                           kind=page.kind, form=PairForm(), setup_form=setup_form,
                           ranking=pairwise.ranking(conversation), top=_focus())
