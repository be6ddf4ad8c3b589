"""This instance's id, which prefixes every Redis key and channel so instances sharing a Redis never mix.

A staging copy pointed at production's Redis once showed its notes on production boards; with a prefix per
instance, live channels, RQ queues and rate-limit counters of one instance are invisible to another (rule A7).
"""

from __future__ import annotations

import hashlib
import hmac
import re

from flask import Flask, current_app

_VALID = re.compile(r"^[A-Za-z0-9_-]{1,48}$")


def _derived(app: Flask) -> str:
    """A stable id from what makes this instance itself: its database and its SECRET_KEY (never a constant)."""
    secret = (app.config.get("SECRET_KEY") or "").encode()
    place = str(app.config.get("SQLALCHEMY_DATABASE_URI") or "")
    if not secret:
        place += "\0" + app.instance_path  # development without a SECRET_KEY: the checkout tells copies apart
    return hmac.new(secret, b"chorus-instance\0" + place.encode(), hashlib.sha256).hexdigest()[:16]


def configure_instance(app: Flask) -> None:
    """Settle CHORUS_INSTANCE_ID and give the rate limiter's storage the instance prefix (before init_app)."""
    configured = app.config.get("CHORUS_INSTANCE_ID")
    if configured and not _VALID.match(str(configured)):
        raise RuntimeError("CHORUS_INSTANCE_ID may hold only letters, digits, '-' and '_' (at most 48).")
    app.config["CHORUS_INSTANCE_ID"] = str(configured) if configured else _derived(app)
    options = dict(app.config.get("RATELIMIT_STORAGE_OPTIONS") or {})
    options.setdefault("key_prefix", redis_prefix(app) + "limits")
    app.config["RATELIMIT_STORAGE_OPTIONS"] = options


def redis_prefix(app: Flask | None = None) -> str:
    """The start of every Redis key and channel name of this instance."""
    return f"chorus:{(app or current_app).config['CHORUS_INSTANCE_ID']}:"
