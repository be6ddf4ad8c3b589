"""CSRF tokens masked afresh for every response, so compressed pages give BREACH nothing constant to find.

Flask-WTF signs the session's CSRF secret, and the signed token's first part is that secret in base64: the same
bytes in every page of a session. With compression, a page that also reflects what an attacker chose (a search
term, a rejected form value) would let its size reveal the secret a character at a time (BREACH). The usual
remedy (Django, Rails) is to send `mask ‖ (secret XOR mask)` with a fresh random mask per response; the server
unmasks before comparing. Flask-WTF has no such option, so `install` swaps its two module-level functions, which
its forms, `CSRFProtect` and the `csrf_token()` template global all call. Tokens issued before this (unmasked)
still validate until they expire. tests/web/test_compression.py fails if Flask-WTF stops calling them.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets

import flask_wtf.csrf as wtf_csrf
from flask import Flask, current_app, g, session
from itsdangerous import BadData, SignatureExpired, URLSafeTimedSerializer
from wtforms import ValidationError

SALT = "wtf-csrf-token"  # Flask-WTF's, so a token signed before masking still opens
_SECRET_HEX = 40


def _settings(secret_key: str | None, token_key: str | None) -> tuple[str | bytes, str]:
    secret = secret_key or current_app.config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key
    if not secret:
        raise RuntimeError("A secret key is required to use CSRF.")
    return secret, token_key or current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")


def _xor(left: bytes, right: bytes) -> bytes:
    return bytes(a ^ b for a, b in zip(left, right, strict=True))


def generate_csrf(secret_key: str | None = None, token_key: str | None = None) -> str:
    """A signed token carrying the session's secret under a fresh mask (one per response, reused within it)."""
    secret, field = _settings(secret_key, token_key)
    if field not in g:
        raw = session.get(field)
        if not isinstance(raw, str) or len(raw) != _SECRET_HEX:
            raw = hashlib.sha1(os.urandom(64)).hexdigest()
            session[field] = raw
        mask = secrets.token_bytes(_SECRET_HEX // 2)
        masked = mask.hex() + _xor(bytes.fromhex(raw), mask).hex()
        setattr(g, field, URLSafeTimedSerializer(secret, salt=SALT).dumps(masked))
    return str(g.get(field))


def validate_csrf(data: str | None, secret_key: str | None = None, time_limit: int | None = None,
                  token_key: str | None = None) -> None:
    """Unmask the token and compare it with the session's secret; raises ValidationError like Flask-WTF."""
    secret, field = _settings(secret_key, token_key)
    if time_limit is None:
        time_limit = current_app.config.get("WTF_CSRF_TIME_LIMIT", 3600)
    if not data:
        raise ValidationError("The CSRF token is missing.")
    if field not in session:
        raise ValidationError("The CSRF session token is missing.")
    try:
        token = URLSafeTimedSerializer(secret, salt=SALT).loads(data, max_age=time_limit)
    except SignatureExpired as error:
        raise ValidationError("The CSRF token has expired.") from error
    except BadData as error:
        raise ValidationError("The CSRF token is invalid.") from error
    if isinstance(token, str) and len(token) == 2 * _SECRET_HEX:
        try:
            token = _xor(bytes.fromhex(token[_SECRET_HEX:]), bytes.fromhex(token[:_SECRET_HEX])).hex()
        except ValueError as error:
            raise ValidationError("The CSRF token is invalid.") from error
    if not isinstance(token, str) or not hmac.compare_digest(str(session[field]), token):
        raise ValidationError("The CSRF tokens do not match.")


def install(app: Flask) -> None:
    """Make Flask-WTF (forms, CSRFProtect) and templates use the masked tokens."""
    wtf_csrf.generate_csrf = generate_csrf
    wtf_csrf.validate_csrf = validate_csrf
    app.jinja_env.globals["csrf_token"] = generate_csrf
