"""Small helpers every surface's views share: who is acting, the page number, and service refusals."""

from __future__ import annotations

from flask import abort, flash, request
from flask_login import current_user
from wtforms import Form

from app.services.common.errors import ServiceError
from app.services.common.participants import Participant
from app.urls import MAX_DB_INT, WholeNumber

MAX_PAGE = 100_000  # far past any real list; stops huge numbers from reaching the database as offsets


def acting() -> Participant:
    """The signed-in person as services see them: a user key and the organisations of each role, never a user id."""
    # The proxy resolved once: from_user reads a dozen attributes, each a context lookup through the proxy.
    return Participant.from_user(current_user._get_current_object())


def int_arg(name: str, default: int | None = None, *, low: int = 1, high: int = MAX_DB_INT,
            raw: str | None = None) -> int | None:
    """A whole-number query argument within [low, high]; missing or empty gives `default`, anything else a 400.

    `raw` parses a value taken from elsewhere (a header such as Last-Event-ID) with the same rule and message.
    """
    text = request.args.get(name, "") if raw is None else raw
    if text == "":
        return default
    converter = WholeNumber(low, high)
    value = converter.parse(text) if raw is not None else request.args.get(name, type=converter)
    if value is None:
        abort(400, f"{name} must be a whole number from {low} to {high}.")
    return value


def page_arg() -> int:
    """The `page` query argument: 1 when missing, a 400 with a clear message when it is not a page number."""
    return int_arg("page", 1, high=MAX_PAGE) or 1


def fail_on(form: Form, error: ServiceError, default: str) -> None:
    """Show a service's refusal beside the field it concerns (or beside `default`)."""
    field = getattr(form, error.field or default, None) or getattr(form, default)
    field.errors = [*field.errors, error.message] if isinstance(field.errors, list) else [error.message]


def refuse_on(form: Form, error: ServiceError, default: str) -> None:
    """As fail_on, but a 404 (content the person may not see) stays a 404 page, never a form message."""
    if error.status == 404:
        raise error
    fail_on(form, error, default)


def flash_refusal(error: ServiceError) -> None:
    """Flash a service's refusal for the next page, except a 404, which stays a 404 page."""
    if error.status == 404:
        raise error
    flash(error.message, "error")
