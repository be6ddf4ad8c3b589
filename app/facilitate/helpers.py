"""Shared pieces of the facilitator views: who is facilitating, form errors and choices."""

from __future__ import annotations


from app.models import Conversation
from app.services import access
from app.views import acting, fail_on, page_arg  # noqa: F401  (re-exported for this surface's views)


def managed(conversation_id: int) -> Conversation:
    """A conversation this person facilitates, or a 404."""
    return access.get_managed_conversation(acting().facilitates, conversation_id)


