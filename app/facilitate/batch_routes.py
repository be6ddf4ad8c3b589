"""Facilitators: release the posts waiting for the next batch now (batch release, app/services/conversations/release.py)."""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask.typing import ResponseReturnValue

from app.facilitate import bp
from app.facilitate.forms import ConfirmForm
from app.facilitate.helpers import managed
from app.services.conversations import release


@bp.post("/conversations/<int:conversation_id>/release")
def release_batch(conversation_id: int) -> ResponseReturnValue:
    found = managed(conversation_id)
    if ConfirmForm().validate_on_submit():
        count = release.release_now(found)
        flash(f"{count} waiting {'post has' if count == 1 else 'posts have'} been published." if count
              else "No posts were waiting.", "success")
    return redirect(url_for("facilitate.conversation", conversation_id=found.id, _anchor="batch-release"))
