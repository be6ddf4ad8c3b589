"""The guest identity: a random user key in the signed session cookie, never stored in the database."""

from __future__ import annotations

from flask import session

from app.services.common.errors import NotFound
from app.services.accounts.guests import guest_conversation

SESSION_KEY = "guest"


class GuestUser:
    """Stands in for a signed-in user on participation pages; sees one conversation and has no roles."""

    is_authenticated = True
    is_active = True
    is_anonymous = False
    is_guest = True
    display_name = "Guest"
    email = ""
    memberships: list = []
    organisation_ids: frozenset[int] = frozenset()

    def __init__(self, user_key: str, conversation_id: int) -> None:
        self.user_key = user_key
        self.guest_conversation_id = conversation_id

    def get_id(self) -> None:  # never remembered as a user id
        return None

    def has_role(self, role: object, organisation_id: int | None = None) -> bool:
        return False

    def role_in(self, organisation_id: int) -> None:
        return None


def start_guest_session(conversation_id: int, code: str, user_key: str) -> None:
    session.clear()
    session[SESSION_KEY] = {"conversation_id": conversation_id, "code": code, "key": user_key}
    session.permanent = True


def guest_from_session() -> GuestUser | None:
    """The guest for this request while their conversation still takes guests with their code."""
    data = session.get(SESSION_KEY)
    if not isinstance(data, dict):
        return None
    conversation_id, code, key = data.get("conversation_id"), data.get("code"), data.get("key")
    if not (isinstance(conversation_id, int) and isinstance(code, str) and isinstance(key, str) and key.startswith("guest:")):
        return None
    try:
        guest_conversation(conversation_id, code)
    except NotFound:
        session.pop(SESSION_KEY, None)
        return None
    return GuestUser(key, conversation_id)
