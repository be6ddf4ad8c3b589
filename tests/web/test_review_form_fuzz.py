"""Junk in every web form, as an admin who is also a facilitator: a form error or a redirect, never a 500."""

from __future__ import annotations

from werkzeug.routing import Rule

from app.services.content import comments
from app.services.content import ideas
from tests.fuzzing import parameters_read

JUNK = ["", "   ", "99999999999999999999", "-1", "0", "abc", "1.5", "x" * 5000, "\u202e\u200b", "<script>x</script>"]
FIELDS = ["body", "choice", "title", "description", "questions", "question_id", "organisation_id", "staff_group_id",
          "role", "email", "display_name", "password", "confirm", "name", "code", "partnership_id", "active", "stage",
          "reason", "notes", "kind", "voting_mode", "opens_at", "closes_at", "audience_ids", "text", "position",
          "direction", "action", "next", "client_token", "confirm_identifying", "group_id", "comments_enabled"]


def _url(rule: Rule, ids: dict[str, object]) -> str:
    return rule.build({name: ids.get(name, 1) for name in rule.arguments}, append_unknown=False)[1]


def test_junk_in_every_form_never_crashes(app, client, make_user, make_conversation, login, as_participant) -> None:  # type: ignore[no-untyped-def]
    admin = make_user("admin")
    conversation = make_conversation()
    idea, _ = ideas.post_idea(as_participant(admin), conversation.questions[0].id, "Covered bike racks by the entrance")
    comment, _ = comments.add_comment(as_participant(admin), idea.id, "Yes please")
    ids = {"conversation_id": conversation.id, "question_id": conversation.questions[0].id, "idea_id": idea.id,
           "comment_id": comment.id, "user_id": make_user().id, "organisation_id": admin.memberships[0].organisation_id,
           "group_id": admin.memberships[0].organisation.staff_groups[0].id}
    token = login(admin)
    checked = 0
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods or rule.rule.startswith("/api/") or rule.endpoint in ("auth.logout",):
            continue
        url = _url(rule, ids)
        for value in JUNK:
            data = {name: value for name in FIELDS} | {"csrf_token": token}
            response = client.post(url, data=data)
            assert response.status_code < 500, f"POST {url} with {value[:20]!r} -> {response.status_code}"
            checked += 1
    assert checked > 200


def test_an_id_too_big_for_the_database_is_a_form_error(client, make_user, login) -> None:  # type: ignore[no-untyped-def]
    token = login(make_user("admin"))
    response = client.post("/admin/organisations/new", data={"csrf_token": token, "name": "Overflow Trust", "code": "OVF",
                                                              "partnership_id": "99999999999999999999"})
    assert response.status_code in (302, 400)  # an unknown partnership is ignored or refused, never a crash
    created = client.post("/facilitate/conversations/new", data={"csrf_token": token, "kind": "online", "title": "Overflow",
                                                                 "organisation_id": "99999999999999999999"})
    assert created.status_code == 400


QUERY_PARAMS = ["page", "after", "sort", "stage", "order", "top", "question", "view", "state", "q", "next"]
BAD_QUERY = ["²", "٣", "99999999999999999999999", "2147483648", "-1", "1e3", "x" * 3000, "\u202e"]


def test_junk_in_every_query_parameter_never_crashes(app, client, make_user, make_conversation, login,
                                                     as_participant) -> None:  # type: ignore[no-untyped-def]
    """Every parameter a page reads (tests/fuzzing.py finds which), with every bad value: never a 500."""
    admin = make_user("admin")
    conversation = make_conversation()
    idea, _ = ideas.post_idea(as_participant(admin), conversation.questions[0].id, "Covered bike racks by the entrance")
    ids = {"conversation_id": conversation.id, "question_id": conversation.questions[0].id, "idea_id": idea.id,
           "organisation_id": admin.memberships[0].organisation_id}
    login(admin)
    checked, reads = 0, {}
    headers = {"Accept": "text/html"}
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.rule.startswith(("/api/", "/static")) or rule.endpoint == "auth.logout":
            continue
        url = _url(rule, ids)
        reads[rule.endpoint] = parameters_read(app, client, url, QUERY_PARAMS, headers=headers)
        # Each bad value in all the parameters at once (for the input screen and code that uses the raw query
        # string or path), then in each parameter the route reads, one at a time.
        queries = [dict.fromkeys(QUERY_PARAMS, value) for value in BAD_QUERY]
        queries += [{name: value} for name in reads[rule.endpoint] for value in BAD_QUERY]
        for query in queries:
            response = client.get(url, query_string=query, headers=headers,
                                  buffered=True)  # streamed downloads read to the end, as a browser does
            assert response.status_code < 500, f"GET {url}?{str(query)[:60]} -> {response.status_code}"
            checked += 1
    # The probe sees what pages read: the conversation page pages and sorts, sign-in keeps where you were going.
    assert {"page", "sort"} <= set(reads["participate.question"]), reads["participate.question"]
    assert "next" in reads["auth.login"], reads["auth.login"]
    assert checked > 500
