"""Rate-limit keys and shared limits; keys are keyed hashes so Redis never holds a user id or key."""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app
from flask_limiter.util import get_remote_address
from flask_login import current_user

from app.extensions import limiter


def actor_key() -> str:
    """A keyed hash of the signed-in person's key, or the client address for anonymous callers."""
    if current_user.is_authenticated:
        secret = current_app.config["SECRET_KEY"].encode()
        return "u:" + hmac.new(secret, current_user.user_key.encode(), hashlib.sha256).hexdigest()[:24]
    return "ip:" + (get_remote_address() or "unknown")


# One budget shared by every posting route (ideas, comments, votes, edits), web and API alike.
posting_limit = limiter.shared_limit(
    lambda: current_app.config["RATELIMIT_POST"], scope="posting", key_func=actor_key,
    methods=["POST", "PUT", "PATCH", "DELETE"],
)
