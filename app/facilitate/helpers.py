"""Shared pieces of the facilitator views: who is facilitating, form errors and choices."""

from __future__ import annotations

from flask_login import current_user

from app.models import Conversation
from app.services.conversations import lifecycle
from app.services.common.participants import Participant
from app.views import fail_on, page_arg  # noqa: F401  (re-exported for this surface's views)


def facilitates() -> frozenset[int]:
    return Participant.from_user(current_user).facilitates


def managed(conversation_id: int) -> Conversation:
    """A conversation this person facilitates, or a 404."""
    return lifecycle.get_managed_conversation(facilitates(), conversation_id)


