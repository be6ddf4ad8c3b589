"""Guest join codes: people at a live workshop take part without an account, in one conversation only.

A guest's identity is a random user key kept in their signed session cookie and never stored; their
posts get author tags from it exactly as a signed-in person's would.
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import Conversation, ConversationStatus
from app.services.common.errors import InvalidInput, NotAllowedNow, NotFound

# No 0/O, 1/I/L or 5/S lookalikes: codes are read off a projector and typed on phones.
ALPHABET = "ABCDEFGHJKMNPQRTUVWXYZ2346789"
CODE_LENGTH = 6


def new_guest_key() -> str:
    return "guest:" + secrets.token_hex(32)


def normalise_code(code: str | None) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def regenerate_join_code(conversation: Conversation) -> str:
    """Give the conversation a fresh unique code; guests who joined with the old one must join again."""
    if not conversation.allow_guests:
        raise NotAllowedNow("Let guests join this conversation before making a join code.")
    for _ in range(10):
        code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
        try:
            with db.session.begin_nested():
                conversation.join_code = code
                db.session.flush()
        except IntegrityError:
            continue
        db.session.commit()
        return code
    raise RuntimeError("Could not find an unused join code")  # 29^6 codes: practically unreachable


def conversation_for_code(code: str) -> Conversation:
    """The open conversation that takes guests with this code, or InvalidInput."""
    normalised = normalise_code(code)
    conversation = db.session.scalar(sa.select(Conversation).where(Conversation.join_code == normalised)) if normalised else None
    if conversation is None or not conversation.allow_guests:
        raise InvalidInput("That code is not right. Check the code on the screen and try again.", field="code")
    if conversation.status != ConversationStatus.OPEN:
        raise InvalidInput("That conversation is not open at the moment.", field="code")
    return conversation


def guest_conversation(conversation_id: int, code: str) -> Conversation:
    """The guest's conversation while it still takes guests with the code they joined with."""
    conversation = db.session.get(Conversation, conversation_id)
    if conversation is None or not conversation.allow_guests or conversation.join_code != code:
        raise NotFound()
    return conversation
