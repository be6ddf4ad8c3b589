"""Per-conversation pseudonym keys: create, open and destroy (crypto-shredding), wrapped under key epochs.

Every live conversation key is wrapped under the master key and the current key epoch, whose secret is kept
outside the database (app/key_store.py). Shredding starts a new epoch, re-wraps every other live key under it and
destroys the old epoch's secret, so no dump, WAL segment, heap page or backup taken earlier can open the shredded
key again, even with the master key (rule A6).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from app.crypto import Keyring, KeyError_
from app.extensions import db
from app.key_store import KeyStoreError
from app.models import Conversation, ConversationKey, ConversationStatus
from app.models.base import utcnow
from app.models.conversation import KeyEpoch
from app.services.common.errors import NotAllowedNow

ARCHIVED = "This conversation has been archived, so its posts can no longer be changed or linked to anyone."


def keyring() -> Keyring:
    """The process's keyring, set up by create_app from CHORUS_PSEUDONYM_KEY and CHORUS_KEY_DIR."""
    return current_app.extensions["chorus.keyring"]


def _context(conversation_id: int) -> bytes:
    return f"conversation:{conversation_id}".encode()


def _hour(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def _new_epoch(ring: Keyring) -> KeyEpoch:
    """Write a new epoch secret to the key directory (durably) and return its unsaved row."""
    if ring.store is None:
        raise KeyError_("No key directory is configured, so no key epoch can be created")
    try:
        epoch_id, _ = ring.store.add()
    except (KeyStoreError, OSError) as exc:
        raise NotAllowedNow(f"A new key epoch could not be written: {exc}") from exc
    ring.reload()
    return KeyEpoch(id=epoch_id, check=ring.epoch_check(epoch_id), master_fingerprint=ring.fingerprint)


def _current_epoch(for_update: bool) -> KeyEpoch:
    """The epoch new keys are wrapped under, locked so that a shredding cannot retire it until we commit.

    create_key takes a shared lock and shredding an exclusive one: a key is never wrapped under an epoch that a
    concurrent shredding is about to destroy. The first call on a new database creates the first epoch.
    """
    for _ in range(5):
        epoch = db.session.scalars(
            sa.select(KeyEpoch).where(KeyEpoch.is_current.is_(True)).with_for_update(read=not for_update)
        ).first()
        if epoch is not None:
            return epoch
        # None: a shredding replaced the epoch we waited for (the next SELECT sees the new one), or there is none yet.
        if db.session.scalar(sa.select(sa.exists().where(KeyEpoch.is_current.is_(True)))):
            continue
        ring = keyring()
        first = _new_epoch(ring)
        first.is_current = True
        try:
            with db.session.begin_nested():
                db.session.add(first)
        except sa.exc.IntegrityError:
            if ring.store is not None:  # always: _new_epoch stored it there
                ring.store.remove([first.id])  # another process made one first; ours was never stored
            continue
        return first
    raise NotAllowedNow("The keys are being changed. Try again in a moment.")


def create_key(conversation: Conversation) -> None:
    """Give a new (flushed) conversation its own random key, wrapped under the current epoch."""
    ring = keyring()
    epoch = _current_epoch(for_update=False)
    conversation.key = ConversationKey(
        wrapped=ring.new_wrapped_key(_context(conversation.id), epoch.id),
        master_fingerprint=ring.fingerprint, epoch_id=epoch.id,
    )


def conversation_key(conversation: Conversation) -> bytes:
    """The unwrapped key, or NotAllowedNow once it has been destroyed."""
    record = conversation.key
    if record is None:
        raise NotAllowedNow(ARCHIVED)
    held = record

    def reread() -> tuple[bytes | None, str | None]:
        db.session.refresh(held)
        return held.wrapped, held.epoch_id

    return _unwrap(conversation.id, record.wrapped, record.epoch_id, reread)


_STORED = sa.select(ConversationKey.wrapped, ConversationKey.epoch_id).where(
    ConversationKey.conversation_id == sa.bindparam("conversation_id"))


def stored_key(conversation_id: int, wrapped: bytes | None, epoch_id: str | None) -> bytes:
    """conversation_key for a key read as columns (wrapped, epoch) rather than as the ConversationKey object."""

    def reread() -> tuple[bytes | None, str | None]:
        row = db.session.connection().execute(_STORED, {"conversation_id": conversation_id}).first()
        return (row.wrapped, row.epoch_id) if row is not None else (None, None)

    return _unwrap(conversation_id, wrapped, epoch_id, reread)


def _unwrap(conversation_id: int, wrapped: bytes | None, epoch_id: str | None,
            reread: Callable[[], tuple[bytes | None, str | None]]) -> bytes:
    """Unwrap a stored key, or NotAllowedNow once destroyed. A shredding (perhaps on another host) may have
    re-wrapped it under a new epoch since it was read: then it is read again (reread) and unwrapped once more."""
    if wrapped is None:
        raise NotAllowedNow(ARCHIVED)
    try:
        return keyring().unwrap(wrapped, _context(conversation_id), epoch_id)
    except KeyError_:
        wrapped, epoch_id = reread()
        if wrapped is None:
            raise NotAllowedNow(ARCHIVED) from None
        return keyring().unwrap(wrapped, _context(conversation_id), epoch_id)


# How long a purpose key (rate limits) derived from a conversation key is used without reading the key's row again:
# a shredding on another host stops it at most this long after (this host forgets it at once).
PURPOSE_KEY_SECONDS = 60.0


def purpose_key(conversation_id: int, purpose: str) -> bytes | None:
    """A key for one purpose (rate-limit counters) derived from the conversation's key; None if there is no such
    conversation. NotAllowedNow once the key has been destroyed.

    Remembered in memory for PURPOSE_KEY_SECONDS, so a hot route does not read the conversation and its key on
    every request; nothing person-linked is kept (the person's part is mixed in by the caller each time).
    """
    ring = keyring()
    context = _context(conversation_id)
    key = ring.derived(context, purpose)
    if key is None:
        conversation = db.session.get(Conversation, conversation_id)
        if conversation is None:
            return None
        key = ring.derive(conversation_key(conversation), context, purpose, PURPOSE_KEY_SECONDS)
    return key


def shred_keys(conversations: list[Conversation], now: datetime | None = None) -> list[int]:
    """Destroy these conversations' keys for good: new epoch, re-wrap every other live key, destroy old epochs."""
    now = now or utcnow()
    ring = keyring()
    if ring.store is not None:
        try:
            ring.store.check_writable()
        except KeyStoreError as exc:
            raise NotAllowedNow(str(exc)) from exc
    old = _current_epoch(for_update=True)  # one shredding at a time; waits for conversations being created
    new = _new_epoch(ring)
    old.is_current = None
    db.session.flush()  # the unique constraint allows one current epoch
    new.is_current = True
    db.session.add(new)
    doomed = {c.id for c in conversations}
    records = db.session.scalars(
        sa.select(ConversationKey).where(ConversationKey.wrapped.is_not(None)).with_for_update()
    ).all()
    for record in records:
        context = _context(record.conversation_id)
        if record.conversation_id in doomed:
            record.wrapped = None
            record.destroyed_at = now
            ring.forget(context)
        elif record.wrapped is not None:  # always: selected where wrapped IS NOT NULL, and locked
            record.wrapped = ring.rewrap(record.wrapped, context, ring, record.epoch_id, new.id)
            record.epoch_id = new.id
            record.master_fingerprint = ring.fingerprint
    # Every older epoch (also one left by an interrupted shredding) now wraps nothing: retire them all.
    for epoch in db.session.scalars(sa.select(KeyEpoch).where(KeyEpoch.destroyed_hour.is_(None), KeyEpoch.id != new.id)):
        epoch.destroyed_hour = _hour(now)
        epoch.check = None
    db.session.commit()
    # Only after the commit: until then the old epoch still opens every live key. A crash here leaves the old
    # secret in the file, and the next call of destroy_retired_epochs (every scheduler tick) removes it.
    destroy_retired_epochs()
    return sorted(doomed)


def shred_key(conversation: Conversation, now: datetime | None = None) -> None:
    """Destroy one conversation's key so nothing in it can ever be linked to a person again."""
    if conversation.key is not None and conversation.key.wrapped is not None:
        shred_keys([conversation], now)


def destroy_retired_epochs() -> list[str]:
    """Remove from the key directory every epoch the database records as destroyed; returns their ids."""
    ring = keyring()
    if ring.store is None:
        return []
    present = ring.store.load()
    if not present:
        return []
    retired = list(db.session.scalars(
        sa.select(KeyEpoch.id).where(KeyEpoch.id.in_(list(present)), KeyEpoch.destroyed_hour.is_not(None))
    ))
    if retired:
        ring.store.remove(retired)
        ring.reload()
    return retired


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
    if due:
        return shred_keys(list(due), now)
    db.session.commit()
    destroy_retired_epochs()
    return []


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


def epoch_status() -> list[tuple[str, str, int]]:
    """Each key epoch the database knows: (id, "current" | "destroyed" | "retired", live keys wrapped under it)."""
    counts = dict(db.session.execute(
        sa.select(ConversationKey.epoch_id, sa.func.count())
        .where(ConversationKey.wrapped.is_not(None)).group_by(ConversationKey.epoch_id)
    ).all())
    rows = []
    for epoch in db.session.scalars(sa.select(KeyEpoch).order_by(KeyEpoch.destroyed_hour.is_(None), KeyEpoch.id)):
        state = "current" if epoch.is_current else ("destroyed" if epoch.destroyed_hour else "retired")
        rows.append((epoch.id, state, counts.get(epoch.id, 0)))
    if counts.get(None):
        rows.append(("(master key only)", "from before key epochs", counts[None]))
    return rows


def rotate_master_key(new_master: bytes) -> int:
    """Re-wrap every live conversation key (and epoch check) under a new master key, all or nothing; returns how many.

    Run with the current master key loaded; afterwards start every process with the new key.
    """
    old = keyring()
    new = Keyring(new_master, old.store)
    if new.fingerprint == old.fingerprint:
        raise NotAllowedNow("The new master key is the same as the current one.")
    records = db.session.scalars(sa.select(ConversationKey).where(ConversationKey.wrapped.is_not(None))).all()
    try:
        for record in records:
            if record.master_fingerprint == new.fingerprint or record.wrapped is None:
                continue  # already re-wrapped by an earlier, interrupted rotation (or shredded meanwhile)
            context = _context(record.conversation_id)
            record.wrapped = old.rewrap(record.wrapped, context, new, record.epoch_id, record.epoch_id)
            record.master_fingerprint = new.fingerprint
        for epoch in db.session.scalars(sa.select(KeyEpoch).where(KeyEpoch.destroyed_hour.is_(None))):
            if epoch.check is not None and not old.opens_check(epoch.id, epoch.check):
                raise KeyError_(f"the current master key does not open key epoch {epoch.id}")
            epoch.check = new.epoch_check(epoch.id)
            epoch.master_fingerprint = new.fingerprint
    except KeyError_ as exc:
        db.session.rollback()
        raise NotAllowedNow(f"Nothing was changed: {exc}.") from exc
    db.session.commit()
    return len(records)


def verify_keys() -> str | None:
    """Check the master key and key directory against what the database stores; a plain message when they differ."""
    ring = keyring()
    location = ring.store.location if ring.store is not None else "no key directory"
    for epoch in db.session.scalars(sa.select(KeyEpoch).where(KeyEpoch.destroyed_hour.is_(None))):
        if not ring.knows(epoch.id):
            return (f"Key epoch {epoch.id}, which the database uses, is not in the key directory ({location}). "
                    "Point CHORUS_KEY_DIR at the directory every Chorus host shares (see docs/operations.md, 'Key custody').")
        if epoch.check is not None and not ring.opens_check(epoch.id, epoch.check):
            return _wrong_master(ring, epoch.master_fingerprint)
    # One live key per epoch (and of the keys from before epochs) must open.
    live = ConversationKey.wrapped.is_not(None)
    epochs = db.session.scalars(sa.select(ConversationKey.epoch_id).where(live).distinct()).all()
    samples = [db.session.scalars(sa.select(ConversationKey).where(live, ConversationKey.epoch_id.is_(None) if e is None
                                  else ConversationKey.epoch_id == e).limit(1)).one() for e in epochs]
    for record in samples:
        if record.wrapped is None:
            continue  # shredded since it was sampled
        try:
            ring.unwrap(record.wrapped, _context(record.conversation_id), record.epoch_id)
        except KeyError_:
            return _wrong_master(ring, record.master_fingerprint)
    return None


def _wrong_master(ring: Keyring, stored: str) -> str:
    return (f"The master key (CHORUS_PSEUDONYM_KEY) does not open the stored conversation keys: this key's fingerprint "
            f"is {ring.fingerprint}, the stored keys were wrapped by {stored}. Start Chorus with the right key "
            "(see docs/operations.md, 'Key custody'); new conversations under a wrong key would be lost.")
