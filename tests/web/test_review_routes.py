"""Every route in app.url_map is guarded: anonymous callers sign in first, participants get 404 on staff areas."""

from __future__ import annotations

import pytest
from werkzeug.routing import Rule

from app.models import Role
from tests.conftest import csrf_token

PUBLIC = {"static", "pages.healthz", "pages.healthz_live", "pages.accessibility", "pages.anonymity", "auth.login", "api.openapi",
          "participate.home", "join.join", "join.leave",  # /join is where people without an account enter a code
          "auth.sso_start", "auth.sso_callback",
          "auth.set_password_link",
          "messages.unsubscribe"}  # a one-time link: 404 unless the secret is live (test_password_routes_by_role)  # single sign-on: 404 unless configured (tests/web/test_sso*.py)
STAFF_ONLY = ("facilitate.", "manage.", "admin.")


def _url(rule: Rule) -> str:
    """The rule with each placeholder filled in (ids that need not exist: the guard must answer first)."""
    values = {}
    for name in rule.arguments:
        converter = rule._converters[name]  # noqa: SLF001  (the only way to ask a rule its converters)
        values[name] = 1 if type(converter).__name__.endswith("IntConverter") or "Integer" in type(converter).__name__ else "abc"
    return rule.build(values, append_unknown=False)[1]


def _rules(app) -> list[tuple[Rule, str]]:  # type: ignore[no-untyped-def]
    return [(rule, method) for rule in app.url_map.iter_rules() if rule.endpoint not in PUBLIC
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]


def test_the_walk_covers_every_blueprint(app) -> None:  # type: ignore[no-untyped-def]
    endpoints = {rule.endpoint.split(".")[0] for rule, _ in _rules(app)}
    assert {"participate", "facilitate", "admin", "api", "auth"} <= endpoints
    assert len(_rules(app)) > 60


def test_anonymous_callers_are_sent_to_sign_in_or_get_401_json(app, client) -> None:  # type: ignore[no-untyped-def]
    token = csrf_token(client)
    for rule, method in _rules(app):
        url = _url(rule)
        response = client.open(url, method=method, data={"csrf_token": token}, headers={"X-CSRFToken": token})
        what = f"{method} {url}"
        if rule.rule.startswith("/api/"):
            assert response.status_code == 401, what
            assert response.is_json and response.get_json()["error"]["status"] == 401, what
        elif rule.endpoint == "participate.live_board_page" and method == "GET":
            # A guest at a workshop typed the board's address: the join-code form and a way to sign in, the same
            # page for any conversation id, so it says nothing about whether that conversation exists.
            page = response.get_data(as_text=True)
            assert response.status_code == 200 and 'name="code"' in page and "/auth/sign-in" in page, what
        else:
            assert response.status_code == 302, f"{what} -> {response.status_code}"
            assert response.headers["Location"].startswith("/auth/sign-in"), what


def test_a_participant_gets_404_on_every_staff_route(app, client, make_user, login) -> None:  # type: ignore[no-untyped-def]
    token = login(make_user("participant"))
    checked = 0
    for rule, method in _rules(app):
        if not rule.endpoint.startswith(STAFF_ONLY):
            continue
        response = client.open(_url(rule), method=method, data={"csrf_token": token})
        assert response.status_code == 404, f"{method} {rule.rule} -> {response.status_code}"
        checked += 1
    assert checked > 30


@pytest.mark.parametrize("role", ["facilitator", "lead"])
def test_staff_below_admin_get_404_on_admin_routes(app, client, make_user, login, role) -> None:  # type: ignore[no-untyped-def]
    token = login(make_user(role))
    for rule, method in _rules(app):
        if rule.endpoint.startswith("admin."):
            response = client.open(_url(rule), method=method, data={"csrf_token": token})
            assert response.status_code == 404, f"{role}: {method} {rule.rule} -> {response.status_code}"


def _api_role(app, rule: Rule):  # type: ignore[no-untyped-def]
    return getattr(app.view_functions[rule.endpoint], "api_role", None)


def test_every_staff_api_route_is_marked_with_its_role(app, client) -> None:  # type: ignore[no-untyped-def]
    """The lead's /manage routes, and every route the OpenAPI document says is for facilitators, carry a role."""
    summaries = {(path, method.upper()): op["summary"]
                 for path, ops in client.get("/api/v1/openapi.json").json["paths"].items() for method, op in ops.items()}
    for rule, method in _rules(app):
        if not rule.rule.startswith("/api/"):
            continue
        path = rule.rule[len("/api/v1"):].replace("<int:", "{").replace("<", "{").replace(">", "}")
        if path.startswith("/manage/"):
            assert _api_role(app, rule) is Role.LEAD, f"{method} {rule.rule}"
        elif "(facilitators" in summaries[(path, method)]:
            assert _api_role(app, rule) is Role.FACILITATOR, f"{method} {rule.rule}"


@pytest.mark.parametrize("role", ["participant", "facilitator"])
def test_api_routes_for_a_higher_role_answer_404_json_not_403(app, client, make_user, login, role) -> None:  # type: ignore[no-untyped-def]
    """Before the body is read, so the answer is the same for any payload and any id."""
    token = login(make_user(role))
    checked = 0
    for rule, method in _rules(app):
        needed = _api_role(app, rule) if rule.rule.startswith("/api/") else None
        if needed is None or Role(role).rank >= needed.rank:
            continue
        response = client.open(_url(rule), method=method, headers={"X-CSRFToken": token})
        assert response.status_code == 404, f"{role}: {method} {rule.rule} -> {response.status_code}"
        assert response.is_json and response.get_json()["error"]["status"] == 404
        checked += 1
    assert checked > (30 if role == "participant" else 15)


def test_api_writes_without_a_csrf_token_stay_400(client, make_user, make_conversation, login) -> None:  # type: ignore[no-untyped-def]
    """A session caller's CSRF failure is a 400 (app/security.py), for staff routes and others alike."""
    conversation = make_conversation()
    login(make_user("participant"))
    for path in (f"/api/v1/conversations/{conversation.id}/close", f"/api/v1/conversations/{conversation.id}/similar"):
        response = client.post(path, json={"text": "parking"})
        assert response.status_code == 400 and response.get_json()["error"]["status"] == 400, path


def test_participant_api_calls_on_facilitation_reveal_nothing(client, make_user, make_conversation, login) -> None:  # type: ignore[no-untyped-def]
    conversation = make_conversation()
    token = login(make_user("participant"))
    for method, path in [("GET", f"/api/v1/conversations/{conversation.id}/participation"),
                         ("POST", f"/api/v1/conversations/{conversation.id}/close"),
                         ("POST", f"/api/v1/conversations/{conversation.id}/themes/run")]:
        response = client.open(path, method=method, headers={"X-CSRFToken": token})
        assert response.status_code == 404, f"{method} {path}"
        # The same answer whether or not the conversation exists.
        missing = client.open(path.replace(f"/{conversation.id}/", "/987654/"), method=method, headers={"X-CSRFToken": token})
        assert missing.status_code == response.status_code
        assert missing.get_json() == response.get_json()


@pytest.mark.parametrize("role", ["participant", "facilitator", "lead", "admin", "admin elsewhere"])
def test_password_routes_by_role(app, client, make_user, make_org, login, role) -> None:  # type: ignore[no-untyped-def]
    """Resetting someone's password is for their organisation's admins only (404 for anyone else, as for any
    admin route); your own password page is open to every account; a link page needs a live secret."""
    someone = make_user()
    if role == "admin elsewhere":
        token = login(make_user("admin", organisation=make_org("Elsewhere Trust")))
    else:
        token = login(make_user(role))
    allowed = role == "admin"
    reset = client.post(f"/admin/people/{someone.id}/password",
                        data={"csrf_token": token, "password": "one-time-password-1", "confirm": "one-time-password-1"})
    assert reset.status_code == (302 if allowed else 404), role
    assert client.get(f"/admin/people/{someone.id}").status_code == (200 if allowed else 404), role
    assert someone.must_change_password is allowed
    assert client.get("/auth/password").status_code == 200
    assert client.get("/auth/set-password/not-a-live-link").status_code == 404
