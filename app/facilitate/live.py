"""The facilitator's live console and the presenter view for a projector.

Every control is a small form (works without JavaScript) that calls one live_session service.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm

from app.urls import WholeNumber
from app.views import acting
from app.facilitate import bp
from app.facilitate.forms import PollForm
from app.services.workshops import auto_advance
from app.services.workshops import polls
from app.services.workshops.wordcloud import session_word_cloud
from app.services.workshops import session
from app.services.workshops.board import console_board, presenter_board
from app.services.access import get_managed_conversation
from app.services.common.errors import ServiceError
from app.models import Conversation


class ControlForm(FlaskForm):
    """A button form: the CSRF token is its only declared field; values are read by each view."""


def _conversation(conversation_id: int) -> Conversation:
    return get_managed_conversation(acting().facilitates, conversation_id)


def _back(conversation_id: int) -> ResponseReturnValue:
    return redirect(url_for("facilitate.live_console", conversation_id=conversation_id))


def _run(conversation_id: int, action: Callable[[Conversation], object], success: str) -> ResponseReturnValue:
    """Check the CSRF form, run one service call and say what happened."""
    conversation = _conversation(conversation_id)
    # The console's script sends controls in the background (Accept: application/json) and shows the
    # outcome from the live event the server publishes; without JavaScript the form redirects back.
    background = request.accept_mimetypes.best == "application/json"
    if not ControlForm().validate_on_submit():
        if background:
            return jsonify(ok=False, message="Your session expired. Reload the page and try again."), 400
        flash("Your session expired. Try again.", "error")
        return _back(conversation_id)
    try:
        action(conversation)
    except ServiceError as error:
        if background:
            return jsonify(ok=False, message=error.message), error.status
        flash(error.message, "error")
    else:
        if background:
            return jsonify(ok=True, message=success)
        flash(success, "success")
    return _back(conversation_id)


@bp.get("/conversations/<int:conversation_id>/live")
def live_console(conversation_id: int, poll_form: FlaskForm | None = None, status: int = 200) -> ResponseReturnValue:

    board = console_board(_conversation(conversation_id))
    return render_template("facilitate/live_console.html", board=board, conversation=board.conversation,
                           control_form=ControlForm(), named_mode=board.conversation.named_mode,
                           has_overview="facilitate.conversation" in current_app.view_functions,
                           polls=polls.console_polls(board.conversation),
                           poll_form=poll_form or PollForm(prefix="poll", formdata=None),
                           cloud=session_word_cloud(board.conversation)), status


@bp.get("/conversations/<int:conversation_id>/present")
def live_presenter(conversation_id: int) -> ResponseReturnValue:
    board = presenter_board(_conversation(conversation_id))
    return render_template("facilitate/presenter.html", board=board, conversation=board.conversation,
                           named_mode=board.conversation.named_mode, poll=polls.presenter_poll(board.conversation),
                           cloud=session_word_cloud(board.conversation))


@bp.get("/conversations/<int:conversation_id>/live/close")
def live_close_confirm(conversation_id: int) -> ResponseReturnValue:
    """Closing the session ends it for everyone, so it is confirmed on a page of its own (works without JS)."""
    conversation = _conversation(conversation_id)
    return render_template("facilitate/live_close.html", conversation=conversation, control_form=ControlForm())


@bp.post("/conversations/<int:conversation_id>/live/phase")
def live_phase(conversation_id: int) -> ResponseReturnValue:
    phase = request.form.get("phase", "")
    if phase == "closed" and request.form.get("confirm") != "yes":
        _conversation(conversation_id)
        return redirect(url_for("facilitate.live_close_confirm", conversation_id=conversation_id))
    if phase == "closed":
        return _run(conversation_id, lambda c: session.set_phase(c, phase),
                    "The session has closed. Nobody can post or vote now; you can reopen the conversation later.")
    return _run(conversation_id, lambda c: session.set_phase(c, phase), "The phase has changed on every screen.")


def _minutes_field() -> int | None:
    return WholeNumber(0).parse(request.form.get("minutes", ""))  # the service explains a missing or silly value


@bp.post("/conversations/<int:conversation_id>/live/timer")
def live_timer(conversation_id: int) -> ResponseReturnValue:
    action, minutes = request.form.get("action", ""), _minutes_field()
    if action == "stop":
        return _run(conversation_id, session.stop_timer, "The timer has stopped.")
    if action == "add":
        return _run(conversation_id, lambda c: session.add_time(c, minutes), "Time added.")
    return _run(conversation_id, lambda c: session.start_timer(c, minutes), "The timer has started.")


@bp.post("/conversations/<int:conversation_id>/live/spotlight")
def live_spotlight(conversation_id: int) -> ResponseReturnValue:
    idea_id = request.form.get("idea_id") or None
    raw_theme = request.form.get("theme_id", "")
    theme_id = WholeNumber().parse(raw_theme)
    if raw_theme and theme_id is None:
        theme_id = -1  # not a number: the service refuses it with a clear message
    message = "The spotlight is clear." if not (idea_id or theme_id) else "Spotlight shown on every screen."
    return _run(conversation_id, lambda c: session.set_spotlight(c, idea_id=idea_id, theme_id=theme_id), message)


@bp.post("/conversations/<int:conversation_id>/live/auto-advance")
def live_auto_advance(conversation_id: int) -> ResponseReturnValue:
    on = request.form.get("auto_advance") == "on"
    message = ("When the timer ends, the session moves on by itself: collecting ideas, then voting, then review."
               if on else "The session moves on only when you choose the next phase.")
    return _run(conversation_id, lambda c: auto_advance.set_auto_advance(c, on), message)


@bp.post("/conversations/<int:conversation_id>/live/votes")
def live_votes(conversation_id: int) -> ResponseReturnValue:
    hidden = request.form.get("votes_hidden") == "hidden"
    message = "Vote counts are hidden until each person votes, or until voting ends." if hidden else "Vote counts are shown."
    return _run(conversation_id, lambda c: session.set_votes_hidden(c, hidden), message)
