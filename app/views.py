"""Small helpers every surface's views share: who is acting, the page number, and service refusals."""

from __future__ import annotations

from flask import flash, request
from flask_login import current_user
from wtforms import Form

from app.services.common.errors import ServiceError
from app.services.common.participants import Participant

MAX_PAGE = 100_000  # far past any real list; stops huge numbers from reaching the database as offsets


def acting() -> Participant:
    """The signed-in person as services see them: a user key and the organisations of each role, never a user id."""
    return Participant.from_user(current_user)


def page_arg() -> int:
    """The `page` query argument as a positive whole number, or 1 when it is missing or nonsense."""
    value = request.args.get("page", "1")
    return int(value) if value.isdigit() and 0 < int(value) <= MAX_PAGE else 1


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
