"""Themes as staff see them: what people are saying, with representative quotes."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from app.participate import bp
from app.participate.forms import ConfirmForm, VoteForm

from app.services.themes import progress, runs
from app.services.themes import reading
from app.services.content.listing import ideas_by_ids
from app.services.common.errors import ServiceError
from app.views import acting, flash_refusal, page_arg


@bp.get("/conversations/<int:conversation_id>/themes")
def conversation_themes(conversation_id: int) -> ResponseReturnValue:
    me = acting()
    view = reading.themes_for(me, conversation_id)
    return render_template("participate/themes.html", view=view, conversation=view.conversation,
                           named_mode=view.conversation.named_mode, run_form=ConfirmForm(),
                           can_update=view.conversation.organisation_id in me.facilitates,
                           run_progress=progress.of(view.pending) if view.pending else None)


@bp.post("/conversations/<int:conversation_id>/themes/run")
def update_themes(conversation_id: int) -> ResponseReturnValue:
    """A facilitator or lead asks for fresh themes now; anyone else gets a 404."""
    if ConfirmForm().validate_on_submit():
        try:
            runs.request_theme_run_for(acting(), conversation_id)
        except ServiceError as error:
            flash_refusal(error)  # too soon after the last update; a 404 stays a 404
        else:
            flash("The themes are being updated. This usually takes under a minute.", "success")
    return redirect(url_for("participate.conversation_themes", conversation_id=conversation_id))


@bp.get("/themes/<int:theme_id>")
def theme(theme_id: int) -> ResponseReturnValue:
    found, snapshot, idea_ids = reading.theme_idea_ids(acting(), theme_id)
    page = ideas_by_ids(acting(), found.conversation_id, idea_ids, page_arg())
    conversation = page.conversation
    return render_template("participate/theme.html", theme=found, snapshot=snapshot, page=page,
                           conversation=conversation, vote_form=VoteForm(), next_url=request.full_path,
                           named_mode=conversation.named_mode)
