""""You said, we did" for staff, notices about themes they took part in, and comparing themes in pairs."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from app import notice_cookie
from app.participate import bp
from app.participate.forms import ConfirmForm

from app.services.triage import outcomes
from app.services.triage import pairwise
from app.services.common.errors import ServiceError
from app.urls import safe_next
from app.views import acting, flash_refusal

NOTICE_PAGES = ("participate.home", "participate.conversation")


@bp.app_context_processor
def _outcome_notices() -> dict[str, Any]:
    """Notices are worked out on the pages that show them, from the person's own pseudonyms, right now."""
    if request.endpoint not in NOTICE_PAGES or not current_user.is_authenticated:
        return {}
    if getattr(current_user, "is_guest", False):
        return {}  # a guest's visit ends with the workshop; outcomes come long after
    notices = outcomes.outcome_notices(acting(), notice_cookie.dismissed())
    return {"outcome_notices": notices, "notice_form": ConfirmForm()}


@bp.post("/outcomes/notices/seen")
def notices_seen() -> ResponseReturnValue:
    response = redirect(safe_next(request.form.get("next")))
    if ConfirmForm().validate_on_submit() and not getattr(current_user, "is_guest", False):
        # Remembered by this browser only: a record on the server would say who took part in these themes.
        notice_cookie.remember(response, [n.token for n in outcomes.outcome_notices(acting(), notice_cookie.dismissed())])
        flash("Thank you. We will tell you when there is another update.", "success")
    return response


@bp.get("/conversations/<int:conversation_id>/outcomes")
def conversation_outcomes(conversation_id: int) -> ResponseReturnValue:
    page = outcomes.conversation_outcomes(acting(), conversation_id)
    conversation = page.conversations[0][0]
    return render_template("participate/outcomes.html", page=page, conversation=conversation,
                           named_mode=conversation.named_mode)


@bp.get("/organisations/<int:organisation_id>/outcomes")
def organisation_outcomes(organisation_id: int) -> ResponseReturnValue:
    page = outcomes.organisation_outcomes(acting(), organisation_id)
    return render_template("participate/outcomes.html", page=page, conversation=None)


@bp.get("/conversations/<int:conversation_id>/prioritise")
def prioritise_page(conversation_id: int) -> ResponseReturnValue:
    page = pairwise.comparison_page(acting(), conversation_id)
    return render_template("participate/prioritise.html", conversation=page.conversation, pair=page.pair,
                           themes=page.themes, kind=page.kind, form=ConfirmForm(), named_mode=page.conversation.named_mode)


@bp.post("/conversations/<int:conversation_id>/prioritise")
def prioritise_choose(conversation_id: int) -> ResponseReturnValue:
    left, right = request.form.get("left_id", ""), request.form.get("right_id", "")
    if ConfirmForm().validate_on_submit() and left and right:
        try:
            pairwise.record_choice(acting(), conversation_id, left, right, request.form.get("choice", ""))
        except ServiceError as error:
            flash_refusal(error)
    else:
        flash("Choose one of the two, or say you can't decide.", "error")
    return redirect(url_for("participate.prioritise_page", conversation_id=conversation_id))
