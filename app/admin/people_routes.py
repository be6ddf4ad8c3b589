"""Admin pages for people: search, create, roles per organisation, accounts, API tokens and bulk upload.

No page here shows anything a person wrote or how they voted.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from app.admin import bp
from app.auth import signed_in_record
from app.admin.forms import ConfirmForm, MembershipForm, PasswordForm, PersonForm, TokenForm, UploadForm
from app.admin.helpers import fail_on, organisation_choices, page_arg, scope, staff_group_choices
from app.models import User
from app.services.accounts import passwords
from app.services.accounts import roster
from app.services.accounts.bulk_upload import upload_people
from app.services.common.csvfile import RowErrors
from app.services.common.errors import ServiceError


@bp.get("/people")
def people_list() -> ResponseReturnValue:
    query = request.args.get("q", "")
    result = roster.list_people(scope(), query, page_arg())
    return render_template("admin/people.html", result=result)


@bp.route("/people/new", methods=["GET", "POST"])
def new_person() -> ResponseReturnValue:
    form = PersonForm()
    form.organisation_id.choices = organisation_choices("Choose an organisation")
    form.staff_group_id.choices = staff_group_choices()
    if form.validate_on_submit():
        try:
            person = roster.create_person(
                scope(), email=form.email.data or "", display_name=form.display_name.data or "",
                organisation_id=form.organisation_id.data, role=form.role.data,
                staff_group_id=form.staff_group_id.data, password=form.password.data or "")
        except ServiceError as error:
            fail_on(form, error, "email")
        else:
            flash(f"An account has been created for {person.email}.", "success")
            return redirect(url_for("admin.person", user_id=person.id))
    return render_template("admin/person_form.html", form=form), 400 if form.errors else 200


def _person_page(person: User, *, membership_form: MembershipForm | None = None,
                 password_form: PasswordForm | None = None, token_form: TokenForm | None = None,
                 new_token: str | None = None, status: int = 200) -> tuple[str, int]:
    if membership_form is None:
        membership_form = MembershipForm(formdata=None)
    membership_form.organisation_id.choices = organisation_choices("Choose an organisation")
    membership_form.staff_group_id.choices = staff_group_choices()
    return render_template(
        "admin/person.html", person=person, managed=scope(), membership_form=membership_form,
        password_form=password_form or PasswordForm(formdata=None), token_form=token_form or TokenForm(formdata=None),
        confirm_form=ConfirmForm(), new_token=new_token,
    ), status


@bp.get("/people/<int:user_id>")
def person(user_id: int) -> ResponseReturnValue:
    return _person_page(roster.get_person(scope(), user_id))


@bp.post("/people/<int:user_id>/membership")
def set_membership(user_id: int) -> ResponseReturnValue:
    person = roster.get_person(scope(), user_id)
    form = MembershipForm()
    form.organisation_id.choices = organisation_choices("Choose an organisation")
    if form.validate_on_submit():
        try:
            roster.set_role(scope(), signed_in_record(), person, form.organisation_id.data, form.role.data,
                            form.staff_group_id.data)
        except ServiceError as error:
            fail_on(form, error, "organisation_id")
        else:
            flash("Their role and staff group have been saved.", "success")
            return redirect(url_for("admin.person", user_id=person.id))
    return _person_page(person, membership_form=form, status=400)


@bp.post("/people/<int:user_id>/active")
def set_active(user_id: int) -> ResponseReturnValue:
    person = roster.get_person(scope(), user_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        make_active = request.form.get("active") == "1"
        try:
            roster.set_active(signed_in_record(), person, make_active)
        except ServiceError as error:
            flash(error.message, "error")
        else:
            flash(f"{person.email} has been {'reactivated' if make_active else 'deactivated'}.", "success")
    return redirect(url_for("admin.person", user_id=person.id))


@bp.post("/people/<int:user_id>/password")
def set_password(user_id: int) -> ResponseReturnValue:
    person = roster.get_person(scope(), user_id)
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            passwords.admin_reset(signed_in_record(), person, form.password.data or "", form.confirm.data or "")
        except ServiceError as error:
            fail_on(form, error, "password")
        else:
            flash("Their password has been reset and they have been signed out everywhere. It works once: tell them "
                  "it through a safe channel, and they will choose their own at sign-in and be told of this reset.",
                  "success")
            return redirect(url_for("admin.person", user_id=person.id))
    return _person_page(person, password_form=form, status=400)


@bp.post("/people/<int:user_id>/tokens")
def issue_token(user_id: int) -> ResponseReturnValue:
    person = roster.get_person(scope(), user_id)
    form = TokenForm()
    if form.validate_on_submit():
        try:
            token = roster.issue_token(person, form.name.data or "", issued_by=signed_in_record())
        except ServiceError as error:
            fail_on(form, error, "name")
        else:
            # Rendered, not flashed: a flashed token would sit in the signed (readable) session cookie.
            response = render_template("admin/token.html", person=person, token=token)
            return response, 201, {"Cache-Control": "no-store"}
    return _person_page(person, token_form=form, status=400)


@bp.post("/people/<int:user_id>/tokens/<int:token_id>/revoke")
def revoke_token(user_id: int, token_id: int) -> ResponseReturnValue:
    person = roster.get_person(scope(), user_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        token = roster.revoke_token(person, token_id)
        flash(f"The token “{token.name}” has been revoked.", "success")
    return redirect(url_for("admin.person", user_id=person.id, _anchor="tokens"))


@bp.route("/people/upload", methods=["GET", "POST"])
def upload() -> ResponseReturnValue:
    form = UploadForm()
    row_errors: list[tuple[int, str]] = []
    if form.validate_on_submit():
        upload_file = form.file.data
        if not upload_file or not upload_file.filename:
            form.file.errors = ["Choose a CSV file to upload"]
        else:
            data = upload_file.read(600 * 1024)
            upload_file.close()
            try:
                invitations = upload_people(scope(), data)
            except RowErrors as error:
                form.file.errors = [error.message]
                row_errors = error.errors
            except ServiceError as error:
                form.file.errors = [error.message]
            else:
                # Rendered once, never flashed or stored: only each link's hash is kept.
                page = render_template("admin/upload_links.html", invitations=invitations)
                return page, 201, {"Cache-Control": "no-store"}
    status = 400 if form.errors or row_errors else 200
    return render_template("admin/upload.html", form=form, row_errors=row_errors), status
