"""Error pages and JSON errors: plain-English messages, the right status, nothing internal leaked."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, make_response, render_template, request
from jinja2 import TemplateNotFound
from werkzeug.exceptions import HTTPException

from app.extensions import db
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
}


def wants_json() -> bool:
    return request.path.startswith("/api/") or (
        request.accept_mimetypes.best == "application/json" and not request.accept_mimetypes.accept_html
    )


def error_response(status: int, message: str | None = None, *, field: str | None = None, fields: dict | None = None):  # type: ignore[no-untyped-def]
    """A JSON error for API callers, an error page for people."""
    message = message or MESSAGES.get(status, "Something went wrong.")
    if wants_json():
        body: dict = {"error": {"status": status, "message": message}}
        if field:
            body["error"]["field"] = field
        if fields:
            body["error"]["fields"] = fields
        return jsonify(body), status
    try:
        return render_template(f"errors/{status}.html", message=message), status
    except TemplateNotFound:
        return render_template("errors/generic.html", status=status, message=message), status


def init_errors(app: Flask) -> None:
    @app.errorhandler(ServiceError)
    def _service_error(error: ServiceError):  # type: ignore[no-untyped-def]
        return error_response(error.status, error.message, field=error.field)

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):  # type: ignore[no-untyped-def]
        status = error.code or 500
        # Our own abort() messages are written for people; werkzeug's stock descriptions (the class default) are not.
        ours = error.description != type(error).description
        message = error.description if status in (400, 401, 409, 415, 422) and (wants_json() or ours) else None
        body, code = error_response(status, message)
        response = make_response(body, code)
        for name, value in error.get_headers():
            if name.lower() in {"allow", "retry-after"}:
                response.headers[name] = value
        return response

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):  # type: ignore[no-untyped-def]
        if isinstance(error, HTTPException):
            return _http_error(error)
        log.exception("Unhandled error on %s", request.url_rule.rule if request.url_rule else "(no route)")
        # A failed flush leaves the session unusable; the error page (its navigation loads the user) needs it.
        db.session.rollback()
        return error_response(500)
