"""Joining a live workshop as a guest, and leaving it."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from app.extensions import limiter
from app.join import bp
from app.join.forms import JoinForm
from app.join.guest import SESSION_KEY, start_guest_session
from app.participate.forms import ConfirmForm
from app.services.common.errors import ServiceError
from app.services.accounts.guests import conversation_for_code, new_guest_key


@bp.route("", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_JOIN"], methods=["POST"])
def join() -> ResponseReturnValue:
    if current_user.is_authenticated and not getattr(current_user, "is_guest", False):
        flash("You are signed in, so you can take part with your account.", "info")
        return redirect(url_for("participate.home"))
    form = JoinForm()
    if request.method == "GET" and request.args.get("code"):
        form.code.data = request.args.get("code", "")[:20]  # from the QR code on the projector
    if form.validate_on_submit():
        try:
            conversation = conversation_for_code(form.code.data or "")
        except ServiceError as error:
            form.code.errors = [*form.code.errors, error.message]
        else:
            start_guest_session(conversation.id, conversation.join_code or "", new_guest_key())
            flash("You have joined as a guest. Nobody can see who you are.", "success")
            # Guests join during a live workshop, so they land where it is happening.
            return redirect(url_for("participate.live_board_page", conversation_id=conversation.id))
    return render_template("join/join.html", form=form), (400 if form.errors else 200)


@bp.route("/leave", methods=["GET", "POST"])
def leave() -> ResponseReturnValue:
    form = ConfirmForm()
    if form.validate_on_submit():
        session.pop(SESSION_KEY, None)
        flash("You have left the conversation. Your posts stay, and nobody can link them to you.", "success")
        return redirect(url_for("join.join"))
    return render_template("join/leave.html", form=form)
