"""Admin pages for organisations, partnerships and staff groups. Views parse input, call one service, render."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from app.admin import bp
from app.auth import signed_in_record
from app.admin.forms import ConfirmForm, OrganisationForm, PartnershipForm, StaffGroupForm
from app.admin.helpers import fail_on, partnership_choices, scope
from app.models import Organisation
from app.services.accounts import organisations
from app.services.common.errors import ServiceError
from app.services.accounts.roster import list_people


@bp.get("/")
def index() -> ResponseReturnValue:
    orgs = organisations.managed_organisations(scope())
    return render_template("admin/index.html", organisations=orgs, people=list_people(scope()).total,
                           partnerships=organisations.all_partnerships())


@bp.get("/organisations")
def organisation_list() -> ResponseReturnValue:
    return render_template("admin/organisations.html", organisations=organisations.managed_organisations(scope()))


@bp.route("/organisations/new", methods=["GET", "POST"])
def new_organisation() -> ResponseReturnValue:
    form = OrganisationForm()
    form.partnership_id.choices = partnership_choices()
    if form.validate_on_submit():
        try:
            org = organisations.create_organisation(form.name.data or "", form.code.data or "", form.partnership_id.data,
                                                    admin=signed_in_record())
        except ServiceError as error:
            fail_on(form, error, "name")
        else:
            flash(f"{org.name} has been created. You are its admin.", "success")
            return redirect(url_for("admin.organisation", organisation_id=org.id))
    return render_template("admin/organisation_form.html", form=form, organisation=None), 400 if form.errors else 200


def _organisation_page(org: Organisation, form: OrganisationForm, group_form: StaffGroupForm,
                       status: int = 200) -> tuple[str, int]:
    return render_template("admin/organisation.html", organisation=org, form=form, group_form=group_form,
                           rename_forms={g.id: StaffGroupForm(prefix=f"g{g.id}", data={"name": g.name}) for g in org.staff_groups}), status


@bp.route("/organisations/<int:organisation_id>", methods=["GET", "POST"])
def organisation(organisation_id: int) -> ResponseReturnValue:
    org = organisations.get_managed_organisation(scope(), organisation_id)
    form = OrganisationForm(obj=org)
    form.partnership_id.choices = partnership_choices()
    if form.validate_on_submit():
        try:
            organisations.update_organisation(org, form.name.data or "", form.code.data or "", form.partnership_id.data)
        except ServiceError as error:
            fail_on(form, error, "name")
        else:
            flash("The organisation's details have been saved.", "success")
            return redirect(url_for("admin.organisation", organisation_id=org.id))
    return _organisation_page(org, form, StaffGroupForm(prefix="new"), 400 if form.errors else 200)


@bp.post("/organisations/<int:organisation_id>/staff-groups")
def add_staff_group(organisation_id: int) -> ResponseReturnValue:
    org = organisations.get_managed_organisation(scope(), organisation_id)
    group_form = StaffGroupForm(prefix="new")
    if group_form.validate_on_submit():
        try:
            group = organisations.add_staff_group(org, group_form.name.data or "")
        except ServiceError as error:
            fail_on(group_form, error, "name")
        else:
            flash(f"{group.name} has been added.", "success")
            return redirect(url_for("admin.organisation", organisation_id=org.id, _anchor="staff-groups"))
    form = OrganisationForm(obj=org, formdata=None)
    form.partnership_id.choices = partnership_choices()
    return _organisation_page(org, form, group_form, 400)


@bp.route("/organisations/<int:organisation_id>/staff-groups/<int:group_id>", methods=["GET", "POST"])
def staff_group(organisation_id: int, group_id: int) -> ResponseReturnValue:
    org = organisations.get_managed_organisation(scope(), organisation_id)
    group = organisations.get_staff_group(org, group_id)
    form = StaffGroupForm(data={"name": group.name} if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            organisations.rename_staff_group(group, form.name.data or "")
        except ServiceError as error:
            fail_on(form, error, "name")
        else:
            flash("The staff group has been renamed.", "success")
            return redirect(url_for("admin.organisation", organisation_id=org.id, _anchor="staff-groups"))
    return render_template("admin/staff_group.html", organisation=org, group=group, form=form,
                           confirm_form=ConfirmForm()), 400 if form.errors else 200


@bp.route("/organisations/<int:organisation_id>/staff-groups/<int:group_id>/remove", methods=["GET", "POST"])
def remove_staff_group(organisation_id: int, group_id: int) -> ResponseReturnValue:
    org = organisations.get_managed_organisation(scope(), organisation_id)
    group = organisations.get_staff_group(org, group_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        name = group.name
        organisations.remove_staff_group(group)
        flash(f"{name} has been removed. Its members now have no staff group.", "success")
        return redirect(url_for("admin.organisation", organisation_id=org.id, _anchor="staff-groups"))
    return render_template("admin/remove_staff_group.html", organisation=org, group=group, form=form)


@bp.route("/partnerships", methods=["GET", "POST"])
def partnerships() -> ResponseReturnValue:
    form = PartnershipForm()
    if form.validate_on_submit():
        try:
            partnership = organisations.create_partnership(form.name.data or "")
        except ServiceError as error:
            fail_on(form, error, "name")
        else:
            flash(f"{partnership.name} has been created. Add organisations to it from their pages.", "success")
            return redirect(url_for("admin.partnerships"))
    return render_template("admin/partnerships.html", form=form, partnerships=organisations.partnership_members()), \
        400 if form.errors else 200


from app.admin import people_routes  # noqa: E402,F401
from app.admin import reach_routes  # noqa: E402,F401  (workforce baseline, Speak Up Guardians)
from app.admin import framework_routes  # noqa: E402,F401
