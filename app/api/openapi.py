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
_CHECK = {"type": "object", "properties": {"body": {"type": "string"},
                                           "text": {"type": "string", "deprecated": True, "description": "old name of body"}}}
_BATCH = {
    "batch_release": {"type": "boolean", "description": "New posts wait, seen only by their authors, then appear together in a "
                      "shuffled order with one shared hour (default false)"},
    "batch_size": {"type": "integer", "minimum": 3, "maximum": 100, "description": "Release when this many are waiting (default 5)"},
    "batch_max_wait_hours": {"type": "integer", "minimum": 1, "maximum": 168,
                             "description": "Or when the first has waited this long (default 24)"}}
_WRITE = ("400", "401", "404", "409", "415", "422", "429")
_REASONS = ["identifying", "abusive", "off_topic", "duplicate", "other"]

MODERATION_SCHEMAS: dict[str, Any] = {
    "ReportInput": {"type": "object", "required": ["reason"], "properties": {
        "reason": {"type": "string", "enum": _REASONS},
        "note": {"type": "string", "maxLength": 500, "description": "Required when reason is other."}}},
    "ModerationItem": {"type": "object", "description": "An idea or comment as moderators see it; never carries its author.", "properties": {
        "kind": {"type": "string", "enum": ["idea", "comment"]}, "id": {"type": "string"}, "idea_id": {"type": "string"},
        "conversation_id": {"type": "integer"}, "body": {"type": "string"},
        "status": {"type": "string", "enum": ["published", "pending", "hidden"]},
        "created_hour": {"type": "string", "format": "date-time"}, "edited": {"type": "boolean"},
        "moderator_edited": {"type": "boolean"}, "flagged_identifying": {"type": "boolean"}, "flagged_abusive": {"type": "boolean"},
        "reasons": {"type": "array", "items": {"type": "string"}},
        "reports": {"type": "object", "additionalProperties": {"type": "integer"}},
        "report_notes": {"type": "array", "items": {"type": "string"}}}},
    "ModerationAction": {"type": "object", "required": ["action"], "properties": {
        "action": {"type": "string", "enum": ["approve", "hide", "redact"]},
        "reason": {"type": "string", "enum": _REASONS, "description": "Required to hide."},
        "note": {"type": "string", "maxLength": 500, "description": "Shown to the author; required to hide with reason other."},
        "body": {"type": "string", "description": "The new text, required to redact."}}},
    "Notice": {"type": "object", "properties": {
        "kind": {"type": "string", "enum": ["idea", "comment"]}, "item_id": {"type": "string"}, "conversation_id": {"type": "integer"},
        "action": {"type": "string", "enum": ["hide", "redact"]}, "reason": {"type": ["string", "null"]}, "note": {"type": "string"},
        "message": {"type": "string"}, "body": {"type": "string"}, "status": {"type": "string"}}},
    "ModerationLogEntry": {"type": "object", "description": "Names the moderator, never the author.", "properties": {
        "id": {"type": "integer"}, "item_kind": {"type": "string"}, "item_id": {"type": "string"},
        "action": {"type": "string", "enum": ["approve", "hide", "redact", "auto_hide"]}, "reason": {"type": ["string", "null"]},
        "note": {"type": "string"}, "moderator_id": {"type": ["integer", "null"]}, "moderator": {"type": "string"},
        "at": {"type": "string", "format": "date-time"}}},
}

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
        "questions": {"type": "array", "items": _ref("Question")}, **_BATCH}},
    "ConversationInput": {"type": "object", "properties": {**_BATCH,
        "organisation_id": {"type": "integer"}, "title": {"type": "string"}, "description": {"type": "string"},
        "kind": {"type": "string"}, "voting_mode": {"type": "string", "enum": ["support", "agree"]},
        "comments_enabled": {"type": "boolean"}, "named_mode": {"type": "boolean"}, "audience_ids": {"type": "array", "items": {"type": "integer"}},
        "questions": {"type": "array", "items": {"type": "string"}},
        "opens_at": {"type": ["string", "null"], "format": "date-time"}, "closes_at": {"type": ["string", "null"], "format": "date-time"}}},
    "Idea": {"type": "object", "description": "Never carries an author; created_hour is truncated to the hour.", "properties": {
        "id": {"type": "string"}, "conversation_id": {"type": "integer"}, "question_id": {"type": "integer"},
        "body": {"type": "string"}, "created_hour": {"type": "string", "format": "date-time"}, "edited": {"type": "boolean"},
        "moderator_edited": {"type": "boolean"}, "status": {"type": "string", "enum": ["published", "pending", "hidden", "waiting"],
        "description": "pending, hidden or waiting (for the next batch, with batch release on) only in your own posts"},
        "source": {"type": "string"}, "votes": {"type": ["object", "null"], "additionalProperties": {"type": "integer"}, "description": "null while counts are hidden from you (votes_hidden)"},
        "votes_hidden": {"type": "boolean"},
        "comment_count": {"type": "integer"}, "my_vote": {"type": ["string", "null"]}, "mine": {"type": "boolean"},
        "comments": {"type": "array", "items": _ref("Comment")},
        "stage": {"type": "string", "description": "Ideas Lab only"}, "stage_reason": {"type": ["string", "null"]}}},
    "ThemeRun": {"type": ["object", "null"], "properties": {"id": {"type": "integer"}, "status": {"type": "string", "enum": ["queued", "running", "succeeded", "failed"]},
                 "backend": {"type": ["string", "null"]}, "idea_count": {"type": "integer"}, "theme_count": {"type": "integer"},
                 "unthemed_count": {"type": "integer"}, "error": {"type": ["string", "null"]}}},
    "Theme": {"type": "object", "properties": {"id": {"type": "integer"}, "label": {"type": "string"}, "size": {"type": "integer"},
              "top_terms": {"type": "array", "items": {"type": "string"}}, "coherence": {"type": "number"},
              "sentiment": {"type": ["number", "null"]}, "quotes": {"type": "array", "items": {"type": "object"}}}},
    "Span": {"type": "object", "properties": {"start": {"type": "integer"}, "end": {"type": "integer"}, "kind": {"type": "string"},
             "reason": {"type": "string"}, "text": {"type": "string"}}},
    "ParticipationCell": {"type": "object", "properties": {"group": {"type": "string"},
                          "participants": {"type": ["integer", "null"]}, "hidden": {"type": "boolean"}}},
    "Participation": {"type": "object", "description": "Never per person, and from the last hourly batch, never live: groups "
                      "below min_group_size are folded into \"Other\" and never named; all figures are null until the first batch.",
                      "properties": {
        "conversation_id": {"type": "integer"}, "min_group_size": {"type": "integer"},
        "updated_at": {"type": ["string", "null"], "description": "The hour the figures were worked out (UTC)."},
        "ideas": {"type": ["integer", "null"]}, "comments": {"type": ["integer", "null"]}, "votes": {"type": ["integer", "null"]},
        "participants": {"type": ["integer", "null"]},
        "by_organisation": {"type": "array", "items": _ref("ParticipationCell")},
        "by_staff_group": {"type": "array", "items": _ref("ParticipationCell")}}},
    "LiveState": {"type": "object", "description": "No author or user; counts are null while hidden from you.", "properties": {
        "conversation_id": {"type": "integer"}, "status": {"type": "string"}, "phase": {"type": ["string", "null"], "enum": ["collect", "vote", "review", "closed", None]},
        "phase_label": {"type": ["string", "null"]}, "ends_at": {"type": ["string", "null"], "format": "date-time"}, "now": {"type": "string", "format": "date-time"},
        "votes_hidden": {"type": "boolean"}, "auto_advance": {"type": "boolean"}, "spotlight": {"type": "object"}, "last_event_id": {"type": "integer"},
        "ideas": {"type": "object", "additionalProperties": {"type": "object"}}}},
    "Comment": {"type": "object", "properties": {"id": {"type": "string"}, "idea_id": {"type": "string"},
                "body": {"type": "string"}, "created_hour": {"type": "string", "format": "date-time"},
                "edited": {"type": "boolean"}, "moderator_edited": {"type": "boolean"},
                "status": {"type": "string", "enum": ["published", "pending", "hidden", "waiting"],
                           "description": "pending, hidden or waiting only in your own posts"}, "mine": {"type": "boolean"}}},
    "BatchState": {"type": "object", "properties": {"conversation_id": {"type": "integer"}, **_BATCH,
                   "waiting": {"type": "integer"}, "released": {"type": "integer", "description": "Only after a release"}}},
    **MODERATION_SCHEMAS,
}


def build_spec() -> dict[str, Any]:
    """The whole document; a test checks that every /api/v1 route appears here."""
    conv, idea, comment, question = (_path_param("conversation_id", "integer"), _path_param("idea_id"),
                                     _path_param("comment_id"), _path_param("question_id", "integer"))
    conversation = _ok(_ref("Conversation"))
    report_schema = {"type": "object", "properties": {"reported": {"type": "boolean"}, "already_reported": {"type": "boolean"}}}
    _report_ok = _ok(report_schema, "201", "Reported") | _ok(report_schema, "200", "You had already reported it")
    idea_ok = _ok(_ref("Idea"))
    paths = {
        "/me": {"get": _op("The signed-in person's organisations and roles", _ok({"type": "object"}), errors=("401",))},
        "/conversations": {
            "get": _op("Conversations open to you", _ok({"type": "object", "properties": {"conversations": {"type": "array", "items": _ref("Conversation")}}}), errors=("401",)),
            "post": _op("Create a draft conversation (facilitators)", _ok(_ref("Conversation"), "201", "Created"), body=_ref("ConversationInput"), errors=("400", "401", "404", "415", "422")),
        },
        "/conversations/{conversation_id}": {
            "get": _op("A conversation with its questions", conversation, params=[conv]),
            "patch": _op("Edit a conversation (facilitators)", conversation, body=_ref("ConversationInput"), params=[conv], errors=("400", "401", "404", "409", "415", "422")),
        },
        "/conversations/{conversation_id}/open": {"post": _op("Open a conversation (facilitators)", conversation, params=[conv], errors=("401", "404", "409"))},
        "/conversations/{conversation_id}/close": {"post": _op("Close a conversation (facilitators)", conversation, params=[conv], errors=("401", "404", "409"))},
        "/conversations/{conversation_id}/questions": {"get": _op("The questions of a conversation", _ok({"type": "object", "properties": {"questions": {"type": "array", "items": _ref("Question")}}}), params=[conv])},
        "/conversations/{conversation_id}/mine": {"get": _op("Your own ideas and comments, found by recomputing author tags", _ok({"type": "object", "properties": {
            "ideas": {"type": "array", "items": _ref("Idea")}, "comments": {"type": "array", "items": _ref("Comment")},
            "archived": {"type": "boolean", "description": "the key is destroyed: no post can be found, edited or withdrawn"},
            "can_edit": {"type": "boolean", "description": "you may edit or withdraw your posts now"},
            "edit_until": {"type": ["string", "null"], "format": "date-time",
                           "description": "after closing: the end of the grace period for edits and withdrawals"}}}),
            params=[conv])},
        "/conversations/{conversation_id}/themes": {"get": _op("The current themes, with the latest run's state", _ok({"type": "object", "properties": {
            "run": _ref("ThemeRun"), "pending": _ref("ThemeRun"), "latest_failed": _ref("ThemeRun"), "unthemed": {"type": "integer"},
            "themes": {"type": "array", "items": _ref("Theme")}}}), params=[conv])},
        "/conversations/{conversation_id}/themes/run": {"post": _op("Queue a theme run (facilitators and leads); 429 when asked for again within CHORUS_THEMES_ON_DEMAND_MINUTES", _ok(_ref("ThemeRun"), "202", "Queued"), params=[conv], errors=("401", "404", "429"))},
        "/conversations/{conversation_id}/similar": {"post": _op("Ideas similar to a draft (text in the body, never the URL)", _ok({"type": "object", "properties": {
            "ideas": {"type": "array", "items": {"type": "object"}}}}), body=_TEXT, params=[conv], errors=("400", "401", "404", "415", "429"))},
        "/check-text": {"post": _op("Identifying details and sentiment of a draft; nothing is stored", _ok({"type": "object", "properties": {
            "spans": {"type": "array", "items": _ref("Span")}, "sentiment": {"type": "number"}}}), body=_CHECK, errors=("400", "401", "415", "429"))},
        "/questions/{question_id}/ideas": {
            "get": _op("A page of ideas", _ok({"type": "object", "properties": {"ideas": {"type": "array", "items": _ref("Idea")},
                       "page": {"type": "integer"}, "pages": {"type": "integer"}, "total": {"type": "integer"}, "sort": {"type": "string"}}}),
                       params=[question, {"name": "sort", "in": "query", "schema": {"type": "string", "enum": ["random", "newest", "supported", "discussed"]}},
                               {"name": "stage", "in": "query", "description": "Ideas Lab: only ideas at this stage", "schema": {"type": "string"}},
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
        "/conversations/{conversation_id}/batch": {"get": _op(
            "Batch release (facilitators): the settings and how many posts are waiting (a count only, never the posts)",
            _ok(_ref("BatchState")), params=[conv], errors=("401", "404"))},
        "/conversations/{conversation_id}/batch/release": {"post": _op(
            "Publish every waiting post now, together, shuffled, with one shared hour (facilitators)",
            _ok(_ref("BatchState")), params=[conv], errors=("401", "404"))},
        "/conversations/{conversation_id}/participation": {"get": _op(
            "Participation figures (facilitators), worked out hourly: totals, and people by organisation and staff group, "
            "rounded to 5, groups below the minimum group size folded into Other (complementary suppression included)",
            _ok(_ref("Participation")), params=[conv], errors=("401", "404"))},
        "/conversations/{conversation_id}/paper-notes": {"post": _op(
            "Import typed-up paper sticky notes as ideas (facilitators): all or nothing, with row-numbered errors; "
            "dry_run checks and previews without saving", _ok({"type": "object", "properties": {
                "imported": {"type": "integer"}, "idea_ids": {"type": "array", "items": {"type": "string"}},
                "flagged_identifying": {"type": "integer"}, "held_for_moderation": {"type": "integer"}, "notes": {"type": "array", "items": {"type": "object"}}}}, "201", "Imported"),
            body={"type": "object", "required": ["notes"], "properties": {
                "notes": {"type": "string", "description": "CSV with question and text columns, or one note per line"},
                "question_id": {"type": "integer", "description": "The question for notes given one per line"},
                "dry_run": {"type": "boolean"}}}, params=[conv], errors=("400", "401", "404", "409", "415", "422"))},
        "/ideas/{idea_id}/stage": {"put": _op(
            "Move an Ideas Lab idea to a stage (facilitators); not_taken_forward needs a reason",
            _ok({"type": "object", "properties": {"id": {"type": "string"}, "conversation_id": {"type": "integer"},
                 "stage": {"type": "string"}, "stage_reason": {"type": ["string", "null"]}}}),
            body={"type": "object", "required": ["stage"], "properties": {
                "stage": {"type": "string", "enum": ["submitted", "under_review", "taken_forward", "done", "not_taken_forward"]},
                "reason": {"type": "string"}}}, params=[idea], errors=("400", "401", "404", "409", "415", "422"))},
        "/ideas/{idea_id}/report": {"post": _op("Report an idea to the moderators (once per person)", _report_ok, body=_ref("ReportInput"), params=[idea], errors=_WRITE)},
        "/comments/{comment_id}/report": {"post": _op("Report a comment to the moderators (once per person)", _report_ok, body=_ref("ReportInput"), params=[comment], errors=_WRITE)},
        "/conversations/{conversation_id}/moderation": {"get": _op("The moderation queue (facilitators of the conversation)", _ok({"type": "object", "properties": {
            "moderation_mode": {"type": "string", "enum": ["post", "pre"]}, "report_threshold": {"type": "integer"},
            "items": {"type": "array", "items": _ref("ModerationItem")}}}), params=[conv])},
        "/conversations/{conversation_id}/moderation/{kind}/{item_id}": {"post": _op(
            "Approve, hide with a reason, or redact an idea or comment; the author is told in-app", _ok(_ref("ModerationItem")),
            body=_ref("ModerationAction"), params=[conv, {"name": "kind", "in": "path", "required": True, "schema": {"type": "string", "enum": ["idea", "comment"]}},
                                                   _path_param("item_id")], errors=("400", "401", "404", "415", "422"))},
        "/conversations/{conversation_id}/moderation/log": {"get": _op("The moderation log: action, reason, moderator, time; never the author", _ok({"type": "object", "properties": {
            "entries": {"type": "array", "items": _ref("ModerationLogEntry")}}}), params=[conv])},
        "/notices": {"get": _op("Moderation notices on your own posts (computed from your author tags, never stored against you)", _ok({"type": "object", "properties": {
            "notices": {"type": "array", "items": _ref("Notice")}}}), errors=("401",))},
        "/notices/{kind}/{item_id}/dismiss": {"post": _op("Mark a notice on your own post as seen; remembered only by the chorus_seen cookie this response sets (send it back to keep the notice hidden), never on the server", {"204": {"description": "Dismissed"}},
            params=[{"name": "kind", "in": "path", "required": True, "schema": {"type": "string", "enum": ["idea", "comment"]}}, _path_param("item_id")],
            errors=("401", "404"))},
        "/comments/{comment_id}": {
            "patch": _op("Edit your own comment", _ok(_ref("Comment")), body=_BODY, params=[comment], errors=_WRITE),
            "delete": _op("Withdraw your own comment", {"204": {"description": "Withdrawn"}}, params=[comment], errors=("401", "404", "409", "429")),
        },
    }
    from app.api.live import live_paths

    paths |= live_paths(conv)

    from app.api import openapi_triage

    paths |= openapi_triage.paths(_op, _ok, _path_param)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Chorus API", "version": "1.0.0", "description": (
            "Anonymous staff engagement. Authenticate with a session cookie (send the CSRF token in X-CSRFToken "
            "on writes; a missing or stale token is a 400) or with Authorization: Bearer <token> (no CSRF token). "
            "Without either the answer is 401. Endpoints for facilitators or change-hub leads answer 404 to anyone "
            "without that role, the same as for a conversation or item that does not exist, never 403. "
            "Responses never identify who wrote or voted.")},
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
