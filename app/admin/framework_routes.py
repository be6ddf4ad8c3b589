"""Admin pages for frameworks: the built-in People Promise and each organisation's own, edited in forms or from CSV."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from app.admin import bp
from app.admin.forms import ConfirmForm, ElementForm, FrameworkDetailsForm, FrameworkForm
from app.admin.helpers import fail_on, organisation_choices, scope
from app.models import Framework
from app.services.accounts import organisations
from app.services.common.csvfile import RowErrors
from app.services.common.errors import ServiceError
from app.services.frameworks import catalogue, upload

UPLOAD_READ = 600 * 1024  # a little over the CSV limit, so an oversized file is refused by size, not truncated


def _element_input(form: ElementForm) -> catalogue.ElementInput:
    lines = (form.examples.data or "").splitlines()
    return catalogue.ElementInput(form.name.data or "", form.description.data or "", [x for x in lines if x.strip()])


@bp.get("/frameworks")
def framework_list() -> ResponseReturnValue:
    frameworks = catalogue.available_frameworks(scope())
    orgs = {o.id: o for o in organisations.managed_organisations(scope())}
    return render_template("admin/frameworks.html", frameworks=frameworks, organisations=orgs)


@bp.route("/frameworks/new", methods=["GET", "POST"])
def new_framework() -> ResponseReturnValue:
    form = FrameworkForm()
    form.organisation_id.choices = organisation_choices()
    row_errors: list[tuple[int, str]] = []
    if form.validate_on_submit():
        try:
            org = organisations.get_managed_organisation(scope(), form.organisation_id.data or 0)
            upload_file = form.file.data
            if upload_file and upload_file.filename:
                data = upload_file.read(UPLOAD_READ)
                upload_file.close()
                framework = upload.import_framework(org.id, form.name.data or "", form.description.data or "", data)
            else:
                framework = catalogue.create_framework(org.id, form.name.data or "", form.description.data or "")
        except RowErrors as error:
            form.file.errors = [error.message]
            row_errors = error.errors
        except ServiceError as error:
            fail_on(form, error, "file" if error.field in ("file", "elements") else "name")
        else:
            flash(f"{framework.name} has been created with {len(framework.elements)} elements.", "success")
            return redirect(url_for("admin.framework", framework_id=framework.id))
    return render_template("admin/framework_new.html", form=form, row_errors=row_errors), \
        400 if form.errors or row_errors else 200


def _framework_page(framework: Framework, form: FrameworkDetailsForm | None, element_form: ElementForm,
                    status: int = 200) -> tuple[str, int]:
    owner = organisations.get_managed_organisation(scope(), framework.organisation_id) \
        if framework.organisation_id is not None else None
    return render_template("admin/framework.html", framework=framework, form=form, element_form=element_form,
                           organisation=owner, move_form=ConfirmForm()), status


@bp.route("/frameworks/<int:framework_id>", methods=["GET", "POST"])
def framework(framework_id: int) -> ResponseReturnValue:
    found = catalogue.get_framework(scope(), framework_id)
    if found.is_builtin:
        if request.method == "POST":
            return redirect(url_for("admin.framework", framework_id=found.id))
        return _framework_page(found, None, ElementForm(prefix="new", formdata=None))
    form = FrameworkDetailsForm(data={"name": found.name, "description": found.description}
                                if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            catalogue.update_framework(found, form.name.data or "", form.description.data or "")
        except ServiceError as error:
            fail_on(form, error, "name")
        else:
            flash("The framework's details have been saved.", "success")
            return redirect(url_for("admin.framework", framework_id=found.id))
    return _framework_page(found, form, ElementForm(prefix="new", formdata=None), 400 if form.errors else 200)


@bp.post("/frameworks/<int:framework_id>/elements")
def add_element(framework_id: int) -> ResponseReturnValue:
    found = catalogue.get_own_framework(scope(), framework_id)
    element_form = ElementForm(prefix="new")
    if element_form.validate_on_submit():
        try:
            element = catalogue.add_element(found, _element_input(element_form))
        except ServiceError as error:
            fail_on(element_form, error, "name")
        else:
            flash(f"{element.name} has been added.", "success")
            return redirect(url_for("admin.framework", framework_id=found.id, _anchor="elements"))
    form = FrameworkDetailsForm(data={"name": found.name, "description": found.description}, formdata=None)
    return _framework_page(found, form, element_form, 400)


@bp.route("/frameworks/<int:framework_id>/elements/<int:element_id>", methods=["GET", "POST"])
def element(framework_id: int, element_id: int) -> ResponseReturnValue:
    found = catalogue.get_own_framework(scope(), framework_id)
    row = catalogue.get_element(found, element_id)
    form = ElementForm(data={"name": row.name, "description": row.description, "examples": "\n".join(row.examples)}
                       if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            catalogue.update_element(row, _element_input(form))
        except ServiceError as error:
            fail_on(form, error, "name")
        else:
            flash("The element has been saved.", "success")
            return redirect(url_for("admin.framework", framework_id=found.id, _anchor="elements"))
    return render_template("admin/framework_element.html", framework=found, element=row, form=form), \
        400 if form.errors else 200


@bp.post("/frameworks/<int:framework_id>/elements/<int:element_id>/move")
def move_element(framework_id: int, element_id: int) -> ResponseReturnValue:
    found = catalogue.get_own_framework(scope(), framework_id)
    row = catalogue.get_element(found, element_id)
    if ConfirmForm().validate_on_submit() and request.form.get("direction") in ("up", "down"):
        catalogue.move_element(row, request.form["direction"] == "up")
        flash(f"{row.name} has been moved {request.form['direction']}.", "success")
    return redirect(url_for("admin.framework", framework_id=found.id, _anchor="elements"))


@bp.route("/frameworks/<int:framework_id>/elements/<int:element_id>/remove", methods=["GET", "POST"])
def remove_element(framework_id: int, element_id: int) -> ResponseReturnValue:
    found = catalogue.get_own_framework(scope(), framework_id)
    row = catalogue.get_element(found, element_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        name = row.name
        catalogue.remove_element(row)
        flash(f"{name} has been removed, with its mappings and corrections.", "success")
        return redirect(url_for("admin.framework", framework_id=found.id, _anchor="elements"))
    return render_template("admin/framework_remove.html", framework=found, element=row, form=form)


@bp.route("/frameworks/<int:framework_id>/remove", methods=["GET", "POST"])
def remove_framework(framework_id: int) -> ResponseReturnValue:
    found = catalogue.get_own_framework(scope(), framework_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        name = found.name
        catalogue.delete_framework(found)
        flash(f"{name} has been removed. Conversations that used it now use the NHS People Promise.", "success")
        return redirect(url_for("admin.framework_list"))
    return render_template("admin/framework_remove.html", framework=found, element=None, form=form)
