"""Public: the unsubscribe page that reminder and announcement emails link to (a signed link, no sign-in)."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask.typing import ResponseReturnValue

from app.participate.forms import ConfirmForm
from app.services.messaging import preferences

bp = Blueprint("messages", __name__)


@bp.route("/messages/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token: str) -> ResponseReturnValue:
    """GET shows the choice (mail scanners open links, so a visit changes nothing); POST makes it."""
    if len(token) > 300:
        abort(404)
    subscription = preferences.read_token(token)
    form = ConfirmForm()
    changed = False
    if form.validate_on_submit():
        subscription = preferences.set_unsubscribed(token, not subscription.unsubscribed)
        changed = True
    elif form.is_submitted():
        abort(400)
    return render_template("messages/unsubscribe.html", subscription=subscription, form=form, changed=changed)
