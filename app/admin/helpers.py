"""Small shared pieces of the admin views: the admin's scope, form errors and select choices."""

from __future__ import annotations

from flask import request
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from app.services import organisations
from app.services.errors import ServiceError
from app.services.people import admin_scope


def scope() -> frozenset[int]:
    return admin_scope(current_user)


def page_arg() -> int:
    value = request.args.get("page", "1")
    return int(value) if value.isdigit() and 0 < int(value) < 100000 else 1


def fail_on(form, error: ServiceError, default: str) -> None:  # type: ignore[no-untyped-def]
    """Show a service's refusal beside the field it concerns (or the form's first field)."""
    field = getattr(form, error.field or default, None) or getattr(form, default)
    field.errors = [*field.errors, error.message] if isinstance(field.errors, list) else [error.message]


def organisation_choices(empty: str | None = None) -> list[SelectChoice]:
    choices = [SelectChoice("", empty)] if empty else []
    return choices + [SelectChoice(o.id, o.name) for o in organisations.managed_organisations(scope())]


def staff_group_choices() -> list[SelectChoice]:
    choices = [SelectChoice("", "No staff group")]
    for org in organisations.managed_organisations(scope()):
        choices += [SelectChoice(g.id, f"{g.name} ({org.name})") for g in org.staff_groups]
    return choices


def partnership_choices() -> list[SelectChoice]:
    return [SelectChoice("", "Not in a partnership")] + [SelectChoice(p.id, p.name) for p in organisations.all_partnerships()]
