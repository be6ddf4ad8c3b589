"""The OpenAPI 3.1 document for /api/v1, served at /api/v1/openapi.json."""

from __future__ import annotations

from typing import Any

from flask import jsonify

from app.api import bp
from app.extensions import limiter

_ERROR = {"description": "Error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


def _ok(schema: dict[str, Any], status: str = "200", description: str = "OK") -> dict[str, Any]:
    return {status: {"description": description, "content": {"application/json": {"schema": schema}}}}


def _op(summary: str, responses: dict[str, Any], *, body: dict[str, Any] | None = None,
        params: list[dict[str, Any]] | None = None, errors: tuple[str, ...] = ("401", "404")) -> dict[str, Any]:
    op: dict[str, Any] = {"summary": summary, "responses": responses | {code: _ERROR for code in errors}}
    if body is not None:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    if params:
        op["parameters"] = params
    return op


def _path_param(name: str, kind: str = "string") -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": kind}}


_IDEMPOTENCY = {"name": "Idempotency-Key", "in": "header", "required": False, "schema": {"type": "string"},
                "description": "Repeat a POST with the same key to get the first result instead of a duplicate."}
_BODY = {"type": "object", "required": ["body"], "properties": {"body": {"type": "string"},
         "client_token": {"type": "string", "description": "Alternative to the Idempotency-Key header."},
         "confirm_identifying": {"type": "boolean", "description": "Post even though the text seems to hold names, contact details or ward numbers (otherwise 422)."}}}
_TEXT = {"type": "object", "required": ["text"], "properties": {"text": {"type": "string"}}}
_WRITE = ("400", "401", "404", "409", "415", "422", "429")

SCHEMAS: dict[str, Any] = {
    "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "object", "required": ["status", "message"], "properties": {
        "status": {"type": "integer"}, "message": {"type": "string"}, "field": {"type": "string"}}}}},
    "Question": {"type": "object", "properties": {"id": {"type": "integer"}, "conversation_id": {"type": "integer"},
                 "text": {"type": "string"}, "description": {"type": "string"}, "position": {"type": "integer"}}},
    "Conversation": {"type": "object", "properties": {
        "id": {"type": "integer"}, "title": {"type": "string"}, "kind": {"type": "string", "enum": ["online", "ideas_lab", "change_hub", "workshop"]},
        "status": {"type": "string", "enum": ["draft", "open", "closed"]}, "accepting": {"type": "boolean"},
        "voting_mode": {"type": "string", "enum": ["support", "agree"]}, "comments_enabled": {"type": "boolean"},
        "named_mode": {"type": "boolean"}, "opens_at": {"type": ["string", "null"], "format": "date-time"},
        "closes_at": {"type": ["string", "null"], "format": "date-time"}, "organisation": {"type": "string"},
        "description": {"type": "string"}, "audience": {"type": "array", "items": {"type": "string"}},
        "questions": {"type": "array", "items": _ref("Question")}}},
    "ConversationInput": {"type": "object", "properties": {
        "organisation_id": {"type": "integer"}, "title": {"type": "string"}, "description": {"type": "string"},
        "kind": {"type": "string"}, "voting_mode": {"type": "string", "enum": ["support", "agree"]},
        "comments_enabled": {"type": "boolean"}, "audience_ids": {"type": "array", "items": {"type": "integer"}},
        "questions": {"type": "array", "items": {"type": "string"}},
        "opens_at": {"type": ["string", "null"], "format": "date-time"}, "closes_at": {"type": ["string", "null"], "format": "date-time"}}},
    "Idea": {"type": "object", "description": "Never carries an author; created_hour is truncated to the hour.", "properties": {
        "id": {"type": "string"}, "conversation_id": {"type": "integer"}, "question_id": {"type": "integer"},
        "body": {"type": "string"}, "created_hour": {"type": "string", "format": "date-time"}, "edited": {"type": "boolean"},
        "source": {"type": "string"}, "votes": {"type": "object", "additionalProperties": {"type": "integer"}},
        "comment_count": {"type": "integer"}, "my_vote": {"type": ["string", "null"]}, "mine": {"type": "boolean"},
        "comments": {"type": "array", "items": _ref("Comment")}}},
    "ThemeRun": {"type": ["object", "null"], "properties": {"id": {"type": "integer"}, "status": {"type": "string", "enum": ["queued", "running", "succeeded", "failed"]},
                 "backend": {"type": ["string", "null"]}, "idea_count": {"type": "integer"}, "theme_count": {"type": "integer"},
                 "unthemed_count": {"type": "integer"}, "error": {"type": ["string", "null"]}}},
    "Theme": {"type": "object", "properties": {"id": {"type": "integer"}, "label": {"type": "string"}, "size": {"type": "integer"},
              "top_terms": {"type": "array", "items": {"type": "string"}}, "coherence": {"type": "number"},
              "sentiment": {"type": ["number", "null"]}, "quotes": {"type": "array", "items": {"type": "object"}}}},
    "Span": {"type": "object", "properties": {"start": {"type": "integer"}, "end": {"type": "integer"}, "kind": {"type": "string"},
             "reason": {"type": "string"}, "text": {"type": "string"}}},
    "Comment": {"type": "object", "properties": {"id": {"type": "string"}, "idea_id": {"type": "string"},
                "body": {"type": "string"}, "created_hour": {"type": "string", "format": "date-time"},
                "edited": {"type": "boolean"}, "mine": {"type": "boolean"}}},
}


def build_spec() -> dict[str, Any]:
    """The whole document; a test checks that every /api/v1 route appears here."""
    conv, idea, comment, question = (_path_param("conversation_id", "integer"), _path_param("idea_id"),
                                     _path_param("comment_id"), _path_param("question_id", "integer"))
    conversation = _ok(_ref("Conversation"))
    idea_ok = _ok(_ref("Idea"))
    paths = {
        "/me": {"get": _op("The signed-in person's organisations and roles", _ok({"type": "object"}), errors=("401",))},
        "/conversations": {
            "get": _op("Conversations open to you", _ok({"type": "object", "properties": {"conversations": {"type": "array", "items": _ref("Conversation")}}}), errors=("401",)),
            "post": _op("Create a draft conversation (facilitators)", _ok(_ref("Conversation"), "201", "Created"), body=_ref("ConversationInput"), errors=("400", "401", "403", "415", "422")),
        },
        "/conversations/{conversation_id}": {
            "get": _op("A conversation with its questions", conversation, params=[conv]),
            "patch": _op("Edit a conversation (facilitators)", conversation, body=_ref("ConversationInput"), params=[conv], errors=("400", "401", "403", "404", "409", "415", "422")),
        },
        "/conversations/{conversation_id}/open": {"post": _op("Open a conversation (facilitators)", conversation, params=[conv], errors=("401", "403", "404", "409"))},
        "/conversations/{conversation_id}/close": {"post": _op("Close a conversation (facilitators)", conversation, params=[conv], errors=("401", "403", "404", "409"))},
        "/conversations/{conversation_id}/questions": {"get": _op("The questions of a conversation", _ok({"type": "object", "properties": {"questions": {"type": "array", "items": _ref("Question")}}}), params=[conv])},
        "/conversations/{conversation_id}/mine": {"get": _op("Your own ideas and comments, found by recomputing author tags", _ok({"type": "object", "properties": {
            "ideas": {"type": "array", "items": _ref("Idea")}, "comments": {"type": "array", "items": _ref("Comment")}}}), params=[conv])},
        "/conversations/{conversation_id}/themes": {"get": _op("The current themes, with the latest run's state", _ok({"type": "object", "properties": {
            "run": _ref("ThemeRun"), "pending": _ref("ThemeRun"), "latest_failed": _ref("ThemeRun"), "unthemed": {"type": "integer"},
            "themes": {"type": "array", "items": _ref("Theme")}}}), params=[conv])},
        "/conversations/{conversation_id}/themes/run": {"post": _op("Queue a theme run (facilitators and leads)", _ok(_ref("ThemeRun"), "202", "Queued"), params=[conv], errors=("401", "403", "404"))},
        "/conversations/{conversation_id}/similar": {"post": _op("Ideas similar to a draft (text in the body, never the URL)", _ok({"type": "object", "properties": {
            "ideas": {"type": "array", "items": {"type": "object"}}}}), body=_TEXT, params=[conv], errors=("400", "401", "404", "415", "429"))},
        "/check-text": {"post": _op("Identifying details and sentiment of a draft; nothing is stored", _ok({"type": "object", "properties": {
            "spans": {"type": "array", "items": _ref("Span")}, "sentiment": {"type": "number"}}}), body=_TEXT, errors=("400", "401", "415", "429"))},
        "/questions/{question_id}/ideas": {
            "get": _op("A page of ideas", _ok({"type": "object", "properties": {"ideas": {"type": "array", "items": _ref("Idea")},
                       "page": {"type": "integer"}, "pages": {"type": "integer"}, "total": {"type": "integer"}, "sort": {"type": "string"}}}),
                       params=[question, {"name": "sort", "in": "query", "schema": {"type": "string", "enum": ["random", "newest", "supported", "discussed"]}},
                               {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}}], errors=("400", "401", "404")),
            "post": _op("Post an idea (5 to 2,000 characters)", _ok(_ref("Idea"), "201", "Created") | _ok(_ref("Idea"), "200", "Already posted with this Idempotency-Key"),
                        body=_BODY, params=[question, _IDEMPOTENCY], errors=_WRITE),
        },
        "/ideas/{idea_id}": {
            "get": _op("An idea with its comments", idea_ok, params=[idea]),
            "patch": _op("Edit your own idea", idea_ok, body=_BODY, params=[idea], errors=_WRITE),
            "delete": _op("Withdraw your own idea", {"204": {"description": "Withdrawn"}}, params=[idea], errors=("401", "404", "409", "429")),
        },
        "/ideas/{idea_id}/comments": {"post": _op("Comment on an idea (1 to 500 characters)", _ok(_ref("Comment"), "201", "Created"), body=_BODY, params=[idea, _IDEMPOTENCY], errors=_WRITE)},
        "/ideas/{idea_id}/vote": {
            "put": _op("Vote: support, or agree / disagree / pass", idea_ok, body={"type": "object", "required": ["choice"], "properties": {"choice": {"type": "string", "enum": ["support", "agree", "disagree", "pass"]}}}, params=[idea], errors=_WRITE),
            "delete": _op("Withdraw your vote", idea_ok, params=[idea], errors=("401", "404", "409", "429")),
        },
        "/comments/{comment_id}": {
            "patch": _op("Edit your own comment", _ok(_ref("Comment")), body=_BODY, params=[comment], errors=_WRITE),
            "delete": _op("Withdraw your own comment", {"204": {"description": "Withdrawn"}}, params=[comment], errors=("401", "404", "409", "429")),
        },
    }
    from app.api import openapi_triage

    paths |= openapi_triage.paths(_op, _ok, _path_param)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Chorus API", "version": "1.0.0", "description": (
            "Anonymous staff engagement. Authenticate with a session cookie (send the CSRF token in X-CSRFToken "
            "on writes) or with Authorization: Bearer <token>. Responses never identify who wrote or voted.")},
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}, {"session": []}],
        "components": {"schemas": SCHEMAS | openapi_triage.SCHEMAS, "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer"},
            "session": {"type": "apiKey", "in": "cookie", "name": "session"}}},
        "paths": paths,
    }


@bp.get("/openapi.json")
@limiter.exempt
def openapi():  # type: ignore[no-untyped-def]
    return jsonify(build_spec())
