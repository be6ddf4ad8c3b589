"""Leads: the framework view of a conversation, and corrections of a theme's (or its ideas') elements."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from app.manage import bp
from app.manage.forms import CorrectionForm
from app.services.common.errors import ServiceError
from app.services.frameworks import corrections
from app.services.frameworks.board import theme_mapping
from app.services.frameworks.view import framework_view_for_lead
from app.views import acting, flash_refusal


@bp.get("/conversations/<int:conversation_id>/framework")
def framework_view(conversation_id: int) -> ResponseReturnValue:
    view = framework_view_for_lead(acting().leads, conversation_id)
    return render_template("manage/framework.html", view=view, conversation=view.conversation, lead=True)


def _theme_framework_page(theme_id: int, form: CorrectionForm | None = None, status: int = 200) -> tuple[str, int]:
    mapping = theme_mapping(acting().leads, theme_id)
    form = form or CorrectionForm()
    form.element_id.choices = [(e.id, e.name) for e in mapping.framework.elements]
    return render_template("manage/theme_framework.html", mapping=mapping, conversation=mapping.conversation,
                           form=form, mapped={m.element.id for m in mapping.elements}), status


@bp.get("/themes/<int:theme_id>/framework")
def theme_framework(theme_id: int) -> ResponseReturnValue:
    return _theme_framework_page(theme_id)


@bp.post("/themes/<int:theme_id>/framework")
def correct_framework(theme_id: int) -> ResponseReturnValue:
    mapping = theme_mapping(acting().leads, theme_id)  # 404 before anything else for a theme this lead cannot lead
    form = CorrectionForm()
    if not form.validate_on_submit() or form.added.data not in ("yes", "no"):
        if not form.errors:
            form.element_id.errors = ["Choose whether to add or remove the element"]
        return _theme_framework_page(theme_id, form, 400)
    added = form.added.data == "yes"
    try:
        if form.idea_id.data:
            if form.idea_id.data not in {m.idea.id for m in mapping.ideas}:
                return _theme_framework_page(theme_id, form, 404)
            corrections.correct_idea(acting().leads, form.idea_id.data, form.element_id.data or 0, added)
        else:
            corrections.correct_theme(acting().leads, theme_id, form.element_id.data or 0, added)
    except ServiceError as error:
        flash_refusal(error)
        return redirect(url_for("manage.theme_framework", theme_id=theme_id))
    what = "idea" if form.idea_id.data else "theme"
    flash(f"The element has been {'added to' if added else 'removed from'} this {what}. Later theme runs keep "
          "your correction.", "success")
    return redirect(url_for("manage.theme_framework", theme_id=theme_id,
                            _anchor=f"idea-{form.idea_id.data}" if form.idea_id.data else "elements"))
