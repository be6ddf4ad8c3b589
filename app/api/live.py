"""API: a conversation's live state (with the events since a cursor) and facilitators' live controls."""

from __future__ import annotations

from typing import Any

from flask import abort, jsonify, request

from app.views import acting, int_arg
from app.api import bp, for_role
from app.api.helpers import is_db_id, json_body, text_field
from app.extensions import db
from app.live.store import replay
from app.models import Role
from app.services.workshops import auto_advance
from app.services.workshops import session
from app.services.workshops.board import live_board, state_json
from app.services.access import get_managed_conversation


@bp.get("/conversations/<int:conversation_id>/live")
def live_state(conversation_id: int):  # type: ignore[no-untyped-def]
    """The live state as this person may see it; with ?after=N also the events after N."""
    state = state_json(live_board(acting(), conversation_id))
    after = int_arg("after", low=0)
    if after is None:
        return jsonify(state=state, events=[], reset=False)
    messages, complete = replay(db.engine, conversation_id, after)
    return jsonify(state=state, events=[m.as_dict() for m in messages], reset=not complete)


def _managed(conversation_id: int):  # type: ignore[no-untyped-def]
    return get_managed_conversation(acting().facilitates, conversation_id)


def _state(conversation_id: int):  # type: ignore[no-untyped-def]
    return jsonify(state=state_json(live_board(acting(), conversation_id)))


@bp.post("/conversations/<int:conversation_id>/live/phase")
@for_role(Role.FACILITATOR)
def live_set_phase(conversation_id: int):  # type: ignore[no-untyped-def]
    data = json_body("phase")
    session.set_phase(_managed(conversation_id), text_field(data, "phase"))
    return _state(conversation_id)


@bp.post("/conversations/<int:conversation_id>/live/timer")
@for_role(Role.FACILITATOR)
def live_set_timer(conversation_id: int):  # type: ignore[no-untyped-def]
    data = json_body("action")
    action, minutes = text_field(data, "action"), data.get("minutes")
    conversation = _managed(conversation_id)
    if action == "start":
        session.start_timer(conversation, minutes)  # type: ignore[arg-type]
    elif action == "add":
        session.add_time(conversation, minutes)  # type: ignore[arg-type]
    elif action == "stop":
        session.stop_timer(conversation)
    else:
        abort(400, "action must be start, add or stop.")
    return _state(conversation_id)


@bp.post("/conversations/<int:conversation_id>/live/spotlight")
@for_role(Role.FACILITATOR)
def live_set_spotlight(conversation_id: int):  # type: ignore[no-untyped-def]
    data = json_body()
    idea_id, theme_id = data.get("idea_id"), data.get("theme_id")
    if idea_id is not None and not isinstance(idea_id, str):
        abort(400, "idea_id must be a string.")
    if theme_id is not None and not is_db_id(theme_id):
        abort(400, "theme_id must be a whole number.")
    session.set_spotlight(_managed(conversation_id), idea_id=idea_id, theme_id=theme_id)
    return _state(conversation_id)


@bp.post("/conversations/<int:conversation_id>/live/votes")
@for_role(Role.FACILITATOR)
def live_set_votes_hidden(conversation_id: int):  # type: ignore[no-untyped-def]
    data = json_body("votes_hidden")
    if not isinstance(data["votes_hidden"], bool):
        abort(400, "votes_hidden must be true or false.")
    session.set_votes_hidden(_managed(conversation_id), data["votes_hidden"])
    return _state(conversation_id)


@bp.post("/conversations/<int:conversation_id>/live/auto-advance")
@for_role(Role.FACILITATOR)
def live_set_auto_advance(conversation_id: int):  # type: ignore[no-untyped-def]
    data = json_body("auto_advance")
    if not isinstance(data["auto_advance"], bool):
        abort(400, "auto_advance must be true or false.")
    auto_advance.set_auto_advance(_managed(conversation_id), data["auto_advance"])
    return _state(conversation_id)


def live_paths(conv: dict[str, Any]) -> dict[str, Any]:
    """The OpenAPI entries for these routes (merged into app/api/openapi.py's document)."""
    from app.api.openapi import _ok, _op

    state = _ok({"type": "object", "properties": {"state": {"$ref": "#/components/schemas/LiveState"}}})
    write = ("400", "401", "404", "409", "415", "422")
    return {
        "/conversations/{conversation_id}/live": {"get": _op(
            "Live state (phase, timer, spotlight, counts you may see) and the events after ?after=N", _ok({"type": "object", "properties": {
                "state": {"$ref": "#/components/schemas/LiveState"}, "events": {"type": "array", "items": {"type": "object"}},
                "reset": {"type": "boolean"}}}), params=[conv, {"name": "after", "in": "query", "schema": {"type": "integer", "minimum": 0}}],
            errors=("400", "401", "404"))},
        "/conversations/{conversation_id}/live/phase": {"post": _op("Move a live session to a phase (facilitators)", state, body={
            "type": "object", "required": ["phase"], "properties": {"phase": {"type": "string", "enum": ["collect", "vote", "review", "closed"]}}},
            params=[conv], errors=write)},
        "/conversations/{conversation_id}/live/timer": {"post": _op("Start, extend or stop the phase timer (facilitators)", state, body={
            "type": "object", "required": ["action"], "properties": {"action": {"type": "string", "enum": ["start", "add", "stop"]},
            "minutes": {"type": "integer", "minimum": 1, "maximum": 180}}}, params=[conv], errors=write)},
        "/conversations/{conversation_id}/live/spotlight": {"post": _op("Spotlight an idea or theme; send neither to clear (facilitators)", state, body={
            "type": "object", "properties": {"idea_id": {"type": ["string", "null"]}, "theme_id": {"type": ["integer", "null"]}}},
            params=[conv], errors=write)},
        "/conversations/{conversation_id}/live/votes": {"post": _op("Hide vote counts until each person votes, or until voting ends (facilitators)", state, body={
            "type": "object", "required": ["votes_hidden"], "properties": {"votes_hidden": {"type": "boolean"}}},
            params=[conv], errors=write)},
        "/conversations/{conversation_id}/live/auto-advance": {"post": _op(
            "Move on automatically (collect, vote, review) when the phase timer ends (facilitators)", state, body={
                "type": "object", "required": ["auto_advance"], "properties": {"auto_advance": {"type": "boolean"}}},
            params=[conv], errors=write)},
    }
