"""Sign in and sign out."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required, logout_user

from app.auth.blueprint import bp, signed_in
from app.auth.limits import per_account, per_address, sso_per_address
from app.auth.oidc import SignInFailed, finish_sign_in, sso_enabled, sso_policy, start_sign_in
from app.services.accounts.users import authenticate
from app.services.accounts.sessions import revoke_session
from app.services.accounts.sso import SignInRefused, SsoIdentity, sign_in_with_sso
from app.urls import safe_next

from .forms import LoginForm, SignOutForm, SsoForm

@bp.route("/sign-in", methods=["GET", "POST"])
@per_address
@per_account
def login() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    sso_only = current_app.config.get("CHORUS_SSO_ONLY", False)
    form = LoginForm()
    if not sso_only and form.validate_on_submit():
        user = authenticate(form.email.data or "", form.password.data or "")
        if user is not None:
            return signed_in(user, request.args.get("next"))
        form.email.errors = [*form.email.errors, "Enter a correct email address and password"]
    status = 400 if form.errors or (sso_only and request.method == "POST") else 200
    return render_template("auth/login.html", form=form, sso_form=SsoForm() if sso_enabled() else None,
                           sso_only=sso_only), status


@bp.post("/sso")
def sso_start() -> ResponseReturnValue:
    if not sso_enabled():
        abort(404)
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    try:
        return start_sign_in(safe_next(request.args.get("next")))
    except SignInFailed as failure:
        return _sso_problem(failure.title, failure.message, failure.status)


@bp.get("/sso/callback")
@sso_per_address
def sso_callback() -> ResponseReturnValue:
    if not sso_enabled():
        abort(404)
    try:
        claims, next_page = finish_sign_in()
        user = sign_in_with_sso(SsoIdentity.from_claims(claims), sso_policy())
    except SignInFailed as failure:
        return _sso_problem(failure.title, failure.message, failure.status)
    except SignInRefused as refusal:
        return _sso_problem(refusal.title, refusal.message, refusal.status)
    return signed_in(user, next_page)


def _sso_problem(title: str, message: str, status: int) -> tuple[str, int]:
    return render_template("auth/sso_problem.html", title=title, message=message), status


@bp.route("/sign-out", methods=["GET", "POST"])
@login_required
def logout() -> ResponseReturnValue:
    form = SignOutForm()
    if not form.validate_on_submit():
        return render_template("auth/logout.html", form=form)
    sid = session.get("_sid")
    logout_user()
    session.clear()
    if isinstance(sid, str) and sid:
        revoke_session(sid, current_app.permanent_session_lifetime)
    flash("You have signed out.", "success")
    return redirect(url_for("auth.login"))


from app.auth import password_routes  # noqa: E402,F401  (registers the password pages on bp)
