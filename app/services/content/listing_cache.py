"""Orders and totals of a question's idea list, kept per conversation until its next live event.

Sorting by support or comments counts every idea of the question, and the total counts them all: work that grows
with the conversation, done again by every reader of the same page. Every change that moves an idea in a list
(a post, vote, comment, withdrawal, moderation, batch release, counts shown or hidden) records a live event, which
raises the conversation's `live_seq`; the page's access check has already read that row, so the cache key costs no
statement and a new event makes every older entry unreachable.

What is kept is what every reader of the page sees alike: idea ids in order and a count, per conversation, never
per person (no key or value names who read, wrote or voted: rules A2, A3; the fair random order, which is per
person, is never kept). It lives in the worker's memory only (no Redis key, no row, no time), bounded in size.
A paper-note import records one `ideas_added` event for all its notes. A change that recorded no event would
show once an event follows, or after REUSES readings.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from app.services.common.worker_memory import per_app

CONVERSATIONS = 64  # conversations kept per worker (least recently read dropped first)
ENTRIES = 256  # pages and totals kept per conversation
REUSES = 200  # readings an entry serves before it is computed again, even with no event since

T = TypeVar("T")


@dataclass
class _Conversation:
    seq: int
    entries: OrderedDict[Hashable, list] = field(default_factory=OrderedDict)  # key -> [value, readings left]


class ListingCache:
    """One app's cache (each app its own, so tests' fresh databases never see another app's entries)."""

    def __init__(self, conversations: int = CONVERSATIONS, entries: int = ENTRIES) -> None:
        self._cache: OrderedDict[int, _Conversation] = OrderedDict()
        self._lock = threading.Lock()
        self._conversations, self._entries = conversations, entries

    def cached(self, conversation_id: int, seq: int, key: Hashable, compute: Callable[[], T]) -> T:
        """The value kept for this conversation at event number `seq`, or compute() kept in its place."""
        return self.cached_many(conversation_id, seq, [key], lambda _: {key: compute()})[key]

    def cached_many(self, conversation_id: int, seq: int, keys: list[Hashable],
                    compute: Callable[[list[Hashable]], dict[Hashable, T]]) -> dict[Hashable, T]:
        """The values kept for these keys at event number `seq`; compute(missing keys), in one go, for the rest.
        A key compute() leaves out (an idea no longer listed) is left out of the answer and not kept."""
        found: dict[Hashable, T] = {}
        with self._lock:
            kept = self._cache.get(conversation_id)
            if kept is not None and kept.seq == seq:
                self._cache.move_to_end(conversation_id)
                for key in keys:
                    entry = kept.entries.get(key)
                    if entry is not None and entry[1] > 0:
                        entry[1] -= 1
                        kept.entries.move_to_end(key)
                        found[key] = entry[0]
        missing = [key for key in keys if key not in found]
        if missing:
            fresh = compute(missing)  # outside the lock: other readers are not held up by one page's query
            self._keep(conversation_id, seq, fresh)
            found.update(fresh)
        return found

    def _keep(self, conversation_id: int, seq: int, values: Mapping[Hashable, object]) -> None:
        with self._lock:
            found = self._cache.get(conversation_id)
            if found is None or found.seq < seq:
                found = self._cache[conversation_id] = _Conversation(seq)
            if found.seq == seq:
                for key, value in values.items():
                    found.entries[key] = [value, REUSES]
                    found.entries.move_to_end(key)
                while len(found.entries) > self._entries:
                    found.entries.popitem(last=False)
            self._cache.move_to_end(conversation_id)
            while len(self._cache) > self._conversations:
                self._cache.popitem(last=False)

    def clear(self) -> None:
        """Forget everything (a test that rewrote tables behind the services' back)."""
        with self._lock:
            self._cache.clear()


def listing_cache() -> ListingCache:
    """The current app's cache, made on first use."""
    return per_app("listing_cache", ListingCache)


def cached(conversation_id: int, seq: int, key: Hashable, compute: Callable[[], T]) -> T:
    """The current app's value for this conversation at event number `seq`, or compute() kept in its place."""
    return listing_cache().cached(conversation_id, seq, key, compute)
