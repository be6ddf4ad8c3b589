"""The generated OpenAPI document against what /api/v1 really does: every route documented, and every answer
(on the happy path and on each error a fixture can provoke) matching the schema documented for its status."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import BaseModel

from app.api.spec import spec
from app.extensions import db
from app.models import NoteImport
from app.services.accounts.users import create_api_token
from app.services.content import comments, ideas
from app.services.conversations import lifecycle
from app.services.speakup import settings, threads
from app.services.frameworks.catalogue import default_framework
from tests.services.triage_fixtures import themed  # noqa: F401  (fixture)
from tests.web.test_manage import top

PREFIX = "/api/v1"


def _documented(client) -> dict[tuple[str, str], dict[str, Any]]:  # type: ignore[no-untyped-def]
    document = client.get(PREFIX + "/openapi.json").json
    return {(method.upper(), path): op for path, ops in document["paths"].items() for method, op in ops.items()}


def _rule_path(rule: str) -> str:
    return rule[len(PREFIX):].replace("<int:", "{").replace("<", "{").replace(">", "}")


def test_every_api_rule_is_documented_and_every_documented_route_exists(app, client) -> None:  # type: ignore[no-untyped-def]
    rules = {(method, _rule_path(rule.rule)) for rule in app.url_map.iter_rules()
             if rule.rule.startswith(PREFIX + "/") and rule.endpoint != "api.openapi"
             for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert rules == set(_documented(client))


def test_the_document_names_its_security_and_errors(client) -> None:  # type: ignore[no-untyped-def]
    document = client.get(PREFIX + "/openapi.json").json
    assert document["openapi"].startswith("3.1") and document["servers"] == [{"url": PREFIX}]
    assert set(document["components"]["securitySchemes"]) == {"bearer", "session", "csrf"}
    assert {"bearer": []} in document["security"] and {"session": [], "csrf": []} in document["security"]
    for (method, path), op in _documented(client).items():
        assert op["summary"] and "401" in op["responses"], (method, path)
        if "requestBody" in op:
            assert {"400", "415"} <= set(op["responses"]), (method, path)
    schemas = document["components"]["schemas"]
    assert "author_name" in schemas["Idea"]["properties"] and "author_name" in schemas["Comment"]["properties"]
    assert schemas["ThemeCard"]["anyOf"] and schemas["Me"]["properties"]["memberships"]


@pytest.fixture
def world(app, client, make_user, as_participant, themed):  # type: ignore[no-untyped-def]  # noqa: F811
    """A themed, open conversation with an idea and comment, and a lead (who may also facilitate) with a token."""
    conversation, people, _, lead = themed
    # The fixture's own run counts as on demand; without a limit the happy path of themes/run can be reached.
    app.config["CHORUS_THEMES_ON_DEMAND_MINUTES"] = 0
    question = conversation.questions[0]
    idea, _ = ideas.post_idea(as_participant(lead), question.id, "Lockers that work on every ward, please")
    comment, _ = comments.add_comment(as_participant(lead), idea.id, "Yes, and showers too")
    themes = top(conversation)
    lab = lifecycle.create_conversation(conversation.organisation_id, lifecycle.ConversationDetails(
        title="Ideas Lab", kind="ideas_lab", audience_ids=[conversation.organisation_id], questions=["Your idea?"]))
    lab_idea, _ = ideas.post_idea(people[1], lifecycle.open_conversation(lab).questions[0].id, "A bike shed by A&E")
    note_import = NoteImport(conversation_id=conversation.id, total=0, status="succeeded")
    db.session.add(note_import)
    db.session.commit()
    # The lead is also the organisation's Freedom to Speak Up Guardian, and has sent their comment to the Guardian.
    settings.appoint_guardian(frozenset({conversation.organisation_id}), conversation.organisation_id, lead.email)
    thread = threads.send_to_guardian(as_participant(lead), "comment", comment.id)
    return {
        "headers": {"Authorization": f"Bearer {create_api_token(lead)}"},
        "ids": {"conversation_id": conversation.id, "question_id": question.id, "idea_id": idea.id,
                "comment_id": comment.id, "theme_id": themes[0].id, "organisation_id": conversation.organisation_id,
                "kind": "comment", "item_id": comment.id, "action_id": 1,
                "import_id": note_import.id, "thread_id": thread.id, "correction_id": 1},
        "other_theme": themes[1].id, "lab_idea": lab_idea.id, "org": conversation.organisation_id,
        "element": default_framework().elements[0].id,
    }


def _calls(world) -> list[tuple[str, str, dict[str, Any]]]:  # type: ignore[no-untyped-def]
    """One happy call per route, in an order where each finds what it needs (closing and withdrawing last)."""
    w = world["ids"]
    return [
        ("GET", "/me", {}), ("GET", "/conversations", {}), ("GET", "/conversations/{conversation_id}", {}),
        ("GET", "/conversations/{conversation_id}/questions", {}), ("GET", "/conversations/{conversation_id}/mine", {}),
        ("GET", "/questions/{question_id}/ideas", {"query_string": {"sort": "newest", "page": "1"}}),
        ("POST", "/questions/{question_id}/ideas", {"json": {"body": "Water fountains on the wards", "client_token": "retry-1234"}}),
        ("GET", "/ideas/{idea_id}", {}),
        ("PUT", "/ideas/{idea_id}/vote", {"json": {"choice": "support"}}),
        ("DELETE", "/ideas/{idea_id}/vote", {}),
        ("POST", "/ideas/{idea_id}/comments", {"json": {"body": "This would help nights"}}),
        ("PATCH", "/comments/{comment_id}", {"json": {"body": "Yes, and showers too, please"}}),
        ("POST", "/ideas/{idea_id}/report", {"json": {"reason": "duplicate"}}),
        ("POST", "/comments/{comment_id}/report", {"json": {"reason": "off_topic"}}),
        ("GET", "/conversations/{conversation_id}/moderation", {}),
        ("POST", "/conversations/{conversation_id}/moderation/{kind}/{item_id}", {"json": {"action": "redact", "body": "Yes, and showers"}}),
        ("GET", "/conversations/{conversation_id}/moderation/log", {}),
        ("GET", "/notices", {}), ("POST", "/notices/{kind}/{item_id}/dismiss", {}),
        ("GET", "/conversations/{conversation_id}/themes", {}),
        ("GET", "/conversations/{conversation_id}/themes/progress", {}),
        ("POST", "/conversations/{conversation_id}/similar", {"json": {"text": "parking at night"}}),
        ("POST", "/check-text", {"json": {"text": "Ask Dr Jane Smith on ward 7"}}),
        ("GET", "/conversations/{conversation_id}/participation", {}),
        ("GET", "/conversations/{conversation_id}/messages", {}),
        ("POST", "/conversations/{conversation_id}/messages/preview", {"json": {"kind": "invitation"}}),
        ("PUT", "/conversations/{conversation_id}/teams-channel", {"json": {"url": "https://contoso.webhook.office.com/webhookb2/x"}}),
        # Email is not set up in the test app: the message is recorded and waits (201), so it can be cancelled.
        ("POST", "/conversations/{conversation_id}/messages", {"json": {"kind": "invitation", "when": "now"}}),
        ("POST", "/conversations/{conversation_id}/messages/{message_id}/cancel", {"ids": {"message_id": 1}}),
        ("GET", "/conversations/{conversation_id}/outreach", {}),
        ("POST", "/ideas/{idea_id}/speak-up", {"json": {"message": "Please read this"}}),
        ("POST", "/comments/{comment_id}/speak-up", {"json": {"message": ""}}),
        ("GET", "/conversations/{conversation_id}/speak-up", {}),
        ("GET", "/conversations/{conversation_id}/speak-up/{thread_id}", {}),
        ("POST", "/conversations/{conversation_id}/speak-up/{thread_id}/messages", {"json": {"body": "More detail"}}),
        ("GET", "/guardian/threads", {"query_string": {"status": "open"}}),
        ("GET", "/guardian/threads/{thread_id}", {}),
        ("POST", "/guardian/threads/{thread_id}/replies", {"json": {"body": "Thank you for telling me"}}),
        ("PUT", "/guardian/threads/{thread_id}/status", {"json": {"status": "closed"}}),
        ("GET", "/conversations/{conversation_id}/batch", {}),
        ("POST", "/conversations/{conversation_id}/batch/release", {}),
        ("POST", "/conversations/{conversation_id}/paper-notes", {"json": {"notes": "More bike racks", "question_id": w["question_id"], "dry_run": True}}),
        ("GET", "/conversations/{conversation_id}/paper-notes/imports/{import_id}", {}),
        ("PUT", "/ideas/{idea_id}/stage", {"json": {"stage": "under_review"}, "ids": {"idea_id": world["lab_idea"]}}),
        ("GET", "/conversations/{conversation_id}/live", {"query_string": {"after": "0"}}),
        ("POST", "/conversations/{conversation_id}/live/phase", {"json": {"phase": "collect"}}),
        ("POST", "/conversations/{conversation_id}/live/timer", {"json": {"action": "start", "minutes": 5}}),
        ("POST", "/conversations/{conversation_id}/live/spotlight", {"json": {"idea_id": w["idea_id"]}}),
        ("POST", "/conversations/{conversation_id}/live/votes", {"json": {"votes_hidden": False}}),
        ("POST", "/conversations/{conversation_id}/live/auto-advance", {"json": {"auto_advance": False}}),
        ("GET", "/manage/conversations/{conversation_id}/board", {"query_string": {"order": "size"}}),
        ("GET", "/manage/themes/{theme_id}", {}),
        ("PATCH", "/manage/themes/{theme_id}", {"json": {"summary": "Parking and transport at night"}}),
        ("PUT", "/manage/themes/{theme_id}/status", {"json": {"status": "under_review"}}),
        ("PUT", "/manage/themes/{theme_id}/owner", {"json": {"owner": "Estates", "due_on": "2027-01-31"}}),
        ("PUT", "/manage/themes/{theme_id}/rating", {"json": {"impact": 4, "effort": 2}}),
        ("PUT", "/manage/themes/{theme_id}/rank", {"json": {"rank": None}}),
        ("POST", "/manage/themes/{theme_id}/actions", {"json": {"text": "Survey night staff", "due_on": None}}),
        ("PATCH", "/manage/themes/{theme_id}/actions/{action_id}", {"json": {"done": True}}),
        ("PUT", "/manage/themes/{theme_id}/outcome", {"json": {"heard": "Parking", "will_do": "More spaces", "by_whom": "Estates"}}),
        ("POST", "/manage/themes/{theme_id}/outcome/updates", {"json": {"body": "Twenty spaces marked"}}),
        ("GET", "/conversations/{conversation_id}/outcomes", {}), ("GET", "/organisations/{organisation_id}/outcomes", {}),
        ("GET", "/me/outcome-notices", {}), ("POST", "/me/outcome-notices/seen", {}),
        ("POST", "/manage/conversations/{conversation_id}/placements", {"json": {"idea_id": w["idea_id"], "theme_id": w["theme_id"]}}),
        ("GET", "/conversations/{conversation_id}/report.docx", {}),
        ("GET", "/frameworks", {}),
        ("POST", "/manage/conversations/{conversation_id}/framework-corrections",
         {"json": {"theme_id": w["theme_id"], "element_id": world["element"], "added": True}}),
        ("GET", "/manage/conversations/{conversation_id}/framework-mappings", {}),
        ("DELETE", "/manage/framework-corrections/{correction_id}", {}),
        ("GET", "/manage/conversations/{conversation_id}/pairwise", {}),
        ("PUT", "/manage/conversations/{conversation_id}/pairwise", {"json": {"items": "themes"}}),
        ("GET", "/conversations/{conversation_id}/pairs/next", {}),
        ("POST", "/conversations/{conversation_id}/pairs", {"json": {"left_id": w["theme_id"], "right_id": world["other_theme"], "choice": "left"}}),
        ("GET", "/manage/conversations/{conversation_id}/ranking", {}),
        ("POST", "/manage/themes/{theme_id}/split", {"json": {"recluster": True}}),
        ("POST", "/manage/themes/{theme_id}/merge", {"json": {"target_id": world["other_theme"]}}),
        ("PATCH", "/ideas/{idea_id}", {"json": {"body": "Lockers that work on every single ward"}}),
        ("DELETE", "/comments/{comment_id}", {}), ("DELETE", "/ideas/{idea_id}", {}),
        ("POST", "/conversations", {"json": {"title": "Rest breaks", "questions": ["What would help?"], "audience_ids": [world["org"]]}}),
        ("PATCH", "/conversations/{conversation_id}", {"json": {"title": "Best place to work, 2027"}}),
        ("POST", "/conversations/{conversation_id}/themes/run", {}),
        ("POST", "/conversations/{conversation_id}/close", {}), ("POST", "/conversations/{conversation_id}/open", {}),
    ]


def _url(path: str, ids: dict[str, Any]) -> str:
    for name, value in ids.items():
        path = path.replace("{" + name + "}", str(value))
    return PREFIX + path


def _check(op: dict[str, Any], view_model, response, what: str) -> None:  # type: ignore[no-untyped-def]
    """The status is documented for the route, and the body validates against the model documented for it."""
    status = str(response.status_code)
    assert status in op["responses"], f"{what}: {status} is not documented: {response.get_data(as_text=True)[:200]}"
    model: type[BaseModel] | None = view_model.find_model(response.status_code)
    if model is None:
        files = set(op["responses"][status].get("content", {}))
        if files:  # a download: the documented file type, not JSON
            assert response.mimetype in files and response.data, what
        else:
            assert response.status_code == 204 and not response.data, what
        return
    # Validating and dumping again gives back exactly what was sent: no undocumented key, none missing.
    assert model.model_validate_json(response.data).model_dump(mode="json", exclude_unset=True) == response.json, what
    if response.status_code >= 400:
        assert response.json["error"]["status"] == response.status_code and response.json["error"]["message"], what


def _metadata(app, method: str, path: str):  # type: ignore[no-untyped-def]
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(PREFIX + "/") and _rule_path(rule.rule) == path and method in rule.methods:
            return spec.get_function_metadata(app.view_functions[rule.endpoint]).resp
    raise AssertionError(f"no rule for {method} {path}")


def _bad_value() -> dict[str, Any]:
    """A body whose first field has the wrong type (a JSON object where no field takes one)."""
    return {"title": {"a": 1}, "body": {"a": 1}, "choice": {"a": 1}, "text": {"a": 1}, "notes": {"a": 1},
            "stage": {"a": 1}, "reason": {"a": 1}, "action": {"a": 1}, "phase": {"a": 1}, "idea_id": {"a": 1},
            "votes_hidden": "yes", "auto_advance": 1, "label": {"a": 1}, "target_id": True, "status": {"a": 1},
            "owner": {"a": 1}, "impact": "4", "rank": 2**70, "done": "true", "heard": {"a": 1}, "items": {"a": 1},
            "left_id": True, "recluster": "yes", "organisation_id": 2**70, "theme_id": 0, "message": {"a": 1}}


def test_every_route_answers_as_documented(app, client, world) -> None:  # type: ignore[no-untyped-def]
    documented = _documented(client)
    calls = _calls(world)
    assert {(method, path) for method, path, _ in calls} == set(documented)
    headers = world["headers"]
    provoked: dict[str, int] = {}
    for method, path, kwargs in calls:
        ids = world["ids"] | kwargs.pop("ids", {})
        op, resp = documented[(method, path)], _metadata(app, method, path)
        what = f"{method} {path}"
        # 401: no credentials.
        _check(op, resp, client.open(_url(path, ids), method=method, **kwargs), what + " unsigned")
        # 404: an id that does not exist (or is not the caller's to see).
        if "{" in path and "404" in op["responses"]:
            missing = {name: (987654 if isinstance(value, int) else "nope") for name, value in ids.items()}
            response = client.open(_url(path, missing), method=method, headers=headers, **kwargs)
            assert response.status_code == 404, what
            _check(op, resp, response, what + " missing")
        if "requestBody" in op:
            # 415: not JSON; 400: a JSON value that is not an object, and a field of the wrong type.
            response = client.open(_url(path, ids), method=method, headers=headers, data="a=1", content_type="text/plain")
            assert response.status_code == 415, what
            _check(op, resp, response, what + " not JSON")
            response = client.open(_url(path, ids), method=method, headers=headers, json=[1])
            assert response.status_code == 400, what
            _check(op, resp, response, what + " a list")
            body = kwargs["json"] | {name: value for name, value in _bad_value().items() if name in kwargs["json"]}
            response = client.open(_url(path, ids), method=method, headers=headers, json=body)
            if body != kwargs["json"]:
                assert response.status_code == 400 and response.json["error"]["field"], f"{what} {json.dumps(body)}"
            _check(op, resp, response, what + " a wrong type")
        if "query_string" in kwargs:
            bad = {name: "z" * 100 for name in kwargs["query_string"]}
            response = client.open(_url(path, ids), method=method, headers=headers, query_string=bad)
            assert response.status_code == 400, what
            _check(op, resp, response, what + " a bad query")
        response = client.open(_url(path, ids), method=method, headers=headers, **kwargs)
        assert response.status_code < 300, f"{what}: {response.status_code} {response.get_data(as_text=True)[:300]}"
        _check(op, resp, response, what)
        provoked[str(response.status_code)] = provoked.get(str(response.status_code), 0) + 1
    assert {"200", "201", "202", "204"} <= set(provoked)


def test_refusals_from_services_match_their_documented_schema(app, client, world, make_conversation) -> None:  # type: ignore[no-untyped-def]
    """409 and 422 come from services; they too use the documented error shape, with `field` or `rows` when given."""
    documented, headers, ids = _documented(client), world["headers"], world["ids"]
    cases = [
        ("PUT", "/ideas/{idea_id}/vote", {"json": {"choice": "maybe"}}, 422),
        ("POST", "/questions/{question_id}/ideas", {"json": {"body": "hi"}}, 422),
        ("POST", "/conversations/{conversation_id}/paper-notes", {"json": {"notes": "question,text\n99,Bikes"}}, 422),
        ("PUT", "/manage/themes/{theme_id}/status", {"json": {"status": "not_taking_forward"}}, 422),
        ("PUT", "/guardian/threads/{thread_id}/status", {"json": {"status": "deleted"}}, 422),
        ("POST", "/conversations/{conversation_id}/speak-up/{thread_id}/messages", {"json": {"body": " "}}, 422),
        ("POST", "/conversations/{conversation_id}/live/timer", {"json": {"action": "stop"}}, 409),
        ("POST", "/conversations/{conversation_id}/live/phase", {"json": {"phase": "party"}}, 422),
        ("PATCH", "/manage/themes/{theme_id}", {"json": {}}, 400),
        ("POST", "/manage/themes/{theme_id}/split", {"json": {}}, 400),
        ("POST", "/manage/themes/{theme_id}/merge", {"json": {"target_id": 2**70}}, 400),
        ("POST", "/conversations/{conversation_id}/themes/run", {}, 429),  # the fixture's run was moments ago
    ]
    for method, path, kwargs, status in cases:
        app.config["CHORUS_THEMES_ON_DEMAND_MINUTES"] = 30 if status == 429 else 0
        response = client.open(_url(path, ids), method=method, headers=headers, **kwargs)
        assert response.status_code == status, f"{method} {path}: {response.get_data(as_text=True)[:200]}"
        _check(documented[(method, path)], _metadata(app, method, path), response, f"{method} {path}")


@pytest.mark.parametrize("method, path, kwargs, message", [
    ("POST", "/manage/themes/1/merge", {"json": {"target_id": 2**70}}, "target_id must be 2,147,483,647 or less."),
    ("POST", "/manage/themes/1/merge", {"json": {"target_id": True}}, "target_id must be a whole number."),
    ("POST", "/manage/themes/1/merge", {"json": {"target_id": "12"}}, "target_id must be a whole number."),
    ("POST", "/conversations", {"json": {"title": "T", "questions": [], "audience_ids": [0]}},
     "audience_ids[0] must be 1 or more."),
    ("PUT", "/manage/themes/1/owner", {"json": {"owner": "Estates", "due_on": "31/12/2026"}},
     "due_on must be a date like 2026-12-31."),
    ("POST", "/conversations/1/live/votes", {"json": {"votes_hidden": "yes"}}, "votes_hidden must be true or false."),
    ("GET", "/questions/1/ideas", {"query_string": {"page": "0"}}, "page must be 1 or more."),
    ("GET", "/questions/1/ideas", {"query_string": {"sort": "best"}}, "sort must be one of: newest, supported, discussed"),
])
def test_validation_errors_name_the_field_in_plain_english(client, make_user, method, path, kwargs, message) -> None:  # type: ignore[no-untyped-def]
    headers = {"Authorization": f"Bearer {create_api_token(make_user('lead'))}"}
    response = client.open(PREFIX + path, method=method, headers=headers, **kwargs)
    assert response.status_code == 400 and message in response.json["error"]["message"], response.json
    assert response.json["error"]["field"] == message.split()[0].split("[")[0]


def _imports(path) -> set[str]:  # type: ignore[no-untyped-def]
    """The modules a source file imports (as written: `from app.api import bp` gives app.api)."""
    import ast

    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def test_the_spec_and_schemas_import_no_route_module() -> None:
    """Routes import the spec, never the other way round, so building the document cannot make an import cycle."""
    from pathlib import Path

    api = Path(__file__).resolve().parents[2] / "app" / "api"
    routes = {f"app.api.{p.stem}" for p in api.glob("*.py") if p.stem not in ("__init__", "spec")} | {"app.api.bp"}
    for path in [api / "spec.py", *sorted((api / "schemas").glob("*.py"))]:
        assert not _imports(path) & routes, path.name
    outside = [p for p in (api.parent).rglob("*.py") if api not in p.parents and p != api.parent / "__init__.py"]
    assert not [p for p in outside if any(name.startswith("app.api") for name in _imports(p))]
