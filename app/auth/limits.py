"""Sign-in rate limits: strict per account, generous per network address, and no person identifier in Redis.

A whole trust may sign in from behind one address at 9 am, so the address limit counts failed attempts only and is
sized for hundreds of people; guessing is held back by the per-account limit, which counts every attempt. The
account's limiter key is an HMAC of the typed email under a purpose key derived from the master key, with the UTC
day mixed in, so Redis holds no email or user id and one person's keys on different days are unrelated (rule A7).
"""

from __future__ import annotations

import secrets
from datetime import datetime, timezone

from flask import Response, current_app, request

from app.crypto import tag
from app.extensions import limiter

_FALLBACK_KEY = secrets.token_bytes(32)  # no keyring (a bare test app): still a keyed hash, per process


def _purpose_key() -> bytes:
    ring = current_app.extensions.get("chorus.keyring")
    return ring.purpose_key("signin-ratelimit") if ring is not None else _FALLBACK_KEY


def account_key() -> str:
    """The limiter key of the account being signed in to: a keyed hash of the typed email, renewed daily."""
    email = (request.form.get("email") or "").strip().lower()[:320]
    day = datetime.now(timezone.utc).strftime("%Y-%m-%d")
    return "acct:" + tag(_purpose_key(), "signin", day, email)[:32]


def failed(response: Response) -> bool:
    """A sign-in that did not succeed (a success redirects), which is what the address limit counts."""
    return response.status_code != 302


# Every attempt at one account counts (guessing one person's password); on a shared address only failures count.
per_account = limiter.limit(lambda: current_app.config["RATELIMIT_LOGIN"], key_func=account_key,
                            methods=["POST"], scope="signin-account")
per_address = limiter.limit(lambda: current_app.config["RATELIMIT_LOGIN_ADDRESS"], methods=["POST"],
                            scope="signin-address", deduct_when=failed)
# Single sign-on returns through a GET; the same address budget, counting callbacks that did not sign anyone in.
sso_per_address = limiter.limit(lambda: current_app.config["RATELIMIT_LOGIN_ADDRESS"], scope="sso-address",
                                deduct_when=failed)
