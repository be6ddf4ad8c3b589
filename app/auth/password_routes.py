"""Password pages: change your own password, and choose one through a one-time link (rule A8)."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import login_required
from flask_wtf import FlaskForm

from app.auth import password_mark, signed_in_record
from app.extensions import limiter
from app.services.accounts import passwords
from app.services.common.errors import InvalidInput, NotFound, ServiceError

from .forms import LinkPasswordForm, OwnPasswordForm
from app.auth.blueprint import bp, signed_in


def _fail_on(form: FlaskForm, error: ServiceError, default: str) -> None:
    field = getattr(error, "field", None) if isinstance(error, InvalidInput) else None
    target = getattr(form, field if field and hasattr(form, field) else default)
    target.errors = [*target.errors, error.message]


@bp.route("/password", methods=["GET", "POST"])
@login_required
@limiter.limit(lambda: current_app.config["RATELIMIT_LOGIN"], methods=["POST"])
def change_password() -> ResponseReturnValue:
    user = signed_in_record()  # a guest who joined with a code has no account, so no password: 404
    form = OwnPasswordForm()
    if user.sso_subject is None and form.validate_on_submit():
        try:
            passwords.change_own_password(user, form.current.data or "", form.password.data or "", form.confirm.data or "")
        except ServiceError as error:
            _fail_on(form, error, "password")
        else:
            session["_pw"] = password_mark(user)  # this session goes on; every other one has ended
            flash("Your password has been changed. Only you know it.", "success")
            return redirect(url_for("participate.home"))
    status = 400 if form.errors or (user.sso_subject and form.is_submitted()) else 200
    return render_template("auth/password.html", form=form, user=user), status


@bp.route("/set-password/<token>", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_LOGIN"], methods=["POST"])
def set_password_link(token: str) -> ResponseReturnValue:
    try:
        person = passwords.link_owner(token)
    except NotFound:
        return _link_gone()
    form = LinkPasswordForm()
    if form.validate_on_submit():
        try:
            person = passwords.set_password_with_link(token, form.password.data or "", form.confirm.data or "")
        except NotFound:
            return _link_gone()
        except ServiceError as error:
            _fail_on(form, error, "password")
        else:
            response = signed_in(person, None)  # a fresh session: flash after, or it is cleared with the old one
            flash("Your password has been set. You are signed in.", "success")
            return response
    return render_template("auth/set_password.html", form=form, email=person.email), 400 if form.errors else 200


def _link_gone() -> tuple[str, int]:
    return render_template("auth/sso_problem.html", title="This link does not work",
                           message=passwords.LINK_GONE), 404
