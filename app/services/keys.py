"""Per-conversation pseudonym keys: create, open and destroy (crypto-shredding)."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from app.crypto import Keyring, KeyError_
from app.extensions import db
from app.models import Conversation, ConversationKey, ConversationStatus
from app.models.base import utcnow
from app.services.errors import NotAllowedNow


def keyring() -> Keyring:
    """The process's keyring, set up by create_app from CHORUS_PSEUDONYM_KEY."""
    return current_app.extensions["chorus.keyring"]


def _context(conversation_id: int) -> bytes:
    return f"conversation:{conversation_id}".encode()


def create_key(conversation: Conversation) -> None:
    """Give a new (flushed) conversation its own wrapped random key."""
    ring = keyring()
    conversation.key = ConversationKey(
        wrapped=ring.new_wrapped_key(_context(conversation.id)), master_fingerprint=ring.fingerprint
    )


def conversation_key(conversation: Conversation) -> bytes:
    """The unwrapped key, or NotAllowedNow once it has been destroyed."""
    record = conversation.key
    if record is None or record.wrapped is None:
        raise NotAllowedNow("This conversation has been archived, so its posts can no longer be changed or linked to anyone.")
    return keyring().unwrap(record.wrapped, _context(conversation.id))


def shred_key(conversation: Conversation, now: datetime | None = None) -> None:
    """Destroy a conversation's key so nothing in it can ever be linked to a person again."""
    if conversation.key is not None and conversation.key.wrapped is not None:
        conversation.key.wrapped = None
        conversation.key.destroyed_at = now or utcnow()
    keyring().forget(_context(conversation.id))


def shred_expired_keys(now: datetime | None = None) -> list[int]:
    """Destroy keys of conversations closed longer ago than the grace period; returns their ids."""
    now = now or utcnow()
    cutoff = now - timedelta(days=current_app.config["CHORUS_SHRED_GRACE_DAYS"])
    due = db.session.scalars(
        sa.select(Conversation)
        .join(ConversationKey)
        .where(
            Conversation.status == ConversationStatus.CLOSED,
            Conversation.closed_at <= cutoff,
            ConversationKey.wrapped.is_not(None),
        )
    ).all()
    for conversation in due:
        shred_key(conversation, now)
    db.session.commit()
    return [c.id for c in due]


def key_status() -> dict[str, int]:
    """How many conversation keys are live under each master-key fingerprint, and how many are destroyed."""
    rows = db.session.execute(
        sa.select(ConversationKey.master_fingerprint, ConversationKey.wrapped.is_(None), sa.func.count())
        .group_by(ConversationKey.master_fingerprint, ConversationKey.wrapped.is_(None))
    ).all()
    status: dict[str, int] = {}
    for fingerprint, destroyed, count in rows:
        name = "destroyed" if destroyed else fingerprint
        status[name] = status.get(name, 0) + count
    return status


def rotate_master_key(new_master: bytes) -> int:
    """Re-wrap every live conversation key under a new master key, all or nothing; returns how many.

    Run with the current master key loaded; afterwards start every process with the new key.
    """
    old = keyring()
    new = Keyring(new_master)
    if new.fingerprint == old.fingerprint:
        raise NotAllowedNow("The new master key is the same as the current one.")
    records = db.session.scalars(sa.select(ConversationKey).where(ConversationKey.wrapped.is_not(None))).all()
    try:
        for record in records:
            if record.master_fingerprint == new.fingerprint:
                continue  # already re-wrapped by an earlier, interrupted rotation
            context = _context(record.conversation_id)
            record.wrapped = old.rewrap(record.wrapped, context, new)  # type: ignore[arg-type]
            record.master_fingerprint = new.fingerprint
    except KeyError_ as exc:
        db.session.rollback()
        raise NotAllowedNow(f"Nothing was changed: {exc}.") from exc
    db.session.commit()
    return len(records)
