"""API: a conversation's live state (with the events since a cursor) and facilitators' live controls."""

from __future__ import annotations

from flask import abort

from app.api import bp, for_role
from app.api.schemas.live import (AutoAdvanceBody, Event, Live, LiveOnly, LiveQuery, LiveState, PhaseBody,
                                  SpotlightBody, TimerBody, VotesHiddenBody)
from app.api.spec import WRITE, parsed_json, parsed_query, responses, validate
from app.extensions import db
from app.live.store import replay
from app.models import Conversation, Role
from app.services.access import get_managed_conversation
from app.services.workshops import auto_advance, session
from app.services.workshops.board import live_board, state_json
from app.views import acting


def _managed(conversation_id: int) -> Conversation:
    return get_managed_conversation(acting().facilitates, conversation_id)


def _state(conversation_id: int) -> LiveOnly:
    return LiveOnly(state=LiveState(**state_json(live_board(acting(), conversation_id))))


@bp.get("/conversations/<int:conversation_id>/live")
@validate(query=LiveQuery, resp=responses(200, Live, (400, 401, 404)))
def live_state(conversation_id: int) -> Live:
    """Live state (phase, timer, spotlight, counts you may see) and the events after ?after=N."""
    state = LiveState(**state_json(live_board(acting(), conversation_id)))
    after = parsed_query().after
    if after is None:
        return Live(state=state, events=[], reset=False)
    messages, complete = replay(db.engine, conversation_id, after)
    return Live(state=state, events=[Event(**m.as_dict()) for m in messages], reset=not complete)


@bp.post("/conversations/<int:conversation_id>/live/phase")
@for_role(Role.FACILITATOR)
@validate(json=PhaseBody, resp=responses(200, LiveOnly, WRITE))
def live_set_phase(conversation_id: int) -> LiveOnly:
    """Move a live session to a phase (facilitators)."""
    session.set_phase(_managed(conversation_id), parsed_json().phase)
    return _state(conversation_id)


@bp.post("/conversations/<int:conversation_id>/live/timer")
@for_role(Role.FACILITATOR)
@validate(json=TimerBody, resp=responses(200, LiveOnly, WRITE))
def live_set_timer(conversation_id: int) -> LiveOnly:
    """Start, extend or stop the phase timer (facilitators)."""
    data: TimerBody = parsed_json()
    conversation = _managed(conversation_id)
    if data.action == "start":
        session.start_timer(conversation, data.minutes)
    elif data.action == "add":
        session.add_time(conversation, data.minutes)
    elif data.action == "stop":
        session.stop_timer(conversation)
    else:
        abort(400, "action must be start, add or stop.")
    return _state(conversation_id)


@bp.post("/conversations/<int:conversation_id>/live/spotlight")
@for_role(Role.FACILITATOR)
@validate(json=SpotlightBody, resp=responses(200, LiveOnly, WRITE))
def live_set_spotlight(conversation_id: int) -> LiveOnly:
    """Spotlight an idea or theme; send neither to clear (facilitators)."""
    data: SpotlightBody = parsed_json()
    session.set_spotlight(_managed(conversation_id), idea_id=data.idea_id, theme_id=data.theme_id)
    return _state(conversation_id)


@bp.post("/conversations/<int:conversation_id>/live/votes")
@for_role(Role.FACILITATOR)
@validate(json=VotesHiddenBody, resp=responses(200, LiveOnly, WRITE))
def live_set_votes_hidden(conversation_id: int) -> LiveOnly:
    """Hide vote counts until each person votes, or until voting ends (facilitators)."""
    session.set_votes_hidden(_managed(conversation_id), parsed_json().votes_hidden)
    return _state(conversation_id)


@bp.post("/conversations/<int:conversation_id>/live/auto-advance")
@for_role(Role.FACILITATOR)
@validate(json=AutoAdvanceBody, resp=responses(200, LiveOnly, WRITE))
def live_set_auto_advance(conversation_id: int) -> LiveOnly:
    """Move on automatically (collect, vote, review) when the phase timer ends (facilitators)."""
    auto_advance.set_auto_advance(_managed(conversation_id), parsed_json().auto_advance)
    return _state(conversation_id)
