"""Answering a quick poll on the live board: one radio form, once per person per poll (works without JS)."""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask.typing import ResponseReturnValue

from app.participate import bp
from app.participate.forms import PollAnswerForm
from app.participate.live import _board_page
from app.ratelimit import posting_limit
from app.services.common.errors import ServiceError
from app.services.workshops import polls
from app.views import acting


@bp.post("/conversations/<int:conversation_id>/live/polls/<int:poll_id>/answer")
@posting_limit
def answer_poll(conversation_id: int, poll_id: int) -> ResponseReturnValue:

    form = PollAnswerForm(prefix="poll")
    if form.validate_on_submit():
        try:
            counted = polls.answer_poll(acting(), conversation_id, poll_id, form.choice.data)
        except ServiceError as error:
            form.choice.errors = [error.message]
            return _board_page(conversation_id, poll_form=form, status=error.status)
        flash("Thank you. Your answer has been counted." if counted else "You have already answered this poll.",
              "success")
        return redirect(url_for("participate.live_board_page", conversation_id=conversation_id, _anchor="poll"))
    return _board_page(conversation_id, poll_form=form, status=400)


bp.add_app_template_global(polls.option_label, "poll_option_label")
