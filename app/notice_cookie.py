"""The browser's memory of dismissed notices: a cookie of opaque seen tokens, so the server writes nothing.

Only someone who took part in a theme, or wrote a moderated post, has a notice to dismiss, so any row written
at dismissal would name them in a dump diff (rule A2). The tokens are keyed hashes under each conversation's
key: another person at a shared computer learns nothing from them, and they die with the conversation key.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from flask import current_app, request
from werkzeug.wrappers import Response  # what redirect() returns; flask.Response is a subclass

COOKIE_NAME = "chorus_seen"
_TOKEN = re.compile(r"^[0-9a-f]{24}$")


def dismissed() -> frozenset[str]:
    """The seen tokens this browser sent; anything malformed is ignored rather than refused."""
    raw = request.cookies.get(COOKIE_NAME, "")
    return frozenset(t for t in raw.split(".") if _TOKEN.match(t))


def remember(response: Response, tokens: Iterable[str]) -> Response:
    """Add tokens to the cookie, keeping the newest CHORUS_NOTICE_COOKIE_TOKENS so it stays under 4 KB."""
    raw = request.cookies.get(COOKIE_NAME, "")
    kept = [t for t in raw.split(".") if _TOKEN.match(t)]
    for token in tokens:
        if _TOKEN.match(token) and token not in kept:
            kept.append(token)
    limit = max(1, min(int(current_app.config.get("CHORUS_NOTICE_COOKIE_TOKENS", 120)), 150))
    response.set_cookie(
        COOKIE_NAME, ".".join(kept[-limit:]), max_age=int(current_app.config.get("CHORUS_NOTICE_COOKIE_DAYS", 365)) * 86400,
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")), httponly=True, samesite="Lax", path="/",
    )
    return response
