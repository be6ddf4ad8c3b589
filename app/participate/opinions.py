"""Opinion groups of agree/disagree conversations, for staff and facilitators."""

from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue

from app.views import acting
from app.participate import bp

from app.services.opinions.groups import opinion_groups_for


@bp.get("/conversations/<int:conversation_id>/opinions")
def conversation_opinions(conversation_id: int) -> ResponseReturnValue:
    view = opinion_groups_for(acting(), conversation_id)
    return render_template("participate/opinions.html", view=view, conversation=view.conversation,
                           named_mode=view.conversation.named_mode)
