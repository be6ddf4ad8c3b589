"""Staff see the conversation's themes and outcomes under each element of its framework (the People Promise by default)."""

from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue

from app.participate import bp
from app.services.frameworks.view import framework_view_for_staff
from app.views import acting


@bp.get("/conversations/<int:conversation_id>/framework")
def conversation_framework(conversation_id: int) -> ResponseReturnValue:
    view = framework_view_for_staff(acting(), conversation_id)
    return render_template("participate/framework.html", view=view, conversation=view.conversation, lead=False,
                           named_mode=view.conversation.named_mode)
