"""Facilitators choose the framework a conversation's ideas and themes are mapped onto."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # new in WTForms 3.3

from app.facilitate import bp
from app.facilitate.forms import FrameworkChoiceForm
from app.facilitate.helpers import acting, fail_on, managed
from app.services.common.errors import ServiceError
from app.services.frameworks import catalogue


@bp.route("/conversations/<int:conversation_id>/framework", methods=["GET", "POST"])
def conversation_framework(conversation_id: int) -> ResponseReturnValue:
    found = managed(conversation_id)
    frameworks = catalogue.available_frameworks(frozenset({found.organisation_id}))
    current = catalogue.framework_of(found)
    form = FrameworkChoiceForm(data={"framework_id": current.id})
    form.framework_id.choices = [SelectChoice(f.id, f.name) for f in frameworks]
    if form.validate_on_submit():
        try:
            chosen = catalogue.choose_framework(acting().facilitates, found.id, form.framework_id.data or 0)
        except ServiceError as error:
            fail_on(form, error, "framework_id")
        else:
            flash(f"Ideas and themes will be mapped onto {catalogue.framework_of(chosen).name}. The mapping is "
                  "updated in the background within a few minutes.", "success")
            return redirect(url_for("facilitate.conversation_framework", conversation_id=found.id))
    return render_template("facilitate/framework.html", form=form, conversation=found, frameworks=frameworks,
                           current=current, named_mode=found.named_mode), 400 if form.errors else 200
