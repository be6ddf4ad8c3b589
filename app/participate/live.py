"""The live board for participants, and its event stream (Server-Sent Events, or a JSON poll).

Each view parses input, calls one service, and renders or redirects; the stream itself holds no
database session (app/live/sse.py).
"""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from wtforms import SelectField

from app.views import acting, int_arg
from app import live
from app.extensions import db
from app.models import ContentStatus, Conversation
from app.models.conversation import ConversationState
from app.live.sse import stream
from app.live.store import replay
from app.participate import bp
from app.participate.forms import IdeaForm, VoteForm
from app.participate.forms import PollAnswerForm, answer_form
from app.participate.routes import _fail_on, held_message
from app.ratelimit import posting_limit
from app.services import access
from app.services.content import ideas
from app.models.base import utcnow
from app.services.workshops import polls
from app.services.workshops.auto_advance import catch_up
from app.services.workshops.board import Board, console_board, live_board, presenter_board, state_json
from app.services.workshops.session import iso
from app.services.common.errors import ServiceError
from app.services.workshops.phases import Action, allows


class LiveIdeaForm(IdeaForm):
    question_id = SelectField("Which question is your idea about?", coerce=int)


@bp.app_template_global()
def phase_allows(conversation: ConversationState, action: Action) -> bool:
    """For templates: may people do this now (open, and the session's phase allows it)?"""
    return conversation.is_accepting() and allows(conversation, action)


bp.add_app_template_global(iso, "iso")
bp.add_app_template_global(utcnow, "utcnow")


def _idea_form(board: Board, form: LiveIdeaForm | None = None) -> LiveIdeaForm:
    form = form or LiveIdeaForm()
    form.question_id.choices = [(c.question.id, c.question.text) for c in board.columns]
    return form


def _board_page(conversation_id: int, form: LiveIdeaForm | None = None, status: int = 200,
                poll_form: PollAnswerForm | None = None) -> tuple[str, int]:
    board = live_board(acting(), conversation_id)
    my_poll = polls.board_poll(acting(), board.conversation)
    return render_template(
        "participate/live.html", board=board, conversation=board.conversation, form=_idea_form(board, form),
        vote_form=VoteForm(), named_mode=board.conversation.named_mode, my_poll=my_poll,
        poll_form=answer_form(my_poll, poll_form),
    ), status


@bp.get("/conversations/<int:conversation_id>/live")
def live_board_page(conversation_id: int) -> ResponseReturnValue:
    return _board_page(conversation_id)


@bp.post("/conversations/<int:conversation_id>/live/ideas")
@posting_limit
def live_post_idea(conversation_id: int) -> ResponseReturnValue:
    board = live_board(acting(), conversation_id)
    form = _idea_form(board, LiveIdeaForm())
    if form.validate_on_submit():
        try:
            idea, _ = ideas.post_idea(acting(), form.question_id.data, form.body.data or "", client_token=form.client_token.data,
                                      allow_identifying=form.confirm_identifying.data)
        except ServiceError as error:
            _fail_on(form, error)
        else:
            flash("Your idea has been posted." if idea.status == ContentStatus.PUBLISHED
                  else held_message("idea", idea.status), "success")
            return redirect(url_for("participate.live_board_page", conversation_id=conversation_id))
    return _board_page(conversation_id, form, 400)


def _state_board(conversation_id: int, view: str) -> Board:
    """The board whose state a browser reloads: its own, or (for facilitators) the console or projector's."""
    me = acting()
    if view in ("console", "presenter"):
        conversation = access.get_managed_conversation(me.facilitates, conversation_id)
        return console_board(conversation) if view == "console" else presenter_board(conversation)
    return live_board(me, conversation_id)


def _cursor() -> int | None:
    """Where the browser got to: the Last-Event-ID header (on reconnect) or ?after=N."""
    header = request.headers.get("Last-Event-ID")
    return int_arg("after", low=0) if not header else int_arg("Last-Event-ID", low=0, raw=header)


@bp.get("/conversations/<int:conversation_id>/live/events")
def live_events(conversation_id: int) -> ResponseReturnValue:
    """An SSE stream (Accept: text/event-stream), else a JSON poll: events after ?after=N."""
    conversation = access.get_conversation(acting(), conversation_id)
    catch_up(conversation)  # a timer that ran out moves an opted-in session on before anything is sent
    after = _cursor()
    current = conversation.live_seq
    engine = db.engine
    if "text/event-stream" in request.headers.get("Accept", ""):
        config = current_app.config
        body = stream(live.bus(), engine, conversation.id, current if after is None else after,
                      heartbeat=float(config["CHORUS_LIVE_HEARTBEAT_SECONDS"]),
                      max_seconds=float(config["CHORUS_LIVE_STREAM_SECONDS"]))
        # End this request's transaction now: the stream reads through short connections of its own, and
        # the session itself is removed when the request context is torn down, before streaming starts.
        db.session.rollback()
        return Response(body, mimetype="text/event-stream",
                        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})
    messages: list[live.LiveMessage]
    if after is None:
        messages, complete = [], True
    else:
        messages, complete = replay(engine, conversation.id, after)
    payload: dict[str, Any] = {
        "events": [m.as_dict() for m in messages],
        "last_event_id": messages[-1].id if messages else (current if after is None or not complete else after),
        "reset": not complete,
    }
    if request.args.get("state") == "1" or not complete:
        payload["state"] = state_json(_state_board(conversation_id, request.args.get("view", "board")))
        if not complete:
            payload["last_event_id"] = payload["state"]["last_event_id"]
    return jsonify(payload)
