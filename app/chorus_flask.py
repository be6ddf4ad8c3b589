"""The Flask class Chorus runs on: Flask, less two things it works out again on every request for the same answer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface

_SYNC_MAX = 10_000  # a bound, not an eviction policy: views and hooks are a few hundred functions made at start


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions. A request without the cookie (an API call with a bearer token) gets its empty
    session without the cookie signer Flask builds first for every request (about 1% of a vote's CPU)."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)


class ChorusFlask(Flask):
    session_interface = CookieSessions()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._plain_functions: set[Callable[..., Any]] = set()

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        """Flask's, remembering the plain functions: Flask inspects every view and hook on every request (10 to 15
        `inspect.iscoroutinefunction` calls a vote) for an answer that never changes."""
        try:
            if func in self._plain_functions:
                return func
        except TypeError:  # an unhashable callable: asked afresh each time, as Flask does
            return super().ensure_sync(func)
        synced = super().ensure_sync(func)
        if synced is func:
            if len(self._plain_functions) >= _SYNC_MAX:
                self._plain_functions.clear()
            self._plain_functions.add(func)
        return synced
