"""API: batch release for facilitators: how many posts are waiting (a count only), and releasing them now."""

from __future__ import annotations

from app.api import bp, for_role
from app.api.schemas.facilitation import BatchState
from app.api.spec import ACT, READ, responses, validate
from app.models import Conversation, Role
from app.services import access
from app.services.conversations import release
from app.views import acting


def _state(conversation: Conversation, released: int | None = None) -> BatchState:
    return BatchState(conversation_id=conversation.id, batch_release=conversation.batch_release,
                      batch_size=conversation.batch_size, batch_max_wait_hours=conversation.batch_max_wait_hours,
                      waiting=release.waiting_count(conversation), released=released)


@bp.get("/conversations/<int:conversation_id>/batch")
@for_role(Role.FACILITATOR)
@validate(resp=responses(200, BatchState, READ))
def batch_state(conversation_id: int) -> BatchState:
    """Batch release (facilitators): the settings and how many posts are waiting (a count only, never the posts)."""
    return _state(access.get_managed_conversation(acting().facilitates, conversation_id))


@bp.post("/conversations/<int:conversation_id>/batch/release")
@for_role(Role.FACILITATOR)
@validate(resp=responses(200, BatchState, ACT))
def batch_release(conversation_id: int) -> BatchState:
    """Publish every waiting post now, together, shuffled, with one shared hour (facilitators)."""
    conversation = access.get_managed_conversation(acting().facilitates, conversation_id)
    released = release.release_now(conversation)
    return _state(conversation, released)
