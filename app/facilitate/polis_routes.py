"""Facilitator pages for Pol.is: upload an export, check its counts, import it, follow a background import, export."""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import RequestEntityTooLarge
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # new in WTForms 3.3; types-WTForms covers 3.2

from app.extensions import db
from app.facilitate import bp
from app.facilitate.forms import ConfirmForm, PolisImportForm
from app.facilitate.helpers import fail_on, managed
from app.models import Organisation
from app.services.common.errors import ServiceError
from app.services.polis import exporting, importing
from app.services.polis.files import KNOWN, PolisFileErrors, files_from_zip
from app.errors import error_response
from app.views import acting

UPLOAD_ENDPOINT = "facilitate.polis_upload"


def upload_limit() -> int:
    return int(current_app.config.get("CHORUS_POLIS_MAX_UPLOAD_MB", 100)) * 1024 * 1024


@bp.url_value_preprocessor
def _polis_upload_limit(endpoint: str | None, values: dict | None) -> None:
    """Only the Pol.is upload takes large bodies: set before CSRF checking reads the form (runs before it)."""
    if endpoint == UPLOAD_ENDPOINT:
        request.max_content_length = upload_limit() + 1024 * 1024  # room for the form's other fields


def _form(read_request: bool = True) -> PolisImportForm:
    # Without reading the request, for the "too large" page: reading its body again would refuse again.
    form = PolisImportForm() if read_request else PolisImportForm(formdata=None)
    orgs = db.session.scalars(sa.select(Organisation).where(Organisation.id.in_(acting().facilitates))
                              .order_by(Organisation.name))
    form.organisation_id.choices = [SelectChoice(o.id, o.name) for o in orgs]
    return form


def _uploaded(form: PolisImportForm) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    for upload in request.files.getlist(form.files.name):
        name = (upload.filename or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1].lower()
        if name.endswith(".zip"):
            files.update(files_from_zip(upload.read()))
        elif name in KNOWN:
            files[name] = upload.read()
        upload.close()
    return files


def _upload_page(form: PolisImportForm, problems: list[str], status: int) -> tuple[str, int]:
    return render_template("facilitate/polis_upload.html", form=form, problems=problems,
                           limit_mb=upload_limit() // (1024 * 1024)), status


@bp.route("/polis-import", methods=["GET", "POST"])
def polis_upload() -> ResponseReturnValue:
    form = _form()
    problems: list[str] = []
    if form.validate_on_submit():
        organisation_id = form.organisation_id.data
        if len(form.organisation_id.choices or []) == 1:
            organisation_id = next(iter(acting().facilitates))
        try:
            staged = importing.check_files(acting().facilitates, organisation_id, _uploaded(form))
        except PolisFileErrors as error:
            problems = error.errors
            fail_on(form, error, "files")
        except ServiceError as error:
            fail_on(form, error, "files")
        else:
            return redirect(url_for("facilitate.polis_import", import_id=staged.id))
    return _upload_page(form, problems, 400 if form.errors else 200)


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(error: RequestEntityTooLarge) -> ResponseReturnValue:
    if request.endpoint != UPLOAD_ENDPOINT:
        return error_response(413)
    form = _form(read_request=False)
    form.files.errors = [f"The files must be smaller than {upload_limit() // (1024 * 1024)} MB in total. "
                         "Upload only comments.csv, votes.csv (or participants-votes.csv) and summary.csv."]
    return _upload_page(form, [], 413)


@bp.get("/polis-import/<int:import_id>")
def polis_import(import_id: int) -> ResponseReturnValue:
    found = importing.get_import(acting().facilitates, import_id)
    return render_template("facilitate/polis_import.html", found=found, confirm_form=ConfirmForm(),
                           progress=importing.progress_of(found))


@bp.post("/polis-import/<int:import_id>/confirm")
def polis_confirm(import_id: int) -> ResponseReturnValue:
    form = ConfirmForm()
    importing.get_import(acting().facilitates, import_id)  # 404 before anything else
    if form.validate_on_submit():
        try:
            importing.confirm_import(acting().facilitates, import_id)
        except ServiceError:
            pass  # the import page shows why it failed
    return redirect(url_for("facilitate.polis_import", import_id=import_id))


@bp.get("/conversations/<int:conversation_id>/polis-export")
def polis_export(conversation_id: int) -> ResponseReturnValue:
    conversation = managed(conversation_id)
    try:
        data = exporting.export_zip(conversation)
    except ServiceError as error:
        return render_template("facilitate/polis_export.html", conversation=conversation, refusal=error.message,
                               named_mode=conversation.named_mode), error.status
    response = current_app.response_class(data, mimetype="application/zip")
    response.headers["Content-Disposition"] = f'attachment; filename="chorus-{conversation.id}-polis-export.zip"'
    response.headers["Cache-Control"] = "no-store"
    return response
