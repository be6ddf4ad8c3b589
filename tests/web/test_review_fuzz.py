"""Adversarial input over every path in the OpenAPI document: never a 500, never a half-written state."""

from __future__ import annotations

import json
from typing import Any

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Comment, Conversation, Idea, Vote
from app.services.accounts import users
from app.services.content import comments
from app.services.content import ideas
from tests.fuzzing import parameters_read
from tests.services.triage_fixtures import themed  # noqa: F401  (fixture)

# Every status an API caller may legitimately get back for bad input; 500 is never one of them.
ALLOWED = {200, 201, 202, 204, 400, 401, 403, 404, 405, 409, 413, 415, 422, 429}  # 429: on-demand theme runs

BAD_IDS = ["0", "-1", "abc", "99999999999999999999999", "2147483648", "%00", "1%00", "x" * 600, "%E2%80%AE1"]

# Bodies that are not a JSON object, or an object whose fields have the wrong types or silly values.
RAW_BODIES: list[tuple[str, bytes]] = [
    ("application/json", b""),
    ("application/json", b"{"),
    ("application/json", b"[]"),
    ("application/json", b'"a string"'),
    ("application/json", b"42"),
    ("application/json", b"null"),
    ("application/json", b"\xff\xfe\x00not utf-8"),
    ("application/json", b'{"body": "\xff\xfe"}'),
    ("application/json", b"[" * 5000 + b"]" * 5000),
    ("text/plain", b"body=hello"),
    ("application/x-www-form-urlencoded", b"body=hello+there+friend"),
]
FIELD_VALUES: list[Any] = [
    None, 0, -1, 2**63, 2**70, 1.5, True, "", "   \n\t ", "\x00" * 20, "\ud800 x", "\u200b\u202e\x07" * 5,
    ["a list"], {"an": "object"}, "x" * 100_000,
]
FIELDS = ["body", "choice", "text", "notes", "question_id", "dry_run", "stage", "reason", "title", "description",
          "questions", "audience_ids", "organisation_id", "kind", "voting_mode", "comments_enabled", "named_mode",
          "opens_at", "closes_at", "client_token", "confirm_identifying"]


def _counts() -> tuple[int, ...]:
    """Rows that no rejected request may add or remove (PATCH /conversations may legitimately reword questions)."""
    return tuple(db.session.scalar(sa.select(sa.func.count()).select_from(model))
                 for model in (Idea, Comment, Vote, Conversation))


@pytest.fixture
def world(app, make_user, make_conversation, as_participant):  # type: ignore[no-untyped-def]
    facilitator = make_user("facilitator")
    conversation = make_conversation()
    question = conversation.questions[0]
    idea, _ = ideas.post_idea(as_participant(facilitator), question.id, "More flexible rota planning please")
    comment, _ = comments.add_comment(as_participant(facilitator), idea.id, "Yes, agreed")
    token = users.create_api_token(facilitator)
    return {
        "headers": {"Authorization": f"Bearer {token}"},
        "ids": {"conversation_id": str(conversation.id), "question_id": str(question.id),
                "idea_id": idea.id, "comment_id": comment.id},
    }


def _operations(client) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    document = client.get("/api/v1/openapi.json").get_json()
    return [(method.upper(), path) for path, ops in document["paths"].items() for method in ops]


def _body_fields(client) -> dict[tuple[str, str], set[str] | None]:  # type: ignore[no-untyped-def]
    """The fields each operation's JSON body schema declares (None: no schema, or one without plain properties).

    Views read a body only through its schema (app/api/spec.py: spectree with pydantic), so a field the schema does
    not declare never reaches the view's code; the fuzz tests send bad values to every declared field and to two
    undeclared ones, instead of every known field name to every operation.
    """
    document = client.get("/api/v1/openapi.json").get_json()
    schemas = document["components"]["schemas"]
    fields: dict[tuple[str, str], set[str] | None] = {}
    for path, ops in document["paths"].items():
        for method, op in ops.items():
            schema = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            if schema and "$ref" in schema:
                schema = schemas[schema["$ref"].rsplit("/", 1)[1]]
            properties = (schema or {}).get("properties")
            fields[(method.upper(), path)] = set(properties) if properties else None
    return fields


def _fuzzed_fields(declared: set[str] | None, known: list[str]) -> list[str]:
    """Every declared field and two undeclared ones from `known` (every known field when nothing is declared)."""
    if declared is None:
        return known
    return sorted(declared) + [name for name in known if name not in declared][:2]


def _fill(path: str, ids: dict[str, str], override: dict[str, str] | None = None) -> str:
    values = ids | (override or {})
    for name, value in values.items():
        path = path.replace("{" + name + "}", value)
    return "/api/v1" + path


def _check(response, what: str) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code in ALLOWED, f"{what} -> {response.status_code}: {response.get_data(as_text=True)[:300]}"
    if response.status_code >= 400:
        body = response.get_json(silent=True)
        assert body and body["error"]["status"] == response.status_code and body["error"]["message"], what
        assert "Traceback" not in response.get_data(as_text=True)


def test_unknown_and_malformed_ids_get_json_errors(client, world) -> None:  # type: ignore[no-untyped-def]
    before = _counts()
    for method, path in _operations(client):
        params = [name for name in world["ids"] if "{" + name + "}" in path]
        for name in params:
            for bad in BAD_IDS:
                url = _fill(path, world["ids"], {name: bad})
                response = client.open(url, method=method, json={}, headers=world["headers"])
                _check(response, f"{method} {url}")
                assert response.status_code != 200 or method == "GET" and "/conversations" not in url, f"{method} {url}"
    assert _counts() == before


# Actions that take no body: any body is ignored, so they succeed whatever is sent.
BODYLESS = ("/open", "/close", "/themes/run", "/seen", "/dismiss", "/batch/release")


def test_bodies_that_are_not_json_objects_get_json_errors(client, world) -> None:  # type: ignore[no-untyped-def]
    before = _counts()
    for method, path in _operations(client):
        if method not in ("POST", "PUT", "PATCH"):
            continue
        url = _fill(path, world["ids"])
        for content_type, raw in RAW_BODIES:
            response = client.open(url, method=method, data=raw, content_type=content_type, headers=world["headers"])
            _check(response, f"{method} {url} {raw[:20]!r}")
            if url.endswith(BODYLESS):
                continue  # these take no body
            assert response.status_code in (400, 404, 409, 413, 415, 422), f"{method} {url} {raw[:20]!r}"
    assert _counts() == before


def test_fields_of_the_wrong_type_or_size_get_json_errors(client, world) -> None:  # type: ignore[no-untyped-def]
    before = _counts()
    declared = _body_fields(client)
    checked = 0
    for method, path in _operations(client):
        if method not in ("POST", "PUT", "PATCH") or path.endswith(BODYLESS):
            continue
        url = _fill(path, world["ids"])
        for field in _fuzzed_fields(declared[(method, path)], FIELDS):
            for value in FIELD_VALUES:
                checked += 1
                payload = {field: value}
                response = client.open(url, method=method, data=json.dumps(payload),
                                       content_type="application/json", headers=world["headers"])
                _check(response, f"{method} {url} {json.dumps(payload)[:60]}")
                # Reads sent as POST (every field has a default): a body of other fields is simply ignored. A
                # declared field outside FIELDS may take one of these values as valid (a rank of 0).
                if field in FIELDS and method != "PATCH" and not path.endswith(
                        ("/similar", "/check-text", "/messages/preview")):
                    assert response.status_code >= 400, f"{method} {url} {payload!r:.60} was accepted"
    assert checked > 1000
    assert _counts() == before


def _valid_payloads(world) -> dict[str, dict[str, Any]]:  # type: ignore[no-untyped-def]
    """A valid body per write operation (keyed by its OpenAPI path), to spoil one field at a time."""
    conversation = {"title": "Rotas and rest breaks", "questions": ["What would help?"],
                    "audience_ids": [int(world["org_id"])]}
    return {
        "/questions/{question_id}/ideas": {"body": "A quiet room for breaks on every ward", "client_token": None},
        "/ideas/{idea_id}": {"body": "More flexible rota planning, please"},
        "/ideas/{idea_id}/comments": {"body": "Agreed, this would help"},
        "/comments/{comment_id}": {"body": "Yes, agreed"},
        "/ideas/{idea_id}/vote": {"choice": "support"},
        "/ideas/{idea_id}/stage": {"stage": "submitted", "reason": ""},
        "/conversations": conversation,
        "/conversations/{conversation_id}": {"title": "Best place to work"},
        "/conversations/{conversation_id}/paper-notes": {"notes": "Better parking for night staff", "dry_run": True},
        "/conversations/{conversation_id}/similar": {"text": "parking"},
        "/check-text": {"text": "parking"},
    }


SPOILERS: list[Any] = [None, 2**63, -(2**63), 1.5, True, "\x00", ["a"], [2**63], {"a": 1}, "x" * 20_000,
                       "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "2026-02-30T09:00:00Z"]


def test_one_spoilt_field_in_a_valid_body_gets_a_json_error(client, world, org) -> None:  # type: ignore[no-untyped-def]
    world["org_id"] = str(org.id)
    before = _counts()
    created = 0
    for method, path in _operations(client):
        payload = _valid_payloads(world).get(path)
        if method not in ("POST", "PUT", "PATCH") or payload is None:
            continue
        url = _fill(path, world["ids"])
        for field in [*payload, "organisation_id", "question_id", "confirm_identifying", "opens_at", "closes_at"]:
            for value in SPOILERS:
                spoilt = {k: v for k, v in payload.items() if v is not None} | {field: value}
                response = client.open(url, method=method, data=json.dumps(spoilt),
                                       content_type="application/json", headers=world["headers"])
                _check(response, f"{method} {url} {json.dumps(spoilt)[:80]}")
                if field in payload and payload[field] is not None and not isinstance(value, type(payload[field])):
                    assert response.status_code >= 400, f"{method} {url} {field}={value!r:.40} was accepted"
                created += response.status_code == 201 and not path.endswith("/paper-notes")
    # Nothing was written without a 201 saying so (spoilt fields that are ignored extras may still post).
    ideas_before, comments_before, _, conversations_before = before
    ideas_after, comments_after, _, conversations_after = _counts()
    assert (ideas_after - ideas_before) + (comments_after - comments_before) + (
        conversations_after - conversations_before) == created


# Every query-string parameter any route reads, with values that once reached int() or the database as 500s.
QUERY_PARAMS = ["page", "after", "sort", "stage", "order", "top", "question", "view", "state", "q", "next"]
BAD_QUERY_VALUES = ["²", "٣", "99999999999999999999999", "2147483648", "-1", "1e3", "", "x" * 3000, "%00", "\u202e"]


def test_every_query_parameter_with_bad_values_gets_a_json_answer(app, client, world) -> None:  # type: ignore[no-untyped-def]
    """Each bad value in all parameters at once, then in each parameter the operation reads (tests/fuzzing.py)."""
    before = _counts()
    reads = {}
    for method, path in _operations(client):
        if method != "GET":
            continue
        url = _fill(path, world["ids"])
        reads[path] = parameters_read(app, client, url, QUERY_PARAMS, headers=world["headers"])
        queries = [dict.fromkeys(QUERY_PARAMS, value) for value in BAD_QUERY_VALUES]
        queries += [{name: value} for name in reads[path] for value in BAD_QUERY_VALUES]
        for query in queries:
            response = client.get(url, query_string=query, headers=world["headers"])
            _check(response, f"GET {url}?{str(query)[:60]}")
    assert {"page", "sort", "stage"} <= set(reads["/questions/{question_id}/ideas"])
    assert "after" in reads["/conversations/{conversation_id}/live"]
    assert _counts() == before


# Every field a triage (change-hub lead) operation reads, with wrong types, ids past the database's integers
# (2**70 was a 500 on PostgreSQL) and broken text.
TRIAGE_FIELDS = ["label", "summary", "pinned", "not_a_theme", "target_id", "idea_ids", "idea_id", "theme_id", "status",
                 "public_reason", "owner", "due_on", "impact", "effort", "rank", "text", "done", "heard", "will_do",
                 "by_whom", "by_when", "items", "question_id", "picked", "left_id", "right_id", "choice", "recluster"]
TRIAGE_VALUES: list[Any] = [None, 2**70, -(2**70), 2**31, 0, -1, 1.5, True, "", "\x00", "\ud800 x", ["a"], [2**70],
                            {"a": 1}, "x" * 20_000, "2026-02-30"]


def test_every_triage_field_with_bad_values_gets_a_json_error(client, themed) -> None:  # type: ignore[no-untyped-def]
    conversation, _, _, lead = themed
    headers = {"Authorization": f"Bearer {users.create_api_token(lead)}"}
    board = client.get(f"/api/v1/manage/conversations/{conversation.id}/board", headers=headers).get_json()
    theme = board["themes"][0]["id"]
    ids = {"conversation_id": str(conversation.id), "theme_id": str(theme), "action_id": "1"}
    checked = 0
    declared = _body_fields(client)
    for method, path in _operations(client):
        if method not in ("POST", "PUT", "PATCH") or not (path.startswith("/manage/") or path.endswith("/pairs")):
            continue
        url = _fill(path, ids)
        for field in _fuzzed_fields(declared[(method, path)], TRIAGE_FIELDS):
            for value in TRIAGE_VALUES:
                response = client.open(url, method=method, data=json.dumps({field: value}),
                                       content_type="application/json", headers=headers)
                _check(response, f"{method} {url} {field}={value!r:.40}")
                checked += 1
    assert checked > 1000
