"""Reporting posts, and the moderation notices an author sees at their next visit."""

from __future__ import annotations

import time
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from app import notice_cookie
from app.participate import bp
from app.participate.forms import ConfirmForm, ReportForm

from app.ratelimit import posting_limit
from app.services.moderation import notices
from app.services.moderation import reports
from app.services.common.errors import ServiceError
from app.services.content.ideas import visible_idea
from app.urls import safe_next
from app.views import acting, refuse_on

# When the last check found no notices for this session (a time only: never item ids in the cookie).
_NONE_UNTIL = "notices_none_until"


def forget_notice_cache() -> None:
    session.pop(_NONE_UNTIL, None)


bp.add_app_template_global(notices.reason_label, "notice_reason_label")


# Seen tokens of the notices already shown at the top of a page in this visit (the signed session cookie: the
# server writes nothing, rule A2). Tokens are opaque keyed hashes, never item ids.
_SHOWN = "notices_shown"
_SHOWN_LIMIT = 60
# "My ideas and comments" keeps every undismissed notice, however often they were shown elsewhere.
_ALWAYS_ON = "participate.mine"


def _shown_once(found: list[notices.Notice]) -> str:
    """Remember that these notices were shown in this visit (called by the template that shows them)."""
    shown = [t for t in session.get(_SHOWN, []) if isinstance(t, str)]
    added = [n.token for n in found if n.token not in shown]
    if added:
        session[_SHOWN] = (shown + added)[-_SHOWN_LIMIT:]
    return ""


bp.add_app_template_global(_shown_once, "notices_shown_once")


@bp.context_processor
def _moderation_notices() -> dict[str, Any]:
    """Notices for the person's own moderated posts: on the first page of a visit, and always on their own posts.

    A visit is the sign-in session; a notice not dismissed comes back at the next one.
    """
    if not current_user.is_authenticated or request.method != "GET":
        return {}
    if session.get(_NONE_UNTIL, 0) > time.time():
        return {}
    found = notices.notices_for(acting(), notice_cookie.dismissed())
    if not found:
        session[_NONE_UNTIL] = time.time() + current_app.config["CHORUS_NOTICE_CACHE_SECONDS"]
    if request.endpoint != _ALWAYS_ON:
        shown = set(session.get(_SHOWN, []))
        found = [notice for notice in found if notice.token not in shown]
    return {"moderation_notices": found, "notice_form": ConfirmForm()}


def _report(kind: str, item_id: str) -> ResponseReturnValue:
    if kind == "idea":
        idea = visible_idea(acting(), item_id)
        text, back = idea.body, url_for("participate.idea", idea_id=idea.id)
    else:
        comment = reports.reportable_comment(acting(), item_id)
        idea = comment.idea
        text, back = comment.body, url_for("participate.idea", idea_id=idea.id, _anchor="comment-" + comment.id)
    form = ReportForm()
    if form.validate_on_submit():
        try:
            created = reports.report_item(acting(), kind, item_id, form.reason.data, form.note.data or "")
        except ServiceError as error:
            refuse_on(form, error, "reason")
        else:
            flash("Thank you. The moderators will look at it." if created else "You have already reported this.", "success")
            return redirect(back)
    return render_template("participate/report.html", form=form, kind=kind, text=text, back=back,
                           conversation=idea.conversation, named_mode=idea.conversation.named_mode), (400 if form.errors else 200)


@bp.route("/ideas/<idea_id>/report", methods=["GET", "POST"])
@posting_limit
def report_idea(idea_id: str) -> ResponseReturnValue:
    return _report("idea", idea_id)


@bp.route("/comments/<comment_id>/report", methods=["GET", "POST"])
@posting_limit
def report_comment(comment_id: str) -> ResponseReturnValue:
    return _report("comment", comment_id)


@bp.post("/notices/<kind>/<item_id>/dismiss")
def dismiss_notice(kind: str, item_id: str) -> ResponseReturnValue:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    token = notices.dismiss_notice(acting(), kind, item_id)
    # Kept by this browser, not the server: only the author can dismiss, so a write would name them.
    return notice_cookie.remember(redirect(safe_next(request.form.get("next"), "participate.home")), [token])
