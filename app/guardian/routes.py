"""The Guardian's pages: the queue, one thread, replying and closing. No page shows who wrote anything."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from app.guardian import bp
from app.models import ThreadStatus
from app.services.common.errors import ServiceError
from app.services.speakup import guardian
from app.services.speakup.threads import MESSAGE_MAX
from app.views import acting, refuse_on


class ReplyForm(FlaskForm):
    body = TextAreaField("Your reply", validators=[
        DataRequired("Enter your reply"),
        Length(max=MESSAGE_MAX, message=f"Your reply must be {MESSAGE_MAX:,} characters or fewer")])


class ConfirmForm(FlaskForm):
    """A button-only form: the CSRF token is its only field."""


@bp.get("/")
def queue() -> ResponseReturnValue:
    status = request.args.get("status", ThreadStatus.OPEN.value)
    status = status if status in {s.value for s in ThreadStatus} else ThreadStatus.OPEN.value
    guardian_of = acting().guardian_of
    return render_template("guardian/queue.html", items=guardian.queue(guardian_of, status), status=status,
                           counts=guardian.counts(guardian_of))


def _thread_page(thread_id: str, form: ReplyForm, status: int = 200) -> tuple[str, int]:
    item = guardian.read_thread(acting().guardian_of, thread_id)
    return render_template("guardian/thread.html", item=item, form=form, confirm_form=ConfirmForm()), status


@bp.get("/threads/<thread_id>")
def thread(thread_id: str) -> ResponseReturnValue:
    return _thread_page(thread_id, ReplyForm(formdata=None))


@bp.post("/threads/<thread_id>")
def reply(thread_id: str) -> ResponseReturnValue:
    form = ReplyForm()
    if form.validate_on_submit():
        try:
            guardian.reply(acting().guardian_of, current_user.display_name or "", thread_id, form.body.data or "")
        except ServiceError as error:
            refuse_on(form, error, "body")
        else:
            flash("Your reply has been sent. The author will see it in “My ideas and comments”.", "success")
            return redirect(url_for("guardian.thread", thread_id=thread_id, _anchor="messages"))
    return _thread_page(thread_id, form, 400)


@bp.post("/threads/<thread_id>/status")
def set_status(thread_id: str) -> ResponseReturnValue:
    if ConfirmForm().validate_on_submit():
        wanted = request.form.get("status", "")
        try:
            guardian.set_status(acting().guardian_of, thread_id, wanted)
        except ServiceError as error:
            if error.status == 404:
                raise
            flash(error.message, "error")
        else:
            flash("The thread has been closed." if wanted == ThreadStatus.CLOSED else "The thread has been reopened.",
                  "success")
    return redirect(url_for("guardian.thread", thread_id=thread_id))
