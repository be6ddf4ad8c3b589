"""Error pages and JSON errors: plain-English messages, the right status, nothing internal leaked."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping

import sqlite3

import sqlalchemy as sa
from flask import Flask, Response, current_app, jsonify, make_response, render_template, request
from jinja2 import TemplateNotFound
from werkzeug.exceptions import HTTPException

from app.extensions import db
from app.read_only_commit import commit_if_only_read
from app.services.common.errors import ServiceError

log = logging.getLogger("chorus.errors")

MESSAGES = {
    400: "The request could not be understood.",
    401: "Sign in to continue.",
    403: "You do not have permission to do that.",
    404: "We could not find that page.",
    405: "That action is not allowed here.",
    413: "What you sent is too large.",
    415: "Send the request as JSON (Content-Type: application/json).",
    422: "Some of what you sent is not valid.",
    429: "You have done that too many times. Wait a minute and try again.",
    500: "Sorry, there is a problem with the service. Try again later.",
    503: "The service is busy or briefly unavailable. Wait a few seconds and try again.",
}
TITLES = {500: "Sorry, there is a problem with the service", 503: "Sorry, the service is unavailable for a moment"}


SQLITE_UNAVAILABLE = ("locked", "busy", "unable to open", "disk i/o", "readonly", "database or disk is full")


def is_unavailable(error: BaseException | None) -> bool:
    """The database or Redis could not be reached, timed out, was shut down or dropped the connection.

    Follows the chain of causes: a connection dropped mid-request often surfaces as a later PendingRollbackError
    raised while some code was handling the original OperationalError.
    """
    import redis

    seen = 0
    while error is not None and seen < 10:
        if isinstance(error, sa.exc.OperationalError) and isinstance(error.orig, sqlite3.OperationalError):
            # SQLite reports a programming error ("no such column") as an OperationalError too: only a busy,
            # locked or unreadable database is unavailability; anything else is a bug and stays a 500.
            if any(word in str(error.orig).lower() for word in SQLITE_UNAVAILABLE):
                return True
            error, seen = error.__cause__ or error.__context__, seen + 1
            continue
        if isinstance(error, (sa.exc.OperationalError, sa.exc.InterfaceError, sa.exc.TimeoutError,
                              sa.exc.DisconnectionError, redis.ConnectionError, redis.TimeoutError,
                              redis.BusyLoadingError)):
            return True
        if isinstance(error, sa.exc.DBAPIError) and error.connection_invalidated:
            return True
        error, seen = error.__cause__ or error.__context__, seen + 1
    return False


def bare_response(status: int) -> Response:
    """An error answer that needs no database, session or signed-in person (no navigation, no context processors)."""
    message = MESSAGES[status]
    if wants_json():
        response = jsonify({"error": {"status": status, "message": message}})
    else:
        template = current_app.jinja_env.get_template("errors/unavailable.html")
        response = make_response(template.render(title=TITLES[status], message=message))
    response.status_code = status
    if status == 503:
        response.headers["Retry-After"] = str(current_app.config.get("CHORUS_RETRY_AFTER_SECONDS", 5))
    return response


def _rollback_quietly() -> None:
    """Roll back a failed transaction; with the database gone even that may fail, and that must not matter."""
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001
        log.warning("rollback failed after an error (the database is probably unavailable)")


def wants_json() -> bool:
    return request.path.startswith("/api/") or (
        request.accept_mimetypes.best == "application/json" and not request.accept_mimetypes.accept_html
    )


def error_response(status: int, message: str | None = None, *, field: str | None = None,
                   fields: Mapping[str, object] | None = None) -> tuple[Response | str, int]:
    """A JSON error for API callers, an error page for people."""
    message = message or MESSAGES.get(status, "Something went wrong.")
    if wants_json():
        body: dict[str, dict[str, object]] = {"error": {"status": status, "message": message}}
        if field:
            body["error"]["field"] = field
        if fields:
            body["error"]["fields"] = fields
        return jsonify(body), status
    try:
        return render_template(f"errors/{status}.html", message=message), status
    except TemplateNotFound:
        return render_template("errors/generic.html", status=status, message=message), status


def _end_session(_error: BaseException | None) -> None:
    """End the request's session; a connection the database dropped (a restart) must not turn into a 500.

    Registered after Flask-SQLAlchemy's own teardown, so it runs first (teardowns run in reverse). Closing the
    session rolls its connection back (a transaction of SELECTs only is committed first, which changes nothing in
    the database); when the server has gone, that COMMIT or ROLLBACK fails after the response was made.
    SQLAlchemy has already discarded the broken connection, so the session is only forgotten here.
    """
    try:
        if _error is None and db.session.registry.has():
            # Only SELECTs ran: COMMIT, so psycopg keeps what it prepared (app/read_only_commit.py); else ROLLBACK.
            commit_if_only_read(db.session())
        db.session.remove()
    except Exception as error:  # noqa: BLE001
        if not is_unavailable(error):
            raise
        log.warning("A request's database connection was lost as it ended (%s); it was discarded",
                    type(error).__name__)
        db.session.registry.clear()


def _retry_after() -> str:
    """Seconds until the breached limit's window ends.

    Asked of the limiter only on a refusal: rate-limit headers on every answer cost two Redis round trips per
    request (config.py, RATELIMIT_HEADERS_ENABLED).
    """
    from app.extensions import limiter

    try:
        current = limiter.current_limit
        if current is not None:
            return str(max(1, int(current.reset_at - time.time())))
    except Exception:  # noqa: BLE001  (storage unreachable: the refusal still says when to try again)
        log.warning("the rate-limit window could not be read for Retry-After")
    return "60"


def init_errors(app: Flask) -> None:
    app.teardown_appcontext(_end_session)

    @app.errorhandler(ServiceError)
    def _service_error(error: ServiceError) -> tuple[Response | str, int]:
        return error_response(error.status, error.message, field=error.field)

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> Response:
        status = error.code or 500
        # Our own abort() messages are written for people; werkzeug's stock descriptions (the class default) are not.
        ours = error.description != type(error).description
        message = error.description if status in (400, 401, 409, 415, 422) and (wants_json() or ours) else None
        body, code = error_response(status, message)
        response = make_response(body, code)
        for name, value in error.get_headers():
            if name.lower() in {"allow", "retry-after"}:
                response.headers[name] = value
        if status == 429:
            response.headers["Retry-After"] = _retry_after()
        return response

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Response | tuple[Response | str, int]:
        if isinstance(error, HTTPException):
            return _http_error(error)
        route = request.url_rule.rule if request.url_rule else "(no route)"
        _rollback_quietly()
        if is_unavailable(error):
            # Route pattern and error class only (rule A7); the message may hold a statement or an address.
            log.warning("Database or Redis unavailable on %s (%s): answered 503", route, type(error).__name__)
            return bare_response(503)
        log.exception("Unhandled error on %s", route)
        try:
            # A failed flush left the session unusable (rolled back above); the full page loads the signed-in person.
            return error_response(500)
        except Exception:  # noqa: BLE001  (the error page itself failed: answer without the database)
            _rollback_quietly()
            return bare_response(500)
