"""Pseudonym keys: the master key from the environment, per-conversation keys wrapped by it, and HMAC tags.

Nothing in this module touches the database; services store the wrapped bytes it returns.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MIN_MASTER_KEY_BYTES = 32
_NONCE_BYTES = 12


class KeyError_(RuntimeError):
    """The master key is missing, too short, or a wrapped key cannot be opened."""


def _derive(master: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=SHA256(), length=32, salt=b"chorus-v1", info=purpose).derive(master)


class Keyring:
    """Holds the master key in memory and wraps/unwraps per-conversation keys with AES-GCM."""

    def __init__(self, master: bytes) -> None:
        if len(master) < MIN_MASTER_KEY_BYTES:
            raise KeyError_(f"CHORUS_PSEUDONYM_KEY must be at least {MIN_MASTER_KEY_BYTES} bytes")
        self._wrap = AESGCM(_derive(master, b"conversation-key-wrap"))
        self._fingerprint = hashlib.sha256(_derive(master, b"fingerprint")).hexdigest()[:16]
        self._cache: dict[bytes, bytes] = {}

    @property
    def fingerprint(self) -> str:
        """A short public identifier of the master key, safe to show and store."""
        return self._fingerprint

    def new_wrapped_key(self, context: bytes) -> bytes:
        """Create a random conversation key and return it wrapped; `context` binds it to its row."""
        key = secrets.token_bytes(32)
        nonce = os.urandom(_NONCE_BYTES)
        return nonce + self._wrap.encrypt(nonce, key, context)

    def unwrap(self, wrapped: bytes, context: bytes) -> bytes:
        """Open a wrapped conversation key (cached per process; the cache is dropped on shred)."""
        cache_key = context + b"|" + wrapped
        key = self._cache.get(cache_key)
        if key is None:
            try:
                key = self._wrap.decrypt(wrapped[:_NONCE_BYTES], wrapped[_NONCE_BYTES:], context)
            except Exception as exc:  # cryptography raises InvalidTag
                raise KeyError_("A conversation key could not be opened with this master key") from exc
            self._cache[cache_key] = key
        return key

    def rewrap(self, wrapped: bytes, context: bytes, new: Keyring) -> bytes:
        """Open a wrapped key with this master key and wrap the same key under `new` (key rotation)."""
        key = self.unwrap(wrapped, context)
        nonce = os.urandom(_NONCE_BYTES)
        return nonce + new._wrap.encrypt(nonce, key, context)

    def forget(self, context: bytes) -> None:
        """Drop any cached key for a conversation (used when its key is destroyed)."""
        for cache_key in [k for k in self._cache if k.startswith(context + b"|")]:
            del self._cache[cache_key]


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
