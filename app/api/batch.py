"""API: batch release for facilitators: how many posts are waiting (a count only), and releasing them now."""

from __future__ import annotations

from flask import jsonify

from app.views import acting
from app.api import bp, for_role

from app.models import Conversation, Role
from app.services import access
from app.services.conversations import release


def _state(conversation: Conversation, **extra: int) -> dict[str, object]:
    return {"conversation_id": conversation.id, "batch_release": conversation.batch_release,
            "batch_size": conversation.batch_size, "batch_max_wait_hours": conversation.batch_max_wait_hours,
            "waiting": release.waiting_count(conversation)} | extra


@bp.get("/conversations/<int:conversation_id>/batch")
@for_role(Role.FACILITATOR)
def batch_state(conversation_id: int):  # type: ignore[no-untyped-def]
    return jsonify(_state(access.get_managed_conversation(acting().facilitates, conversation_id)))


@bp.post("/conversations/<int:conversation_id>/batch/release")
@for_role(Role.FACILITATOR)
def batch_release(conversation_id: int):  # type: ignore[no-untyped-def]
    conversation = access.get_managed_conversation(acting().facilitates, conversation_id)
    released = release.release_now(conversation)
    return jsonify(_state(conversation, released=released))
