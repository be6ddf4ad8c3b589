"""OpenID Connect with Authlib: the authorization code flow with PKCE, state and nonce, and a verified ID token.

Everything the protocol needs is kept in the signed session cookie between the two legs (state, nonce, PKCE
verifier, the page to return to), so any worker can finish a sign-in another one started. The provider's
discovery document and keys are fetched on first use, never in create_app.
"""

from __future__ import annotations

import logging
from typing import Any

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from authlib.integrations.flask_client import OAuth
from flask import Flask, current_app, request, session, url_for
from joserfc.errors import JoseError

from app.keys_setup import ConfigurationError
from app.services.common.errors import InvalidInput
from app.services.accounts.sso import SsoPolicy

log = logging.getLogger("chorus.sso")
NAME = "oidc"
_SETTINGS = ("CHORUS_OIDC_ISSUER", "CHORUS_OIDC_CLIENT_ID", "CHORUS_OIDC_CLIENT_SECRET", "CHORUS_OIDC_ALLOW")


class SignInFailed(Exception):
    """The sign-in could not be completed; `title` and `message` are safe to show, `reason` goes to the log."""

    def __init__(self, reason: str, title: str, message: str, status: int = 400) -> None:
        super().__init__(reason)
        self.reason, self.title, self.message, self.status = reason, title, message, status


def _failed(reason: str) -> SignInFailed:
    texts = {
        "unreachable": ("We cannot reach your organisation's sign-in service",
                        "Your organisation's sign-in service did not answer. Try again in a few minutes, "
                        "or sign in another way if you can.", 503),
        "cancelled": ("You did not finish signing in",
                      "Signing in was cancelled, so you are not signed in to Chorus.", 400),
        "state": ("Your sign-in could not be completed",
                  "Your sign-in took too long or was started in another window. Start again.", 400),
        "token": ("Your sign-in could not be checked",
                  "Chorus could not confirm the answer from your organisation's sign-in service, so you are "
                  "not signed in. Start again; if this keeps happening, tell your Chorus administrator.", 400),
        "provider": ("Your organisation's sign-in service refused the sign-in",
                     "Your organisation's sign-in service did not let you sign in to Chorus. Start again; if "
                     "this keeps happening, tell your Chorus administrator.", 400),
    }
    title, message, status = texts[reason]
    return SignInFailed(reason, title, message, status)


def init_oidc(app: Flask) -> None:
    """Register the provider when it is configured; refuse to start when it is configured only in part."""
    given = [name for name in _SETTINGS if app.config.get(name)]
    app.extensions["chorus.sso"] = None
    if not given:
        if app.config.get("CHORUS_SSO_ONLY"):
            raise ConfigurationError("CHORUS_SSO_ONLY needs single sign-on: set CHORUS_OIDC_ISSUER and the rest.")
        return
    missing = [name for name in _SETTINGS if name not in given]
    if missing:
        raise ConfigurationError(f"Single sign-on is configured only in part: set {', '.join(missing)} too.")
    issuer = app.config["CHORUS_OIDC_ISSUER"].rstrip("/")
    if app.config.get("CHORUS_ENV") == "production" and not issuer.startswith("https://"):
        raise ConfigurationError("CHORUS_OIDC_ISSUER must be an https:// address in production.")
    try:
        policy = SsoPolicy.parse(app.config["CHORUS_OIDC_ALLOW"])
    except InvalidInput as error:
        raise ConfigurationError(error.message) from None
    oauth = OAuth(app)
    oauth.register(
        NAME,
        client_id=app.config["CHORUS_OIDC_CLIENT_ID"],
        client_secret=app.config["CHORUS_OIDC_CLIENT_SECRET"],
        server_metadata_url=issuer + "/.well-known/openid-configuration",
        client_kwargs={"scope": "openid email profile", "code_challenge_method": "S256",
                       "default_timeout": app.config.get("CHORUS_OIDC_TIMEOUT", 10)},
    )
    app.extensions["chorus.sso"] = (oauth, policy, issuer)


def sso_enabled() -> bool:
    return current_app.extensions.get("chorus.sso") is not None


def sso_policy() -> SsoPolicy:
    return current_app.extensions["chorus.sso"][1]


def _client() -> Any:
    oauth, _policy, issuer = current_app.extensions["chorus.sso"]
    client = oauth.create_client(NAME)
    metadata = client.load_server_metadata()
    if metadata.get("issuer", "").rstrip("/") != issuer:
        # OpenID Connect Discovery 1.0 section 4.3: a document naming another issuer must not be used.
        client.server_metadata.clear()
        log.warning("Single sign-on: the discovery document names a different issuer")
        raise _failed("unreachable")
    return client


def start_sign_in(next_page: str) -> Any:
    """The redirect to the provider; remembers where to go afterwards."""
    try:
        client = _client()
        redirect_uri = current_app.config.get("CHORUS_OIDC_REDIRECT_URI") or url_for("auth.sso_callback", _external=True)
        response = client.authorize_redirect(redirect_uri)
    except (requests.RequestException, ValueError, KeyError, RuntimeError) as error:
        log.warning("Single sign-on could not start: %s", type(error).__name__)
        raise _failed("unreachable") from None
    session["sso_next"] = next_page
    return response


def finish_sign_in() -> tuple[dict[str, Any], str | None]:
    """The verified ID token's claims, and the page to go to; SignInFailed says what went wrong."""
    next_page = session.pop("sso_next", None)
    if request.args.get("error"):
        reason = "cancelled" if request.args.get("error") == "access_denied" else "provider"
        log.info("Single sign-on: the provider answered %s", reason)
        for key in [key for key in session if key.startswith(f"_state_{NAME}_")]:
            session.pop(key)  # this sign-in is over: drop its state, nonce and PKCE verifier
        raise _failed(reason)
    try:
        client = _client()
        # Authlib checks iss only by default and aud only through azp; both must name us exactly.
        options = {"iss": {"essential": True, "value": client.server_metadata["issuer"]},
                   "aud": {"essential": True, "value": client.client_id}}
        token = client.authorize_access_token(claims_options=options, leeway=60)
    except MismatchingStateError:
        reason = "state"
    except OAuthError as error:
        reason = "provider" if error.error not in ("invalid_grant",) else "state"
    except (AuthlibBaseError, JoseError, ValueError, KeyError, TypeError):
        reason = "token"
    except requests.RequestException:
        reason = "unreachable"
    else:
        claims = token.get("userinfo")
        if not claims:
            reason = "token"  # no ID token, or no nonce in the session: nothing was verified
        else:
            return dict(claims), next_page
    log.warning("Single sign-on failed: %s", reason)
    raise _failed(reason)
