"""Small helpers every surface's views share: the page number from the query string, and form errors."""

from __future__ import annotations

from flask import request
from wtforms import Form

from app.services.errors import ServiceError

MAX_PAGE = 100_000  # far past any real list; stops huge numbers from reaching the database as offsets


def page_arg() -> int:
    """The `page` query argument as a positive whole number, or 1 when it is missing or nonsense."""
    value = request.args.get("page", "1")
    return int(value) if value.isdigit() and 0 < int(value) <= MAX_PAGE else 1


def fail_on(form: Form, error: ServiceError, default: str) -> None:
    """Show a service's refusal beside the field it concerns (or beside `default`)."""
    field = getattr(form, error.field or default, None) or getattr(form, default)
    field.errors = [*field.errors, error.message] if isinstance(field.errors, list) else [error.message]
