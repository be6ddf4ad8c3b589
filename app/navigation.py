"""Navigation: the header links for the signed-in person, by role; a conversation's links, kept by page and role;
rich-text rendering for templates."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, request
from flask_login import current_user
from markupsafe import Markup

from app.fragments import macro_code
from app.models import Role
from app.services.common.worker_memory import KeptValues, per_app
from app.services.common.text import render_rich
from app.templating import template_url


_NAVS = 256  # distinct conversation navigations kept per app (conversation, page, roles); least recent dropped


def _items() -> list[dict[str, Any]]:
    # On every page: the person is looked up once, and the links (the same for everyone) are kept (template_url).
    user = current_user._get_current_object()
    if not user.is_authenticated:
        return [{"href": template_url("auth.login"), "text": "Sign in", "current": request.endpoint == "auth.login"}]
    items = [("participate.home", "Conversations", "participate.")]
    if user.has_role(Role.FACILITATOR):
        items.append(("facilitate.index", "Facilitate", "facilitate."))
    if user.has_role(Role.LEAD):
        items.append(("manage.index", "Themes and actions", "manage."))
    if user.has_role(Role.ADMIN):
        items.append(("admin.index", "Admin", "admin."))
    if getattr(user, "guardian_of", None):
        items.append(("guardian.queue", "Speak Up queue", "guardian."))
    endpoint = request.endpoint or ""
    views = current_app.view_functions
    return [
        {"href": template_url(ep), "text": text, "current": endpoint.startswith(prefix)}
        for ep, text, prefix in items
        if ep in views
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


def kept_nav(macro: Any, conversation: Any, theme: Any = None) -> Markup:
    """For templates: a conversation's navigation (participate/_conversation_links.html), kept per app by everything
    it shows: the conversation's id, whether it has a live phase, its voting mode, which page this is, and the
    reader's role there (a workshop guest; facilitates; leads, with the theme on a theme's page). Those are facts
    about a role and a page, the same for everyone who has them; nothing a person typed, no post, no name (A2, A3)."""
    roles = conversation_roles(conversation)
    here = request.endpoint
    guest = bool(getattr(current_user, "is_guest", False))
    theme_id = theme.id if theme is not None and here == "participate.theme" and roles["lead"] else None
    args = (conversation.id, bool(conversation.phase), str(conversation.voting_mode), here, guest,
            roles["facilitate"], roles["lead"], theme_id)
    key = ("conversation_nav", macro_code(macro), *args, request.script_root)
    return Markup(per_app("navs", lambda: KeptValues(_NAVS)).get(key, lambda: str(macro(*args))))


def init_navigation(app: Flask) -> None:
    app.add_template_global(conversation_roles)
    app.add_template_global(kept_nav)
    app.add_template_filter(render_rich, "rich_text")

    @app.context_processor
    def _navigation() -> dict[str, Any]:
        return {"nav_items": _items(), "signed_in": current_user.is_authenticated}
