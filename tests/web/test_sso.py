"""Single sign-on end to end: Chorus and a fake OpenID Connect provider on a localhost port, through the test client."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from flask import Flask
from joserfc.jwk import RSAKey

from app import create_app
from app.extensions import db
from app.models import User
from app.services.accounts import users as accounts
from app.services.content import ideas
from app.services.common.participants import Participant
from tests.conftest import FreshRequestClient, csrf_token, running_app
from tests.web.oidc_provider import CLIENT_ID, CLIENT_SECRET, OTHER_TENANT, TENANT, FakeProvider


@pytest.fixture(scope="module")
def keys() -> tuple[RSAKey, RSAKey]:
    return RSAKey.generate_key(2048, parameters={"kid": "k1"}), RSAKey.generate_key(2048, parameters={"kid": "k1"})


@pytest.fixture(scope="module")
def running_provider(keys: tuple[RSAKey, RSAKey]) -> Iterator[FakeProvider]:
    fake = FakeProvider(*keys)
    yield fake
    fake.close()


@pytest.fixture
def provider(running_provider: FakeProvider) -> FakeProvider:
    running_provider.reset()
    return running_provider


def sso_settings(provider: FakeProvider, **more: object) -> dict[str, object]:
    return {"CHORUS_OIDC_ISSUER": provider.issuer, "CHORUS_OIDC_CLIENT_ID": CLIENT_ID,
            "CHORUS_OIDC_CLIENT_SECRET": CLIENT_SECRET, "CHORUS_OIDC_ALLOW": f"{TENANT}=T001, partner.nhs.uk",
            "CHORUS_OIDC_BUTTON": "Sign in with NHSmail", **more}


@pytest.fixture
def settings(provider: FakeProvider) -> dict[str, object]:
    return sso_settings(provider)


@pytest.fixture
def app(database_url: str, settings: dict[str, object]) -> Iterator[Flask]:
    """Like the shared `app` fixture, with single sign-on pointing at the fake provider."""
    with running_app(database_url, **settings) as app:
        yield app


def entra(oid: str | None = None, email: str = "sam.jones@nhs.net", tenant: str = TENANT, **more: object) -> dict:
    return {"tid": tenant, "oid": oid or str(uuid.uuid4()), "email": email, "name": "Sam Jones", **more}


def start(client, next_page: str | None = None):  # type: ignore[no-untyped-def]
    token = csrf_token(client)
    path = "/auth/sso" + (f"?next={quote(next_page, safe='')}" if next_page else "")
    response = client.post(path, data={"csrf_token": token})
    return response


def sso_sign_in(client, provider: FakeProvider, next_page: str | None = None, **claims: object):  # type: ignore[no-untyped-def]
    started = start(client, next_page)
    assert started.status_code == 302, started.get_data(as_text=True)[:300]
    return client.get(provider.approve(started.headers["Location"], **claims))


def signed_in(client) -> bool:  # type: ignore[no-untyped-def]
    return client.get("/auth/sign-out").status_code == 200  # the sign-out page needs a signed-in person


def users() -> list[User]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(User)))


# --- the happy paths ----------------------------------------------------------------------------------------------

def test_first_sign_in_creates_a_staff_account_keyed_by_tenant_and_object_id(client, provider, org) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/auth/sign-in").get_data(as_text=True)
    assert "Sign in with NHSmail" in page and "Or sign in with your email address" in page
    claims = entra(email="Sam.Jones@NHS.net")
    response = sso_sign_in(client, provider, **claims)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    [user] = users()
    assert user.user_key == user.sso_subject == f"{TENANT}:{claims['oid']}"
    assert user.email == "sam.jones@nhs.net" and user.display_name == "Sam Jones" and user.password_hash is None
    assert [(m.organisation_id, m.role) for m in user.memberships] == [(org.id, "participant")]
    assert signed_in(client)
    with client.session_transaction() as session:
        assert not [key for key in session if key.startswith("_state") or key == "sso_next"]
    # signing in again finds the same account, even after the address changes at the provider
    client.post("/auth/sign-out", data={"csrf_token": csrf_token(client, "/")})
    assert not signed_in(client)
    again = sso_sign_in(client, provider, **{**claims, "email": "sam.jones2@nhs.net"})
    assert again.status_code == 302 and [u.id for u in users()] == [user.id] and signed_in(client)


def test_a_pre_created_account_is_linked_and_keeps_its_user_key_and_posts(client, provider, org, make_conversation) -> None:  # type: ignore[no-untyped-def]
    person = accounts.create_user("sam.jones@nhs.net", organisation=org, role="facilitator", password=None)
    local_key = person.user_key
    conversation = make_conversation()
    idea, _ = ideas.post_idea(Participant.from_user(person), conversation.questions[0].id, "Quiet room for breaks")
    response = sso_sign_in(client, provider, **entra(oid="0000aaaa-0000-0000-0000-000000000001"))
    assert response.status_code == 302
    [user] = users()
    assert user.id == person.id and user.user_key == local_key and local_key.startswith("local:")
    assert user.sso_subject == f"{TENANT}:0000aaaa-0000-0000-0000-000000000001"
    assert user.role_in(org.id).value == "facilitator"
    mine = client.get(f"/conversations/{conversation.id}/mine").get_data(as_text=True)
    assert idea.body in mine


def test_admins_see_how_a_person_signs_in(app, client, provider, org, make_user, login) -> None:  # type: ignore[no-untyped-def]
    sso_sign_in(client, provider, **entra())
    client.post("/auth/sign-out", data={"csrf_token": csrf_token(client, "/")})
    [person] = users()
    login(make_user("admin"))
    page = client.get(f"/admin/people/{person.id}").get_data(as_text=True)
    assert "Signs in with their organisation's account (single sign-on)." in page
    assert person.user_key not in page and person.sso_subject not in page


def test_next_page_is_kept_only_when_it_is_on_this_site(client, provider, org, make_conversation) -> None:  # type: ignore[no-untyped-def]
    conversation = make_conversation()
    good = sso_sign_in(client, provider, next_page=f"/conversations/{conversation.id}", **entra(oid="1" * 8 + "-0000-0000-0000-000000000001"))
    assert good.headers["Location"] == f"/conversations/{conversation.id}"
    client.post("/auth/sign-out", data={"csrf_token": csrf_token(client, "/")})
    for evil in ("https://evil.example/x", "//evil.example", "/\\evil.example"):
        bad = sso_sign_in(client, provider, next_page=evil, **entra(oid="1" * 8 + "-0000-0000-0000-000000000001"))
        assert bad.headers["Location"] == "/", evil
        client.post("/auth/sign-out", data={"csrf_token": csrf_token(client, "/")})


def test_sso_starts_a_fresh_session(client, provider, make_user, login) -> None:  # type: ignore[no-untyped-def]
    someone = make_user("admin")
    login(someone)
    with client.session_transaction() as session:
        session["left_over"] = "from before"
    client.post("/auth/sign-out", data={"csrf_token": csrf_token(client, "/")})
    with client.session_transaction() as session:
        session["left_over"] = "from before"
    sso_sign_in(client, provider, **entra())
    with client.session_transaction() as session:
        assert "left_over" not in session and session["_pw"] and session["_user_id"] != str(someone.id)


# --- refusals: clear pages, no account made or changed --------------------------------------------------------------

@pytest.mark.parametrize("tamper", ["signature", "payload", "nonce", "aud", "iss", "expired"])
def test_a_spoilt_id_token_is_refused(client, provider, org, tamper) -> None:  # type: ignore[no-untyped-def]
    provider.tamper = tamper
    response = sso_sign_in(client, provider, **entra())
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "Your sign-in could not be checked" in page
    assert users() == [] and not signed_in(client)


def test_state_must_match_and_a_code_works_once(client, provider, org) -> None:  # type: ignore[no-untyped-def]
    started = start(client)
    callback = provider.approve(started.headers["Location"], **entra())
    forged = client.get(callback.replace("state=", "state=x"))
    assert forged.status_code == 400 and "could not be completed" in forged.get_data(as_text=True)
    assert provider.token_requests == 0  # a bad state never reaches the provider
    assert client.get(callback).status_code == 302  # the real state still works once
    client.post("/auth/sign-out", data={"csrf_token": csrf_token(client, "/")})
    replay = client.get(callback)
    assert replay.status_code == 400 and len(users()) == 1
    fresh = FreshRequestClient(client.application)  # another browser, without the state cookie
    assert fresh.get(callback).status_code == 400 and fresh.get("/auth/sso/callback").status_code == 400


def test_cancelling_at_the_provider_says_so(client, provider) -> None:  # type: ignore[no-untyped-def]
    started = start(client)
    state = started.headers["Location"].split("state=")[1].split("&")[0]
    response = client.get(f"/auth/sso/callback?error=access_denied&error_description=User+cancelled&state={state}")
    assert response.status_code == 400 and "You did not finish signing in" in response.get_data(as_text=True)
    with client.session_transaction() as session:
        assert not [key for key in session if key.startswith("_state")]
    other = client.get("/auth/sso/callback?error=server_error")
    assert other.status_code == 400 and "refused the sign-in" in other.get_data(as_text=True)
    assert provider.token_requests == 0 and users() == []


def test_a_tenant_that_is_not_allowed_is_refused(client, provider, org) -> None:  # type: ignore[no-untyped-def]
    accounts.create_user("sam.jones@nhs.net", organisation=org, password=None)
    response = sso_sign_in(client, provider, **entra(tenant=OTHER_TENANT))
    assert response.status_code == 403
    assert "Your organisation is not set up for Chorus" in response.get_data(as_text=True)
    assert [u.sso_subject for u in users()] == [None] and not signed_in(client)


def test_an_allowed_domain_needs_a_verified_address_and_an_organisation_for_new_accounts(client, provider, org) -> None:  # type: ignore[no-untyped-def]
    claims = {"sub": "abc", "email": "pat@partner.nhs.uk", "name": "Pat"}  # not Entra: no tid or oid
    unverified = sso_sign_in(client, provider, **claims, email_verified=False)
    assert unverified.status_code == 403 and users() == []
    no_org = sso_sign_in(client, provider, **claims, email_verified=True)
    assert no_org.status_code == 403 and "Ask your Chorus administrator to add you" in no_org.get_data(as_text=True)
    assert users() == []
    accounts.create_user("pat@partner.nhs.uk", organisation=org, password=None)
    linked = sso_sign_in(client, provider, **claims, email_verified=True)
    [user] = users()
    assert linked.status_code == 302 and user.sso_subject.startswith("oidc:") and user.user_key.startswith("local:")


def test_deactivated_people_cannot_sign_in_with_sso(client, provider, org) -> None:  # type: ignore[no-untyped-def]
    person = accounts.create_user("sam.jones@nhs.net", organisation=org, password=None)
    person.active = False
    db.session.commit()
    refused = sso_sign_in(client, provider, **entra(oid="2" * 8 + "-0000-0000-0000-000000000002"))
    assert refused.status_code == 403 and "not active" in refused.get_data(as_text=True)
    assert users()[0].sso_subject is None and not signed_in(client)
    # linked, then deactivated: refused at the next sign-in, and the open session ends too
    person = users()[0]
    person.active = True
    db.session.commit()
    sso_sign_in(client, provider, **entra(oid="2" * 8 + "-0000-0000-0000-000000000002"))
    assert signed_in(client)
    users()[0].active = False
    db.session.commit()
    assert not signed_in(client)
    again = sso_sign_in(client, provider, **entra(oid="2" * 8 + "-0000-0000-0000-000000000002"))
    assert again.status_code == 403


def test_an_address_linked_to_another_sign_in_is_not_taken_over(client, provider, org) -> None:  # type: ignore[no-untyped-def]
    sso_sign_in(client, provider, **entra(oid="3" * 8 + "-0000-0000-0000-000000000003"))
    client.post("/auth/sign-out", data={"csrf_token": csrf_token(client, "/")})
    response = sso_sign_in(client, provider, **entra(oid="4" * 8 + "-0000-0000-0000-000000000004"))
    assert response.status_code == 403 and "linked to a different sign-in" in response.get_data(as_text=True)
    assert [u.sso_subject for u in users()] == [f"{TENANT}:33333333-0000-0000-0000-000000000003"]


def test_an_unreachable_or_broken_provider_gets_a_clear_page(client, provider, org) -> None:  # type: ignore[no-untyped-def]
    started = start(client)
    provider.tamper = "token-500"
    broken = client.get(provider.approve(started.headers["Location"], **entra()))
    assert broken.status_code == 503 and "cannot reach" in broken.get_data(as_text=True)
    assert users() == []


def test_a_provider_that_does_not_answer_gets_a_clear_page(database_url, provider) -> None:  # type: ignore[no-untyped-def]
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url,
                      **sso_settings(provider, CHORUS_OIDC_ISSUER="http://127.0.0.1:1", CHORUS_OIDC_TIMEOUT=2)})
    with app.app_context():
        db.create_all()
        client = app.test_client()
        down = start(client)
        assert down.status_code == 503 and "cannot reach your organisation" in down.get_data(as_text=True)
        assert client.get("/auth/sso/callback?code=c&state=s").status_code == 503
        db.session.remove()
        db.engine.dispose()


def test_a_discovery_document_for_another_issuer_is_not_used(client, provider) -> None:  # type: ignore[no-untyped-def]
    provider.tamper = "discovery-issuer"
    response = start(client)
    assert response.status_code == 503 and provider.token_requests == 0


def test_the_callback_is_rate_limited_like_sign_in(database_url, provider, caplog) -> None:  # type: ignore[no-untyped-def]
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "RATELIMIT_ENABLED": True,
                      "RATELIMIT_LOGIN_ADDRESS": "2 per minute", **sso_settings(provider)})
    with app.app_context():
        db.create_all()
        client = app.test_client()
        with caplog.at_level(logging.INFO):
            codes = [client.get(f"/auth/sso/callback?code=guess{n}&state=guess").status_code for n in range(3)]
        assert codes == [400, 400, 429]
        logged = "\n".join(record.getMessage() for record in caplog.records)
        assert "guess" not in logged  # codes and states stay out of the logs
        db.session.remove()
        db.engine.dispose()
