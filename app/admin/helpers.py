"""Small shared pieces of the admin views: the admin's scope, form errors and select choices."""

from __future__ import annotations

from flask_login import current_user
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # new in WTForms 3.3; types-WTForms covers 3.2

from app.services.accounts import organisations
from app.services.accounts.roster import admin_scope
from app.views import fail_on, page_arg  # noqa: F401  (re-exported for this surface's views)


def scope() -> frozenset[int]:
    return admin_scope(current_user)


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
