"""Admin pages for reach: the workforce baseline, and Freedom to Speak Up Guardians and contact details.

Nothing here shows a post, a thread or who sent one; the only Speak Up figure is a rounded count at or above k.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from app.admin import bp
from app.admin.forms import ConfirmForm, GuardianForm, SpeakUpContactForm, UploadForm
from app.admin.helpers import fail_on, scope
from app.models import Organisation
from app.services.accounts import organisations
from app.services.common.csvfile import RowErrors
from app.services.common.errors import ServiceError
from app.services.outreach import baseline
from app.services.speakup import settings


def _baseline_page(form: UploadForm, row_errors: list[tuple[int, str]] | None = None, status: int = 200) -> tuple[str, int]:
    return render_template("admin/baseline.html", form=form, row_errors=row_errors or [], confirm_form=ConfirmForm(),
                           organisations=organisations.managed_organisations(scope()),
                           rows=baseline.baseline_rows(scope())), status


@bp.route("/baseline", methods=["GET", "POST"])
def baseline_page() -> ResponseReturnValue:
    form = UploadForm()
    if not form.validate_on_submit():
        return _baseline_page(form, status=400 if form.errors else 200)
    upload = form.file.data
    if not upload or not upload.filename:
        form.file.errors = ["Choose a CSV file to upload"]
        return _baseline_page(form, status=400)
    data = upload.read(600 * 1024)
    upload.close()
    try:
        replaced = baseline.upload_baseline(scope(), data)
    except RowErrors as error:
        form.file.errors = [error.message]
        return _baseline_page(form, error.errors, 400)
    except ServiceError as error:
        form.file.errors = [error.message]
        return _baseline_page(form, status=400)
    flash("The baseline has been replaced for " + ", ".join(f"{name} ({n} staff groups)" for name, n in replaced.items())
          + ".", "success")
    return redirect(url_for("admin.baseline_page"))


@bp.post("/organisations/<int:organisation_id>/baseline/sync")
def sync_baseline(organisation_id: int) -> ResponseReturnValue:
    org = organisations.get_managed_organisation(scope(), organisation_id)
    if ConfirmForm().validate_on_submit():
        counted = baseline.sync_from_people(scope(), org.id)
        flash(f"The baseline of {org.name} now counts its {counted} people with a staff group on Chorus.", "success")
    return redirect(url_for("admin.baseline_page"))


@bp.post("/organisations/<int:organisation_id>/baseline/clear")
def clear_baseline(organisation_id: int) -> ResponseReturnValue:
    org = organisations.get_managed_organisation(scope(), organisation_id)
    if ConfirmForm().validate_on_submit():
        baseline.clear_baseline(scope(), org.id)
        flash(f"The baseline of {org.name} has been removed.", "success")
    return redirect(url_for("admin.baseline_page"))


def _speak_up_page(org: Organisation, contact_form: SpeakUpContactForm | None = None,
                   guardian_form: GuardianForm | None = None, status: int = 200) -> tuple[str, int]:
    if contact_form is None:
        contact = settings.contact_for(org.id)
        contact_form = SpeakUpContactForm(formdata=None, data={"guardian_contact": contact.guardian_contact,
                                                                "local_routes": contact.local_routes})
    return render_template("admin/speak_up.html", organisation=org, contact_form=contact_form,
                           guardian_form=guardian_form or GuardianForm(formdata=None), confirm_form=ConfirmForm(),
                           guardians=settings.guardians(org.id), sent=settings.sent_count(org.id)), status


@bp.get("/organisations/<int:organisation_id>/speak-up")
def speak_up(organisation_id: int) -> ResponseReturnValue:
    return _speak_up_page(organisations.get_managed_organisation(scope(), organisation_id))


@bp.post("/organisations/<int:organisation_id>/speak-up/contact")
def speak_up_contact(organisation_id: int) -> ResponseReturnValue:
    org = organisations.get_managed_organisation(scope(), organisation_id)
    form = SpeakUpContactForm()
    if form.validate_on_submit():
        settings.save_contact(scope(), org.id, form.guardian_contact.data or "", form.local_routes.data or "")
        flash("The Speak Up details have been saved.", "success")
        return redirect(url_for("admin.speak_up", organisation_id=org.id))
    return _speak_up_page(org, contact_form=form, status=400)


@bp.post("/organisations/<int:organisation_id>/speak-up/guardians")
def appoint_guardian(organisation_id: int) -> ResponseReturnValue:
    org = organisations.get_managed_organisation(scope(), organisation_id)
    form = GuardianForm()
    if form.validate_on_submit():
        try:
            person = settings.appoint_guardian(scope(), org.id, form.email.data or "")
        except ServiceError as error:
            fail_on(form, error, "email")
        else:
            flash(f"{person.display_name or person.email} is now a Freedom to Speak Up Guardian for {org.name}.", "success")
            return redirect(url_for("admin.speak_up", organisation_id=org.id))
    return _speak_up_page(org, guardian_form=form, status=400)


@bp.post("/organisations/<int:organisation_id>/speak-up/guardians/<int:user_id>/remove")
def remove_guardian(organisation_id: int, user_id: int) -> ResponseReturnValue:
    org = organisations.get_managed_organisation(scope(), organisation_id)
    if ConfirmForm().validate_on_submit():
        settings.remove_guardian(scope(), org.id, user_id)
        flash("They are no longer a Guardian. Threads stay in the queue for the other Guardians.", "success")
    return redirect(url_for("admin.speak_up", organisation_id=org.id))
