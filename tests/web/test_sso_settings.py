"""Single sign-on settings: off by default, refused when half-configured, and the "SSO only" mode."""

from __future__ import annotations

import pytest

from app import create_app
from app.extensions import db
from app.keys_setup import ConfigurationError
from app.services.accounts import users
from app.services.accounts import organisations
from tests.conftest import PASSWORD, csrf_token

TENANT = "11111111-2222-3333-4444-555555555555"
SSO = {"CHORUS_OIDC_ISSUER": "http://127.0.0.1:1", "CHORUS_OIDC_CLIENT_ID": "client",
       "CHORUS_OIDC_CLIENT_SECRET": "secret", "CHORUS_OIDC_ALLOW": TENANT}


def test_without_settings_there_is_no_sso(client, make_user, login) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/auth/sign-in").get_data(as_text=True)
    assert "/auth/sso" not in page and 'name="password"' in page
    token = csrf_token(client)
    assert client.post("/auth/sso", data={"csrf_token": token}).status_code == 404
    assert client.get("/auth/sso/callback?code=x&state=y").status_code == 404
    login(make_user())  # password sign-in works as before


@pytest.mark.parametrize("settings, complaint", [
    ({"CHORUS_OIDC_ISSUER": "https://login.example/tenant/v2.0"}, "CHORUS_OIDC_CLIENT_ID, CHORUS_OIDC_CLIENT_SECRET, CHORUS_OIDC_ALLOW"),
    ({**SSO, "CHORUS_OIDC_ALLOW": "not a domain"}, "neither a tenant id nor an email domain"),
    ({**SSO, "CHORUS_OIDC_ALLOW": "nhs.net=bad code!"}, "is not an organisation code"),
    ({**SSO, "CHORUS_OIDC_ALLOW": " , "}, "at least one tenant id or email domain"),
    ({"CHORUS_SSO_ONLY": True}, "CHORUS_SSO_ONLY needs single sign-on"),
    ({**SSO, "CHORUS_ENV": "production", "SECRET_KEY": "s" * 40, "CHORUS_PSEUDONYM_KEY": "p" * 40},
     "must be an https:// address"),
])
def test_half_configured_sso_refuses_to_start(database_url, settings, complaint) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ConfigurationError, match=complaint):
        create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, **settings})


def test_sso_only_hides_and_refuses_the_password_form(app, database_url) -> None:  # type: ignore[no-untyped-def]
    sso_only = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, **SSO, "CHORUS_SSO_ONLY": True,
                           "CHORUS_OIDC_BUTTON": "Sign in with your trust account"})
    with sso_only.app_context():  # `app` (same database) cleans up after this one on PostgreSQL
        db.create_all()
        org = organisations.create_organisation("Riverside", "RVR")
        person = users.create_user("pat@trust.nhs.uk", organisation=org, password=PASSWORD)
        client = sso_only.test_client()
        page = client.get("/auth/sign-in").get_data(as_text=True)
        assert "Sign in with your trust account" in page and 'name="password"' not in page
        response = client.post("/auth/sign-in", data={"email": person.email, "password": PASSWORD,
                                                       "csrf_token": csrf_token(client)})
        assert response.status_code == 400 and client.get("/auth/sign-out").status_code == 302  # not signed in
        db.session.remove()
        db.engine.dispose()
