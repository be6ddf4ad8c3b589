"""Pseudonym keys: the master key, key epochs, per-conversation keys wrapped by both, and HMAC tags.

Nothing in this module touches the database; services store the wrapped bytes it returns.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Protocol

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MIN_MASTER_KEY_BYTES = 32
DERIVED_MAX = 10_000  # purpose keys kept per process (one per live conversation and purpose)
_NONCE_BYTES = 12


class KeyError_(RuntimeError):
    """The master key is missing, too short, or a wrapped key cannot be opened."""


def _derive(master: bytes, purpose: bytes, salt: bytes = b"chorus-v1") -> bytes:
    return HKDF(algorithm=SHA256(), length=32, salt=salt, info=purpose).derive(master)


class EpochSource(Protocol):
    """Where key epochs live (outside the database): see app/key_store.py."""

    location: str

    def load(self) -> dict[str, bytes]: ...

    def add(self) -> tuple[str, bytes]: ...

    def remove(self, epochs: Iterable[str]) -> None: ...

    def check_writable(self) -> None: ...


class Keyring:
    """Holds the master key and the key epochs in memory, and wraps/unwraps per-conversation keys with AES-GCM.

    A conversation key is wrapped under a key derived from the master key AND a random epoch secret kept outside
    the database, so destroying the epoch secret makes every stored copy of the wrapped key useless (rule A6).
    Keys stored before epochs existed (`epoch=None`) are wrapped under the master key alone.
    """

    def __init__(self, master: bytes, store: EpochSource | None = None) -> None:
        if len(master) < MIN_MASTER_KEY_BYTES:
            raise KeyError_(f"CHORUS_PSEUDONYM_KEY must be at least {MIN_MASTER_KEY_BYTES} bytes")
        self._master = master
        self.store = store
        self._legacy = AESGCM(_derive(master, b"conversation-key-wrap"))
        self._fingerprint = hashlib.sha256(_derive(master, b"fingerprint")).hexdigest()[:16]
        self._epochs: dict[str, AESGCM] = {}
        self._cache: dict[bytes, bytes] = {}
        # Purpose keys derived from conversation keys, each with the monotonic time it may be used until.
        self._derived: dict[bytes, tuple[float, bytes]] = {}
        self._lock = threading.Lock()

    @property
    def fingerprint(self) -> str:
        """A short public identifier of the master key, safe to show and store."""
        return self._fingerprint

    def reload(self) -> None:
        """Read the epochs again, forgetting destroyed ones and every cached conversation key."""
        secrets_ = self.store.load() if self.store is not None else {}
        epochs = {
            epoch: AESGCM(_derive(self._master, b"conversation-key-wrap:" + epoch.encode(), salt=secret))
            for epoch, secret in secrets_.items()
        }
        with self._lock:
            self._epochs = epochs
            self._cache.clear()
            self._derived.clear()

    def purpose_key(self, purpose: str) -> bytes:
        """A key for one purpose (e.g. sign-in rate limits), derived from the master key and useless for any other."""
        return _derive(self._master, b"purpose:" + purpose.encode())

    def knows(self, epoch: str) -> bool:
        """True when this process can read the epoch's secret (reading the key directory again if needed)."""
        if epoch not in self._epochs:
            self.reload()
        return epoch in self._epochs

    def _aead(self, epoch: str | None) -> AESGCM:
        if epoch is None:
            return self._legacy
        if not self.knows(epoch):
            where = self.store.location if self.store is not None else "no key directory"
            raise KeyError_(f"Key epoch {epoch} is not in the key directory ({where}): it was destroyed, or this "
                            "host does not share the key directory (CHORUS_KEY_DIR) with the others")
        return self._epochs[epoch]

    def new_wrapped_key(self, context: bytes, epoch: str | None) -> bytes:
        """Create a random conversation key and return it wrapped; `context` binds it to its row."""
        return self._seal(secrets.token_bytes(32), context, epoch)

    def _seal(self, key: bytes, context: bytes, epoch: str | None) -> bytes:
        nonce = os.urandom(_NONCE_BYTES)
        return nonce + self._aead(epoch).encrypt(nonce, key, context)

    def unwrap(self, wrapped: bytes, context: bytes, epoch: str | None = None) -> bytes:
        """Open a wrapped conversation key (cached per process; the cache is dropped on shred and reload)."""
        cache_key = context + b"|" + wrapped
        key = self._cache.get(cache_key)
        if key is None:
            aead = self._aead(epoch)
            try:
                key = aead.decrypt(wrapped[:_NONCE_BYTES], wrapped[_NONCE_BYTES:], context)
            except Exception as exc:  # cryptography raises InvalidTag
                raise KeyError_("A conversation key could not be opened with this master key") from exc
            self._cache[cache_key] = key
        return key

    def rewrap(self, wrapped: bytes, context: bytes, new: Keyring, epoch: str | None = None,
               new_epoch: str | None = None) -> bytes:
        """Open a wrapped key here and wrap the same key under `new` and `new_epoch` (rotation and shredding)."""
        return new._seal(self.unwrap(wrapped, context, epoch), context, new_epoch)

    def epoch_check(self, epoch: str) -> bytes:
        """A value stored with an epoch that only this master key and this epoch secret can open (start-up check)."""
        return self._seal(b"", b"epoch-check:" + epoch.encode(), epoch)

    def opens_check(self, epoch: str, check: bytes) -> bool:
        """True when `check` was made by epoch_check with this master key and this epoch's secret."""
        try:
            self.unwrap(check, b"epoch-check:" + epoch.encode(), epoch)
        except KeyError_:
            return False
        return True

    def forget(self, context: bytes) -> None:
        """Drop any cached key for a conversation, and keys derived from it (used when its key is destroyed)."""
        with self._lock:
            for cache_key in [k for k in self._cache if k.startswith(context + b"|")]:
                del self._cache[cache_key]
            for cache_key in [k for k in self._derived if k.startswith(context + b"|")]:
                del self._derived[cache_key]

    def derive(self, conversation_key: bytes, context: bytes, purpose: str, seconds: float) -> bytes:
        """A key for one purpose derived from an opened conversation key, remembered for `seconds`.

        It opens nothing else (no pseudonym, no author tag), and `derived` finds it again without the database.
        """
        key = hmac.new(conversation_key, b"derived:" + purpose.encode(), hashlib.sha256).digest()
        with self._lock:
            if len(self._derived) >= DERIVED_MAX:  # a bound, not an eviction policy: the next misses refill it
                self._derived.clear()
            self._derived[context + b"|" + purpose.encode()] = (time.monotonic() + seconds, key)
        return key

    def derived(self, context: bytes, purpose: str) -> bytes | None:
        """The purpose key `derive` made for this conversation, if it has not run out (or been forgotten)."""
        entry = self._derived.get(context + b"|" + purpose.encode())
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[1]


def tag(conversation_key: bytes, purpose: str, *parts: bytes | str) -> str:
    """HMAC-SHA256 over length-prefixed parts, hex encoded; purposes keep tags of different kinds unrelated."""
    mac = hmac.new(conversation_key, digestmod=hashlib.sha256)
    for part in (purpose, *parts):
        raw = part.encode() if isinstance(part, str) else part
        mac.update(len(raw).to_bytes(4, "big") + raw)
    return mac.hexdigest()


def voter_pseudonym(conversation_key: bytes, user_key: str) -> str:
    """One pseudonym per person per conversation, for votes only."""
    return tag(conversation_key, "vote", user_key)


def author_tag(conversation_key: bytes, user_key: str, nonce: str) -> str:
    """A per-item author tag: unlinkable between items without the conversation key."""
    return tag(conversation_key, "author", user_key, nonce)


def _tagger(conversation_key: bytes, purpose: str, user_key: str) -> Callable[[str], str]:
    """tag(key, purpose, user_key, last) for many values of `last`, with the common prefix hashed once."""
    prefix = hmac.new(conversation_key, digestmod=hashlib.sha256)
    for part in (purpose, user_key):
        raw = part.encode()
        prefix.update(len(raw).to_bytes(4, "big") + raw)

    def tag_for(last: str) -> str:
        mac = prefix.copy()
        raw = last.encode()
        mac.update(len(raw).to_bytes(4, "big") + raw)
        return mac.hexdigest()

    return tag_for


def author_tagger(conversation_key: bytes, user_key: str) -> Callable[[str], str]:
    """author_tag for one person with the key and their user key hashed once, for checking many items quickly."""
    return _tagger(conversation_key, "author", user_key)


def author_slots(conversation_key: bytes, user_key: str, kind: str) -> Callable[[int], str]:
    """The tag of a person's n-th idea or comment (kind) in a conversation: slot 0, 1, 2... in the order posted.

    An item stores the tag of the first slot free when it was written, so a person's items are found by computing
    their own few slot tags and looking them up (an index probe each), never by testing every item's author tag.
    Like author tags, slot tags are HMACs under the conversation key with their own purpose: without the key,
    two slot tags of one person look as unrelated as any two items' tags.
    """
    tag_for = _tagger(conversation_key, f"author-slot:{kind}", user_key)
    return lambda n: tag_for(str(n))


def new_nonce(conversation_key: bytes, client_token: str | None = None) -> str:
    """A nonce for an author tag; a repeated idempotency token gives the same nonce, so a double submit collides.

    Keyed by the conversation so a client that reuses tokens is not linkable across conversations.
    """
    if client_token:
        return tag(conversation_key, "submission", client_token)[:32]
    return secrets.token_hex(16)


@lru_cache(maxsize=8)
def keyring_for(master: bytes) -> Keyring:
    """One Keyring per master key per process."""
    return Keyring(master)


def hash_token(token: str) -> str:
    """Hash an API token for storage; tokens are high-entropy so a plain SHA-256 suffices."""
    return hashlib.sha256(token.encode()).hexdigest()
