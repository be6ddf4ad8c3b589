"""The header navigation for the signed-in person, by role; rich-text rendering for templates."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, request, url_for
from flask_login import current_user

from app.models import Role
from app.services.common.text import render_rich


def _items() -> list[dict[str, Any]]:
    if not current_user.is_authenticated:
        return [{"href": url_for("auth.login"), "text": "Sign in", "current": request.endpoint == "auth.login"}]
    items = [("participate.home", "Conversations", "participate.")]
    if current_user.has_role(Role.FACILITATOR):
        items.append(("facilitate.index", "Facilitate", "facilitate."))
    if current_user.has_role(Role.LEAD):
        items.append(("manage.index", "Themes and actions", "manage."))
    if current_user.has_role(Role.ADMIN):
        items.append(("admin.index", "Admin", "admin."))
    if getattr(current_user, "guardian_of", None):
        items.append(("guardian.queue", "Speak Up queue", "guardian."))
    endpoint = request.endpoint or ""
    return [
        {"href": url_for(ep), "text": text, "current": endpoint.startswith(prefix)}
        for ep, text, prefix in items
        if ep in current_app.view_functions
    ]


def conversation_roles(conversation: Any) -> dict[str, bool]:
    """Which staff-side surfaces of this conversation the signed-in person may open (facilitate, lead)."""
    if not current_user.is_authenticated or conversation is None:
        return {"facilitate": False, "lead": False}
    org = conversation.organisation_id
    return {
        "facilitate": current_user.has_role(Role.FACILITATOR, org) and "facilitate.conversation" in current_app.view_functions,
        "lead": current_user.has_role(Role.LEAD, org) and "manage.board" in current_app.view_functions,
    }


def init_navigation(app: Flask) -> None:
    app.add_template_global(conversation_roles)
    app.add_template_filter(render_rich, "rich_text")

    @app.context_processor
    def _navigation() -> dict[str, Any]:
        return {"nav_items": _items(), "signed_in": current_user.is_authenticated}
