"""Quick polls in the live console: draft a poll, open it on every screen, close it (forms, no JS needed)."""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask.typing import ResponseReturnValue

from app.facilitate import bp
from app.facilitate.forms import PollForm
from app.facilitate.live import _conversation, _run, live_console
from app.services.common.errors import ServiceError
from app.services.workshops import polls


@bp.post("/conversations/<int:conversation_id>/live/polls")
def live_poll_create(conversation_id: int) -> ResponseReturnValue:
    conversation = _conversation(conversation_id)
    form = PollForm(prefix="poll")
    if form.validate_on_submit():
        try:
            poll = polls.create_poll(conversation, form.question.data or "", form.kind.data or "",
                                     (form.options.data or "").splitlines())
        except ServiceError as error:
            getattr(form, error.field or "question").errors = [error.message]
            return live_console(conversation_id, poll_form=form, status=error.status)
        flash(f"The poll \u201c{poll.question}\u201d is ready. Open it when you want people to answer.", "success")
        return redirect(url_for("facilitate.live_console", conversation_id=conversation_id, _anchor="polls"))
    return live_console(conversation_id, poll_form=form, status=400)


@bp.post("/conversations/<int:conversation_id>/live/polls/<int:poll_id>/open")
def live_poll_open(conversation_id: int, poll_id: int) -> ResponseReturnValue:
    return _run(conversation_id, lambda c: polls.open_poll(c, poll_id), "The poll is open on every screen.")


@bp.post("/conversations/<int:conversation_id>/live/polls/<int:poll_id>/close")
def live_poll_close(conversation_id: int, poll_id: int) -> ResponseReturnValue:
    return _run(conversation_id, lambda c: polls.close_poll(c, poll_id), "The poll is closed. Its results stay on the screens.")
