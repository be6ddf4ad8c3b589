"""OpenAPI paths and schemas for the triage API (lead actions, pairwise comparisons, outcomes, notices)."""

from __future__ import annotations

from typing import Any

W = ("400", "401", "404", "409", "415", "422")


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


def _obj(**props: Any) -> dict[str, Any]:
    return {"type": "object", "properties": props}


S, I, B, D = {"type": "string"}, {"type": "integer"}, {"type": "boolean"}, {"type": ["string", "null"], "format": "date"}
ID = {"type": ["integer", "string"], "description": "a theme id (integer) or an idea id (string)"}

SCHEMAS: dict[str, Any] = {
    "RankedItem": _obj(id=ID, label=S, score={"type": "number"}, lower={"type": "number"}, upper={"type": "number"}, comparisons=I),
    "PairwiseSetup": _obj(items={"type": "string", "enum": ["themes", "question", "picked"]}, question_id={"type": ["integer", "null"]},
                          compared={"type": "array", "items": _obj(id=ID, label=S)}),
    "Outcome": {"type": ["object", "null"], "properties": {
        "heard": S, "will_do": S, "by_whom": S, "by_when": D, "published_on": {"type": "string", "format": "date"},
        "updated_on": {"type": "string", "format": "date"},
        "updates": {"type": "array", "items": _obj(body=S, on={"type": "string", "format": "date"})}}},
    "BoardTheme": {"type": "object", "description": "A theme on the triage board. Breadth is null below the k threshold.", "properties": {
        "id": I, "label": S, "summary": S, "size": I, "support": I, "sentiment": {"type": ["number", "null"]},
        "trend": {"type": "string", "enum": ["new", "rising", "falling", "steady"]}, "pinned": B,
        "breadth": _obj(people={"type": ["integer", "null"]}, threshold=I, organisations={"type": ["integer", "null"]},
                        staff_groups={"type": ["integer", "null"]}),
        "score": _obj(total={"type": "number"}, parts={"type": "array", "items": _obj(name=S, points={"type": "number"}, out_of=I, explanation=S)}),
        "status": {"type": "string", "enum": ["new", "under_review", "prioritised", "in_progress", "done", "not_taking_forward"]},
        "public_reason": S, "owner": S, "due_on": D, "impact": {"type": ["integer", "null"]}, "effort": {"type": ["integer", "null"]},
        "rank": {"type": ["integer", "null"]},
        "actions": {"type": "array", "items": _obj(id=I, text=S, owner=S, due_on=D, done=B)},
        "quotes": {"type": "array", "items": _obj(idea_id=S, body=S)}, "outcome": _ref("Outcome")}},
    "OutcomesPage": _obj(title=S, conversations={"type": "array", "items": _obj(id=I, title=S, themes={"type": "array", "items": _obj(
        id=I, label=S, status=S, public_reason={"type": ["string", "null"]}, outcome=_ref("Outcome"))})}),
}


def paths(op, ok, path_param) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Built with openapi.py's helpers so the shapes match the rest of the document."""
    conv, theme, org = path_param("conversation_id", "integer"), path_param("theme_id", "integer"), path_param("organisation_id", "integer")
    action = path_param("action_id", "integer")
    card = ok(_ref("BoardTheme"))
    lead = "(change-hub leads; others get 404)"
    return {
        "/manage/conversations/{conversation_id}/board": {"get": op(f"The triage board {lead}", ok(_obj(
            conversation_id=I, order=S, unthemed=I, themes={"type": "array", "items": _ref("BoardTheme")},
            not_themes={"type": "array", "items": _obj(id=I, label=S)})), params=[conv, {"name": "order", "in": "query", "schema": {"type": "string", "enum": ["score", "rank", "size"]}}])},
        "/manage/themes/{theme_id}": {
            "get": op(f"One theme's card {lead}", card, params=[theme]),
            "patch": op(f"Rename, summarise, pin or mark not a theme: exactly one field per call {lead}", card,
                        body=_obj(label=S, summary=S, pinned=B, not_a_theme=B), params=[theme], errors=W)},
        "/manage/themes/{theme_id}/merge": {"post": op(f"Merge this theme into target_id; later runs redirect it {lead}", card,
                                                        body={"type": "object", "required": ["target_id"], "properties": {"target_id": I}}, params=[theme], errors=W)},
        "/manage/themes/{theme_id}/split": {"post": op(f"Split chosen ideas into a new theme, or re-cluster just this theme {lead}",
                                                        ok(_obj(created={"type": "array", "items": _obj(id=I, label=S)}), "201", "Created"),
                                                        body=_obj(idea_ids={"type": "array", "items": S}, label=S, recluster=B), params=[theme], errors=W)},
        "/manage/conversations/{conversation_id}/placements": {"post": op(f"Move one idea into a theme; later runs keep it there {lead}",
                                                                           ok(_obj(idea_id=S, theme_id=I)), body={"type": "object", "required": ["idea_id", "theme_id"], "properties": {"idea_id": S, "theme_id": I}}, params=[conv], errors=W)},
        "/manage/themes/{theme_id}/status": {"put": op(f"Move the theme along the workflow; not_taking_forward needs public_reason {lead}", card,
                                                        body={"type": "object", "required": ["status"], "properties": {"status": S, "public_reason": S}}, params=[theme], errors=W)},
        "/manage/themes/{theme_id}/owner": {"put": op(f"Owner (free text) and due date {lead}", card, body={"type": "object", "required": ["owner"], "properties": {"owner": S, "due_on": D}}, params=[theme], errors=W)},
        "/manage/themes/{theme_id}/rating": {"put": op(f"Impact and effort, 1 to 5 each (or both null) {lead}", card, body=_obj(impact={"type": ["integer", "null"]}, effort={"type": ["integer", "null"]}), params=[theme], errors=W)},
        "/manage/themes/{theme_id}/rank": {"put": op(f"Manual position on the board (null to follow the score) {lead}", card, body=_obj(rank={"type": ["integer", "null"]}), params=[theme], errors=W)},
        "/manage/themes/{theme_id}/actions": {"post": op(f"Add an action {lead}", ok(_obj(id=I, text=S, owner=S, due_on=D, done=B), "201", "Created"),
                                                         body={"type": "object", "required": ["text"], "properties": {"text": S, "owner": S, "due_on": D}}, params=[theme], errors=W)},
        "/manage/themes/{theme_id}/actions/{action_id}": {"patch": op(f"Mark an action done or not {lead}", ok(_obj(id=I, text=S, done=B)),
                                                                      body={"type": "object", "required": ["done"], "properties": {"done": B}}, params=[theme, action], errors=W)},
        "/manage/themes/{theme_id}/outcome": {"put": op(f"Publish or rewrite the theme's \"You said, we did\" {lead}", ok(_ref("Outcome")),
                                                        body={"type": "object", "required": ["heard", "will_do", "by_whom"], "properties": {"heard": S, "will_do": S, "by_whom": S, "by_when": D}}, params=[theme], errors=W)},
        "/manage/themes/{theme_id}/outcome/updates": {"post": op(f"Add a progress update to a published outcome {lead}", ok(_obj(body=S, on=S), "201", "Created"),
                                                                 body={"type": "object", "required": ["body"], "properties": {"body": S}}, params=[theme], errors=W)},
        "/manage/conversations/{conversation_id}/ranking": {"get": op(f"Bradley–Terry ranking from pairwise answers, with 95% intervals; under `themes` or `ideas` as `compared` says {lead}", ok(_obj(
            compared={"type": "string", "enum": ["theme", "idea"]},
            themes={"type": "array", "items": _ref("RankedItem")}, ideas={"type": "array", "items": _ref("RankedItem")})), params=[conv])},
        "/manage/conversations/{conversation_id}/pairwise": {
            "get": op(f"What staff compare in pairs: themes, the ideas of one question, or ideas the lead picked {lead}", ok(_ref("PairwiseSetup")), params=[conv]),
            "put": op(f"Choose what staff compare; with `picked`, replace the picked ideas of `question_id` in the same step {lead}", ok(_ref("PairwiseSetup")),
                      body={"type": "object", "required": ["items"], "properties": {
                          "items": {"type": "string", "enum": ["themes", "question", "picked"]}, "question_id": {"type": ["integer", "null"]},
                          "picked": {"type": "array", "items": S, "description": "idea ids of question_id (at most 100 picked in all)"}}},
                      params=[conv], errors=W)},
        "/conversations/{conversation_id}/pairs/next": {"get": op("The next pair of themes or ideas to compare (null when there are none left for you)", ok(_obj(pair={"type": ["object", "null"], "properties": {
            "kind": {"type": "string", "enum": ["theme", "idea"]}, "left": _obj(id=ID, label=S, summary=S), "right": _obj(id=ID, label=S, summary=S), "answered": I}})), params=[conv])},
        "/conversations/{conversation_id}/pairs": {"post": op("Answer a pair: left, right or skip (can't decide); stored with no user id", ok(_obj(recorded=B), "201", "Recorded"),
                                                              body={"type": "object", "required": ["left_id", "right_id", "choice"], "properties": {"left_id": ID, "right_id": ID, "choice": {"type": "string", "enum": ["left", "right", "skip"]}}}, params=[conv], errors=W)},
        "/conversations/{conversation_id}/outcomes": {"get": op("\"You said, we did\" for a conversation", ok(_ref("OutcomesPage")), params=[conv])},
        "/organisations/{organisation_id}/outcomes": {"get": op("\"You said, we did\" across an organisation you belong to", ok(_ref("OutcomesPage")), params=[org])},
        "/me/outcome-notices": {"get": op("Updated outcomes on themes you contributed to or voted on, worked out now from your own pseudonyms", ok(_obj(
            notices={"type": "array", "items": _obj(conversation_id=I, theme_id=I, label=S, updated=B)})), errors=("401",))},
        "/me/outcome-notices/seen": {"post": op("Dismiss the current notices; remembered only by the chorus_seen cookie this response sets, never on the server", {"204": {"description": "Done"}}, errors=("401",))},
    }
