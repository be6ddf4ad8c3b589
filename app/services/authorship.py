"""Writing and recognising anonymous content: author tags, idempotent inserts and ownership checks."""

from __future__ import annotations

from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.crypto import author_tag, new_nonce
from app.extensions import db
from app.models import Comment, Conversation, Idea
from app.services.errors import NotFound
from app.services.keys import conversation_key
from app.services.participants import Participant

Content = TypeVar("Content", Idea, Comment)


def stamp(item: Content, conversation: Conversation, participant: Participant, client_token: str | None) -> None:
    """Give a new item its nonce and author tag (and a name only in named-mode conversations)."""
    key = conversation_key(conversation)
    item.nonce = new_nonce(key, client_token)
    item.author_tag = author_tag(key, participant.user_key, item.nonce)
    item.author_name = (participant.display_name or "A colleague") if conversation.named_mode else None


def insert_once(item: Content) -> tuple[Content, bool]:
    """Insert, or return the row a repeated submission already made (same author tag), atomically."""
    try:
        with db.session.begin_nested():
            db.session.add(item)
    except IntegrityError:
        existing = db.session.scalar(sa.select(type(item)).where(type(item).author_tag == item.author_tag))
        if existing is None:
            raise
        return existing, False
    return item, True


def is_author(participant: Participant, key: bytes, item: Idea | Comment) -> bool:
    """Recompute the item's author tag for this person."""
    return author_tag(key, participant.user_key, item.nonce) == item.author_tag


def require_author(participant: Participant, item: Content | None) -> Content:
    """The item if this person wrote it; otherwise NotFound, so nobody learns whether it exists."""
    if item is None:
        raise NotFound()
    conversation = db.session.get(Conversation, item.conversation_id)
    if conversation is None or not is_author(participant, conversation_key(conversation), item):
        raise NotFound()
    return item
