"""Adversarial review: headers, CSRF, redirects, sign-in, XSS, production settings and /healthz."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask import Flask

from app import create_app
from app.extensions import db
from app.keys_setup import ConfigurationError
from app.services.accounts import users
from app.services.content import ideas
from tests.conftest import PASSWORD, csrf_token

HEADERS = ("Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy")


@pytest.fixture
def make_app(database_url: str) -> Iterator:  # type: ignore[type-arg]
    """An app with extra settings (rate limits on, a different Redis...), cleaned up like the `app` fixture."""
    made: list[Flask] = []

    def make(**settings: object) -> Flask:
        app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, **settings})
        made.append(app)
        return app

    yield make
    for app in made:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


# --- security headers on every kind of response ---------------------------------------------------------------

def test_security_headers_on_pages_json_errors_and_crashes(app, client, make_user, login, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    responses = {
        "landing": client.get("/"),
        "sign-in": client.get("/auth/sign-in"),
        "404 page": client.get("/no-such-page"),
        "404 json": client.get("/api/v1/no-such-thing"),
        "401 json": client.get("/api/v1/me"),
        "csrf 400": client.post("/auth/sign-in", data={"email": "a@b.nhs.uk", "password": "x"}),
        "openapi": client.get("/api/v1/openapi.json"),
        "healthz": client.get("/healthz"),
    }
    login(make_user())
    responses["405"] = client.put("/")

    def explode(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("boom")

    monkeypatch.setattr("app.participate.routes.access.visible_conversations", explode)
    responses["500"] = client.get("/")
    assert responses["500"].status_code == 500 and "boom" not in responses["500"].get_data(as_text=True)
    for name, response in responses.items():
        for header in HEADERS:
            assert header in response.headers, f"{header} missing on {name}"
        assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"], name
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"], name
        if name != "healthz":
            assert response.headers.get("Cache-Control") == "no-store", name


def test_a_page_s_policy_names_its_script_nonce_and_an_answer_without_a_page_names_none(client) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/auth/sign-in")
    nonce = re.search(r'<script nonce="([^"]+)"', page.get_data(as_text=True))
    assert nonce and f"script-src 'self' 'nonce-{nonce.group(1)}';" in page.headers["Content-Security-Policy"]
    assert client.get("/auth/sign-in").headers["Content-Security-Policy"] != page.headers["Content-Security-Policy"]
    # No page, no inline script: nothing for a nonce to allow (a fresh one was drawn for every JSON answer).
    for response in (client.get("/api/v1/openapi.json"), client.get("/api/v1/me"), client.get("/healthz")):
        assert "script-src 'self';" in response.headers["Content-Security-Policy"], response.status_code
        assert "nonce" not in response.headers["Content-Security-Policy"], response.status_code


def test_headers_a_view_set_are_kept_or_replaced_as_before(app, client) -> None:  # type: ignore[no-untyped-def]
    from flask import Response

    def own_headers() -> Response:
        return Response("x", headers={"Content-Security-Policy": "default-src 'none'", "Cache-Control": "max-age=60",
                                      "X-Frame-Options": "SAMEORIGIN"})

    app.add_url_rule("/own-headers", view_func=own_headers)
    response = client.get("/own-headers")
    assert response.headers.getlist("Content-Security-Policy") == ["default-src 'none'"]  # the view's own, kept
    assert response.headers.getlist("Cache-Control") == ["max-age=60"]
    assert response.headers.getlist("X-Frame-Options") == ["DENY"]  # always ours
    assert response.headers["Referrer-Policy"] == "no-referrer"


# --- CSRF -------------------------------------------------------------------------------------------------------

def test_csrf_is_needed_for_forms_and_session_json_but_not_bearer_tokens(client, make_user, make_conversation, login) -> None:  # type: ignore[no-untyped-def]
    user = make_user()
    question = make_conversation().questions[0]
    token = login(user)
    form = client.post(f"/questions/{question.id}/ideas", data={"body": "A form without its token"})
    assert form.status_code == 400
    json_call = client.post(f"/api/v1/questions/{question.id}/ideas", json={"body": "JSON without the header"})
    assert json_call.status_code == 400 and json_call.get_json()["error"]["status"] == 400
    wrong = client.post(f"/api/v1/questions/{question.id}/ideas", json={"body": "A forged header value"},
                        headers={"X-CSRFToken": "forged"})
    assert wrong.status_code == 400
    assert client.post(f"/api/v1/questions/{question.id}/ideas", json={"body": "With the right header"},
                       headers={"X-CSRFToken": token}).status_code == 201
    api_token = users.create_api_token(user)
    with client.session_transaction() as session:
        session.clear()  # a pure integration: no cookie session at all
    bearer = client.post(f"/api/v1/questions/{question.id}/ideas", json={"body": "Bearer calls need no CSRF"},
                         headers={"Authorization": f"Bearer {api_token}"})
    assert bearer.status_code == 201
    bad = client.get("/api/v1/me", headers={"Authorization": "Bearer chorus_not-a-real-token"})
    assert bad.status_code == 401 and bad.get_json()["error"]["status"] == 401


# --- sign-in, sign-out, sessions -----------------------------------------------------------------------------------

OPEN_REDIRECTS = ["//evil.example", "/\\evil.example", "\\\\evil.example", "https:evil.example", "https://evil.example",
                  "javascript:alert(1)", "/\t/evil.example", "///evil.example", " //evil.example", "http:/evil.example",
                  "/\r\nX-Injected: yes", "%2F%2Fevil.example"]


@pytest.mark.parametrize("target", OPEN_REDIRECTS)
def test_sign_in_never_redirects_off_site(client, make_user, target) -> None:  # type: ignore[no-untyped-def]
    user = make_user()
    token = csrf_token(client)
    response = client.post("/auth/sign-in", query_string={"next": target},
                           data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("/") and not location.startswith(("//", "/\\")), location
    assert "evil" not in location and "\n" not in location and "X-Injected" not in response.headers


def test_a_local_next_is_kept(client, make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user()
    response = client.post("/auth/sign-in", query_string={"next": "/conversations/1?sort=newest"},
                           data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_token(client)})
    assert response.headers["Location"] == "/conversations/1?sort=newest"


def test_signing_in_starts_a_new_session(client, make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user()
    before = csrf_token(client)
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    client.post("/auth/sign-in", data={"email": user.email, "password": PASSWORD, "csrf_token": before})
    with client.session_transaction() as session:
        assert "planted" not in session and session.get("_user_id") == str(user.id)
        assert session.get("csrf_token") is None  # the pre-sign-in token died with the old session


def test_sign_out_needs_a_post_with_a_token(client, make_user, login) -> None:  # type: ignore[no-untyped-def]
    token = login(make_user())
    assert client.get("/auth/sign-out").status_code == 200  # a confirmation page, not a sign-out
    assert client.get("/api/v1/me").status_code == 200
    assert client.post("/auth/sign-out").status_code == 400
    assert client.get("/api/v1/me").status_code == 200
    assert client.post("/auth/sign-out", data={"csrf_token": token}).status_code == 302
    assert client.get("/api/v1/me").status_code == 401


def test_unknown_email_and_wrong_password_look_and_cost_the_same(client, make_user, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    user = make_user()
    inactive = make_user()
    inactive.active = False
    db.session.commit()
    verified: list[str] = []
    real = users._hasher

    class CountingHasher:
        def verify(self, stored: str, password: str) -> bool:
            verified.append(stored)
            return real.verify(stored, password)

        def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
            return getattr(real, name)

    monkeypatch.setattr(users, "_hasher", CountingHasher())
    answers = []
    for email, password in [("nobody@trust.nhs.uk", PASSWORD), (user.email, "wrong-password-1"), (inactive.email, PASSWORD)]:
        response = client.post("/auth/sign-in", data={"email": email, "password": password, "csrf_token": csrf_token(client)})
        answers.append((response.status_code, "Enter a correct email address and password" in response.get_data(as_text=True)))
    assert answers == [(400, True)] * 3
    assert len(verified) == 3  # a password hash is checked every time, so timing does not reveal accounts


def test_session_cookie_holds_no_content_ids(client, make_user, make_conversation, login) -> None:  # type: ignore[no-untyped-def]
    question = make_conversation().questions[0]
    token = login(make_user())
    response = client.post(f"/questions/{question.id}/ideas", data={"body": "Better lockers for night staff", "csrf_token": token})
    idea_id = response.headers["Location"].rsplit("/", 1)[-1]
    with client.session_transaction() as session:
        assert idea_id not in repr(dict(session))
        # notices_none_until is a time only: "this person had no moderation notices until then".
        assert set(session) <= {"_user_id", "_fresh", "_id", "csrf_token", "_flashes", "_pw", "_sid", "notices_none_until"}


# --- rate limits ------------------------------------------------------------------------------------------------

def test_sign_in_is_rate_limited_with_a_clear_429(make_app, caplog) -> None:  # type: ignore[no-untyped-def]
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_LOGIN="3 per minute")
    with app.app_context():
        db.create_all()
        client = app.test_client()
        with caplog.at_level(logging.DEBUG):
            codes = [client.post("/auth/sign-in", data={"email": "x@trust.nhs.uk", "password": "guess-guess",
                                                        "csrf_token": csrf_token(client)}).status_code for _ in range(4)]
        assert codes == [400, 400, 400, 429]
        logged = "\n".join(record.getMessage() for record in caplog.records)
        assert "POST /auth/sign-in 429" in logged and "127.0.0.1" not in logged and "ip:" not in logged
        page = client.post("/auth/sign-in", data={"email": "x@trust.nhs.uk", "password": "guess",
                                                  "csrf_token": csrf_token(client)})
        assert page.status_code == 429 and "too many times" in page.get_data(as_text=True)
        assert "Content-Security-Policy" in page.headers


def test_posting_is_rate_limited_with_a_json_429(make_app) -> None:  # type: ignore[no-untyped-def]
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_POST="2 per minute")
    with app.app_context():
        db.create_all()
        from app.services.conversations import lifecycle
        from app.services.accounts import organisations
        from app.services.conversations.lifecycle import ConversationDetails

        org = organisations.create_organisation("Limit Trust", "LIM1")
        user = users.create_user("limit@trust.nhs.uk", organisation=org, password=PASSWORD)
        conversation = lifecycle.create_conversation(org.id, ConversationDetails(
            title="Rate limits", audience_ids=[org.id], questions=["What would help?"]))
        lifecycle.open_conversation(conversation)
        headers = {"Authorization": f"Bearer {users.create_api_token(user)}"}
        url = f"/api/v1/questions/{conversation.questions[0].id}/ideas"
        client = app.test_client()
        codes = [client.post(url, json={"body": f"Idea number {n} about rotas"}, headers=headers).status_code for n in range(3)]
        assert codes == [201, 201, 429]
        last = client.post(url, json={"body": "One more idea about rotas"}, headers=headers)
        assert last.get_json()["error"]["status"] == 429 and "Retry-After" in last.headers
        assert db.session.scalar(sa.text("SELECT count(*) FROM idea")) == 2


# --- production settings ------------------------------------------------------------------------------------------

GOOD_SECRET = "s" * 40
GOOD_MASTER = "m" * 40


@pytest.mark.parametrize(("secret", "master", "complaint"), [
    (None, GOOD_MASTER, "SECRET_KEY"),
    ("short", GOOD_MASTER, "SECRET_KEY"),
    (GOOD_SECRET, None, "CHORUS_PSEUDONYM_KEY"),
    (GOOD_SECRET, "too-short", "at least"),
    (GOOD_SECRET, GOOD_SECRET, "different"),
])
def test_production_refuses_to_start_without_proper_keys(tmp_path, secret, master, complaint) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ConfigurationError, match=complaint):
        create_app({"TESTING": True, "CHORUS_ENV": "production", "SECRET_KEY": secret, "CHORUS_PSEUDONYM_KEY": master,
                    "CHORUS_PSEUDONYM_KEY_FILE": None})
    assert not (tmp_path / "secret.key").exists()


def test_production_starts_with_proper_keys_and_hides_the_master_key() -> None:
    app = create_app({"TESTING": True, "CHORUS_ENV": "production", "SECRET_KEY": GOOD_SECRET,
                      "CHORUS_PSEUDONYM_KEY": GOOD_MASTER})
    assert app.config["CHORUS_PSEUDONYM_KEY"] is None
    assert GOOD_MASTER not in repr(app.config)


# --- /healthz -------------------------------------------------------------------------------------------------------

def test_healthz_without_redis(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "checks": {"database": "ok", "redis": "not configured"}}


@pytest.mark.parametrize("path", ["/healthz", "/healthz/ready"])
def test_healthz_with_an_unreachable_redis_is_degraded_not_failing(make_app, path) -> None:  # type: ignore[no-untyped-def]
    # Pages, posting and voting work without Redis: a load balancer must not drop every node (issue #17.3).
    app = make_app(REDIS_URL="redis://127.0.0.1:1/0")
    response = app.test_client().get(path)
    assert response.status_code == 200
    assert response.get_json()["checks"] == {"database": "ok", "redis": "unreachable"}
    assert response.get_json()["status"] == "degraded"


def test_healthz_live_needs_neither_database_nor_redis(make_app) -> None:  # type: ignore[no-untyped-def]
    app = make_app(SQLALCHEMY_DATABASE_URI="postgresql+psycopg://nobody@127.0.0.1:1/none", REDIS_URL="redis://127.0.0.1:1/0")
    assert app.test_client().get("/healthz/live").get_json() == {"status": "ok"}
    ready = app.test_client().get("/healthz/ready")
    assert ready.status_code == 503 and ready.headers["Retry-After"]


def test_healthz_with_a_reachable_redis(make_app, redis_url) -> None:  # type: ignore[no-untyped-def]
    response = make_app(REDIS_URL=redis_url).test_client().get("/healthz")
    assert response.status_code == 200 and response.get_json()["checks"]["redis"] == "ok"


def test_healthz_with_an_unreachable_database_is_503(make_app) -> None:  # type: ignore[no-untyped-def]
    app = make_app(SQLALCHEMY_DATABASE_URI="postgresql+psycopg://nobody@127.0.0.1:1/none",
                   SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"connect_timeout": 1}})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["database"] == "unreachable"
    assert "nobody" not in response.get_data(as_text=True)


@pytest.mark.parametrize("target", OPEN_REDIRECTS)
def test_vote_next_never_leaves_the_site(client, make_user, make_conversation, login, as_participant, target) -> None:  # type: ignore[no-untyped-def]
    question = make_conversation().questions[0]
    idea, _ = ideas.post_idea(as_participant(make_user()), question.id, "Free parking for night shifts")
    token = login(make_user())
    response = client.post(f"/ideas/{idea.id}/vote", data={"choice": "support", "next": target, "csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"] == "/" and "X-Injected" not in response.headers


def test_sign_in_still_works_and_is_still_limited_when_redis_is_down(make_app) -> None:  # type: ignore[no-untyped-def]
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_LOGIN="2 per minute", REDIS_URL="redis://127.0.0.1:1/0",
                   RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0")
    with app.app_context():
        db.create_all()
        client = app.test_client()
        codes = [client.post("/auth/sign-in", data={"email": "x@trust.nhs.uk", "password": "guess-guess",
                                                    "csrf_token": csrf_token(client)}).status_code for _ in range(3)]
        assert codes == [400, 400, 429]  # wrong password, wrong password, limited: never a 500
        assert client.get("/healthz").get_json()["status"] == "degraded"


def _sign_in_codes(client, forwarded_for: str, times: int, email: str = "x@trust.nhs.uk") -> list[int]:  # type: ignore[no-untyped-def]
    headers = {"X-Forwarded-For": forwarded_for}
    return [client.post("/auth/sign-in", headers=headers, data={
        "email": email, "password": "guess-guess",
        "csrf_token": csrf_token(client)}).status_code for _ in range(times)]


def test_behind_a_proxy_each_client_has_its_own_sign_in_limit(make_app) -> None:  # type: ignore[no-untyped-def]
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_LOGIN_ADDRESS="2 per minute", CHORUS_PROXY_HOPS=1)
    with app.app_context():
        db.create_all()
        client = app.test_client()
        assert _sign_in_codes(client, "10.0.0.1", 3) == [400, 400, 429]
        # a colleague behind the same proxy, at another address, is not locked out
        assert _sign_in_codes(client, "10.0.0.2", 1, "colleague@trust.nhs.uk") == [400]


def test_without_a_proxy_a_forged_forwarded_for_does_not_dodge_the_limit(make_app) -> None:  # type: ignore[no-untyped-def]
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_LOGIN_ADDRESS="2 per minute")
    with app.app_context():
        db.create_all()
        client = app.test_client()
        assert _sign_in_codes(client, "10.0.0.1", 2, "a@trust.nhs.uk") == [400, 400]
        assert _sign_in_codes(client, "10.0.0.2", 1, "b@trust.nhs.uk") == [429]


def test_password_policy_applies_to_the_cli_and_the_admin_page(client, runner, login, make_user, org) -> None:  # type: ignore[no-untyped-def]
    short = runner.invoke(args=["users", "create", "--email", "short@trust.nhs.uk", "--role", "participant",
                                "--org", org.code, "--password", "123456789"])
    assert short.exit_code != 0 and "10 characters" in short.output
    token = login(make_user("admin"))
    person = make_user()
    response = client.post(f"/admin/people/{person.id}/password",
                           data={"csrf_token": token, "password": "too-short", "confirm": "too-short"})
    assert response.status_code == 400 and "10 characters or more" in response.get_data(as_text=True)
    assert users.authenticate(person.email, PASSWORD) is not None  # unchanged


def test_a_new_password_ends_other_sessions(app, client, make_user, login) -> None:  # type: ignore[no-untyped-def]
    user = make_user()
    login(user)
    assert client.get("/api/v1/me").status_code == 200
    users.set_password(user, "a-brand-new-password")  # e.g. an admin resets a compromised account
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/").status_code == 200 and "Sign in" in client.get("/").get_data(as_text=True)
    admin = make_user("admin")
    other = app.test_client()
    token = csrf_token(other)
    other.post("/auth/sign-in", data={"email": admin.email, "password": PASSWORD, "csrf_token": token})
    token = csrf_token(other, "/")
    refused = other.post(f"/admin/people/{admin.id}/password",  # an admin's own password is changed in their account
                         data={"csrf_token": token, "password": "admins-new-password", "confirm": "admins-new-password"})
    assert refused.status_code == 400 and users.authenticate(admin.email, PASSWORD) is not None
    changed = other.post("/auth/password", data={"csrf_token": token, "current": PASSWORD,
                                                 "password": "admins-new-password", "confirm": "admins-new-password"})
    assert changed.status_code == 302
    assert other.get("/api/v1/me").status_code == 200  # changing your own password keeps you signed in here
