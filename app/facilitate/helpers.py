"""Shared pieces of the facilitator views: who is facilitating, form errors and choices."""

from __future__ import annotations

from flask import request
from flask_login import current_user

from app.models import Conversation
from app.services import conversations
from app.services.errors import ServiceError
from app.services.participants import Participant


def facilitates() -> frozenset[int]:
    return Participant.from_user(current_user).facilitates


def managed(conversation_id: int) -> Conversation:
    """A conversation this person facilitates, or a 404."""
    return conversations.get_managed_conversation(facilitates(), conversation_id)


def page_arg() -> int:
    value = request.args.get("page", "1")
    return int(value) if value.isdigit() and 0 < int(value) < 100000 else 1


def fail_on(form, error: ServiceError, default: str) -> None:  # type: ignore[no-untyped-def]
    field = getattr(form, error.field or default, None) or getattr(form, default)
    field.errors = [*field.errors, error.message] if isinstance(field.errors, list) else [error.message]
