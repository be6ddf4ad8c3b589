"""A small OpenID Connect provider for tests: discovery, JWKS and token endpoints on a localhost port.

The browser leg (the authorize page) is played by `approve()`, which checks what Chorus asked for and answers
with the redirect back, as a provider would after the person signs in. Tests change `claims` or `tamper` to
make it misbehave.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import time
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

CLIENT_ID = "chorus-test-client"
CLIENT_SECRET = "chorus-test-secret-0000"
TENANT = "11111111-2222-3333-4444-555555555555"
OTHER_TENANT = "99999999-8888-7777-6666-555555555555"


class FakeProvider:
    """One provider; `claims` go into the next ID token, `tamper` names one way to spoil it."""

    def __init__(self, key: RSAKey, rogue_key: RSAKey) -> None:
        self.key, self.rogue_key = key, rogue_key
        self.server = make_server("127.0.0.1", 0, self._wsgi, threaded=True)
        self.issuer = f"http://127.0.0.1:{self.server.server_port}"
        self.reset()
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def reset(self) -> None:
        self.codes: dict[str, dict[str, Any]] = {}
        self.claims: dict[str, Any] = {}
        self.tamper: str | None = None
        self.token_requests = 0

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # --- the browser leg ----------------------------------------------------------------------------------------
    def approve(self, authorize_url: str, **claims: Any) -> str:
        """Check the authorization request and return the callback path with a code and the state."""
        query = {k: v[0] for k, v in parse_qs(urlsplit(authorize_url).query).items()}
        assert authorize_url.startswith(self.issuer + "/authorize?")
        assert query["response_type"] == "code" and query["client_id"] == CLIENT_ID
        assert set(query["scope"].split()) == {"openid", "email", "profile"}
        assert query["code_challenge_method"] == "S256" and query["nonce"] and query["state"]
        code = secrets.token_urlsafe(16)
        self.codes[code] = {**query, "claims": {**self.claims, **claims}}
        redirect = urlsplit(query["redirect_uri"])
        return f"{redirect.path}?{urlencode({'code': code, 'state': query['state']})}"

    # --- the back channel ---------------------------------------------------------------------------------------
    def _wsgi(self, environ: dict, start_response: Any) -> Any:
        request = Request(environ)
        routes = {"/.well-known/openid-configuration": self._discovery, "/jwks": self._jwks, "/token": self._token}
        handler = routes.get(request.path)
        response = handler(request) if handler else Response("not found", status=404)
        return response(environ, start_response)

    def _discovery(self, request: Request) -> Response:
        issuer = self.issuer + "/elsewhere" if self.tamper == "discovery-issuer" else self.issuer
        return _json({
            "issuer": issuer, "authorization_endpoint": self.issuer + "/authorize",
            "token_endpoint": self.issuer + "/token", "jwks_uri": self.issuer + "/jwks",
            "response_types_supported": ["code"], "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"], "code_challenge_methods_supported": ["S256"],
        })

    def _jwks(self, request: Request) -> Response:
        return _json(KeySet([self.key]).as_dict(private=False))

    def _token(self, request: Request) -> Response:
        self.token_requests += 1
        if self.tamper == "token-500":
            return Response("upstream broke", status=500)
        form = request.form
        grant = self.codes.pop(form.get("code", ""), None)
        if grant is None or form.get("grant_type") != "authorization_code":
            return _json({"error": "invalid_grant"}, 400)
        if not _client_authenticated(request) or form.get("redirect_uri") != grant["redirect_uri"]:
            return _json({"error": "invalid_client"}, 401)
        verifier = form.get("code_verifier", "")
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if challenge != grant["code_challenge"]:
            return _json({"error": "invalid_grant", "error_description": "PKCE"}, 400)
        return _json({"access_token": secrets.token_urlsafe(24), "token_type": "Bearer", "expires_in": 3600,
                      "id_token": self._id_token(grant)})

    def _id_token(self, grant: dict[str, Any]) -> str:
        now = int(time.time())
        claims = {"iss": self.issuer, "sub": "subject-" + grant["claims"].get("oid", "x"), "aud": CLIENT_ID,
                  "iat": now, "exp": now + 600, "nonce": grant["nonce"], **grant["claims"]}
        key = self.key
        if self.tamper == "aud":
            claims["aud"], claims["azp"] = ["someone-else"], CLIENT_ID  # passes Authlib's azp check alone
        elif self.tamper == "nonce":
            claims["nonce"] = "not-the-nonce"
        elif self.tamper == "iss":
            claims["iss"] = "https://login.example.invalid/other"
        elif self.tamper == "expired":
            claims["iat"], claims["exp"] = now - 7200, now - 3600
        elif self.tamper == "signature":
            key = self.rogue_key  # same kid, another private key
        token = jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)
        if self.tamper == "payload":
            head, body, signature = token.split(".")
            changed = dict(claims, oid="aaaaaaaa-0000-0000-0000-000000000000")
            body = base64.urlsafe_b64encode(jwt.convert_claims(changed)).rstrip(b"=").decode()
            token = ".".join((head, body, signature))
        return token


def _client_authenticated(request: Request) -> bool:
    header = request.headers.get("Authorization", "")
    if header.startswith("Basic "):
        return base64.b64decode(header[6:]).decode() == f"{CLIENT_ID}:{CLIENT_SECRET}"
    return request.form.get("client_id") == CLIENT_ID and request.form.get("client_secret") == CLIENT_SECRET


def _json(body: dict, status: int = 200) -> Response:
    import json

    return Response(json.dumps(body), status=status, mimetype="application/json")
