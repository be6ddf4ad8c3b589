"""Request hooks for security: CSRF (with bearer-token exemption), headers and privacy-safe logging."""

from __future__ import annotations

import logging
import re
import time

from flask import Flask, Response, abort, g, request
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf.csrf import CSRFError

from app.extensions import csrf
from app.logs import ROUTE_KEY, configure_logging

log = logging.getLogger("chorus.access")
_UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
# Content ids are URL-safe random tokens; anything else (NUL bytes, 10 kB strings) cannot exist, so 404 early.
_TEXT_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


def _csp(nonce: str | None) -> str:
    """The policy; a response that rendered no page (JSON, a redirect) has no inline script, so no nonce either."""
    return (
        "default-src 'self'; "
        + (f"script-src 'self' 'nonce-{nonce}'; " if nonce else "script-src 'self'; ")
        + "style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; "
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )


_NO_PAGE_CSP = _csp(None)
# Set on every response, replacing any a view set: (name, its lower case, value).
_ALWAYS = tuple((name, name.lower(), value) for name, value in (
    ("X-Content-Type-Options", "nosniff"), ("X-Frame-Options", "DENY"), ("Referrer-Policy", "no-referrer"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")))
_HSTS = (("Strict-Transport-Security", "strict-transport-security", "max-age=31536000; includeSubDomains"),)


def _bad_text(value: object) -> str | None:
    """What is wrong with the text hiding anywhere in a (possibly nested) value: a NUL or a lone surrogate, or None."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return "a hidden NUL character"
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:  # "\ud800" from JSON: half a character, which no database can store
                return "a broken character (half of a character pair)"
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return None


def _reject_bad_input() -> None:
    """Refuse, at the door, input that would otherwise fail deep inside with a 500.

    PostgreSQL stores neither NUL nor lone surrogates in text; web forms take form bodies only (Flask-WTF would
    read a JSON body as form data and crash on a list or a number); absurdly nested JSON exhausts the decoder.
    """
    args = request.args
    values: list[object] = [*args.values(), *args.keys()] if args else []
    if request.method in _UNSAFE:
        if not request.is_json:
            values += [*request.form.values(), *request.form.keys()]
        elif not request.path.startswith("/api/"):
            abort(415, "This page takes a form, not JSON. Use the form on the page, or the API under /api/v1.")
        else:  # a JSON body has no form fields: Werkzeug parses only form and multipart bodies as a form
            try:
                values.append(request.get_json(silent=True))
            except RecursionError:
                abort(400, "The request body is not a valid JSON object: it is nested too deeply.")
    problem = _bad_text(values)
    if problem:
        abort(400, f"What you sent contains {problem}. Remove it and try again.")


def init_security(app: Flask) -> None:
    """Register CSRF enforcement, security headers and access logging that never records who."""
    from app.urls import init_urls

    init_urls(app)  # before the blueprints register, so every `<int:...>` is bounded
    hops = app.config.get("CHORUS_PROXY_HOPS", 0)
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Trust exactly `hops` proxies: a client cannot spoof its address past them. setattr: Flask's
        # documented way to add middleware replaces the wsgi_app method, which mypy reads as a mistake.
        setattr(app, "wsgi_app", ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops))

    @app.before_request
    def _protect() -> None:
        g.request_started = time.perf_counter()
        for name, value in (request.view_args or {}).items():
            if name.endswith("_id") and isinstance(value, str) and not _TEXT_ID.fullmatch(value):
                abort(404)
        _reject_bad_input()
        if request.headers.get("Authorization", "").lower().startswith("bearer "):
            # Resolving the user runs the token loader, which marks token callers in g.bearer_auth.
            if not current_user.is_authenticated:
                abort(401, "The API token is missing, revoked or not valid.")
        if request.method in _UNSAFE and not g.get("bearer_auth", False):
            csrf.protect()

    @app.after_request
    def _headers(response: Response) -> Response:
        # The names present are read once: Werkzeug's setdefault and item assignment each scan every header (and a
        # missing one raises and catches a KeyError), which cost about 3% of a vote.
        headers = response.headers
        present = {name.lower() for name, _ in headers}
        req, ctx_g = request._get_current_object(), g._get_current_object()  # type: ignore[attr-defined]  # proxies
        if "content-security-policy" not in present:
            nonce = ctx_g.get("csp_nonce")  # set by a page that rendered (templating.csp_nonce)
            headers.add("Content-Security-Policy", _csp(nonce) if nonce else _NO_PAGE_CSP)
        for name, lower, value in _ALWAYS + _HSTS if app.config.get("CHORUS_HSTS") else _ALWAYS:
            if lower in present:
                headers[name] = value
            else:
                headers.add(name, value)
        if "cache-control" not in present and not (req.endpoint or "").startswith("static"):  # error pages too
            headers.add("Cache-Control", "no-store")
        # Log the route pattern, never the path (ids), the address or the person; gunicorn's access log reads it.
        rule = req.url_rule.rule if req.url_rule else "(no route)"
        req.environ[ROUTE_KEY] = rule
        elapsed = (time.perf_counter() - ctx_g.get("request_started", time.perf_counter())) * 1000
        log.info("%s %s %s %.0fms", req.method, rule, response.status_code, elapsed)
        return response

    configure_logging(app)

    @app.errorhandler(CSRFError)
    def _csrf_error(error: CSRFError) -> ResponseReturnValue:
        from app.errors import error_response

        return error_response(
            400, "Your session expired or the form was sent twice. Go back, refresh the page and try again."
        )
