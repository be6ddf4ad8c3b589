"""Sign in and sign out."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from app.auth import password_mark
from app.extensions import limiter
from app.services.accounts import authenticate
from app.urls import safe_next

from .forms import LoginForm, SignOutForm

bp = Blueprint("auth", __name__, url_prefix="/auth")


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_LOGIN"], methods=["POST"])
def login():  # type: ignore[no-untyped-def]
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is not None:
            session.clear()
            login_user(user)
            session["_pw"] = password_mark(user)
            return redirect(safe_next(request.args.get("next")))
        form.email.errors.append("Enter a correct email address and password")
    return render_template("auth/login.html", form=form), (200 if not form.errors else 400)


@bp.route("/sign-out", methods=["GET", "POST"])
@login_required
def logout():  # type: ignore[no-untyped-def]
    form = SignOutForm()
    if not form.validate_on_submit():
        return render_template("auth/logout.html", form=form)
    logout_user()
    session.clear()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.login"))
