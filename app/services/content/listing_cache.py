"""Orders and totals of a question's idea list, kept per conversation until its next live event.

Sorting by support or comments counts every idea of the question, and the total counts them all: work that grows
with the conversation, done again by every reader of the same page. Every change that moves an idea in a list
(a post, vote, comment, withdrawal, moderation, batch release, counts shown or hidden) records a live event, which
raises the conversation's `live_seq`; the page's access check has already read that row, so the cache key costs no
statement and a new event makes every older entry unreachable.

What is kept is what every reader of the page sees alike: idea ids in order and a count, per conversation, never
per person (no key or value names who read, wrote or voted: rules A2, A3; the fair random order, which is per
person, is never kept). It lives in the worker's memory only (no Redis key, no row, no time), bounded in size.
A paper-note import records one `ideas_added` event for all its notes.

REUSES is the safety net for a change that records no event: where one can happen (a conversation that has stopped
taking posts, whose authors may still withdraw in the grace period without an event; an Ideas Lab's stage moves),
an entry serves REUSES readings and is then computed again. Where every change records an event (content/cards.py,
`keeps_cards`), callers pass until_event=True and an entry lives until the next event: counting readings there only
recomputed the same answer. A reader who finds a kept id no longer published (a withdrawal or hiding that recorded
no event) forgets the conversation's entries at once (`forget`), whatever the count.

With `carry`, an entry whose key names everything its value is made from (rendered card parts, keyed by what the
card shows) is carried into the next event's entries when read again, instead of computed again; entries not read
since the event before are dropped, so nothing outlives two events unread.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from app.services.common.worker_memory import per_app

CONVERSATIONS = 64  # conversations kept per worker (least recently read dropped first)
ENTRIES = 256  # pages and totals kept per conversation
REUSES = 200  # readings an entry serves before it is computed again, even with no event since
# How long a reader waits for another reader of the same worker already computing the same value (see `cached`)
# before computing it itself: far past any real query, so only a stuck one is given up on.
FLIGHT_WAIT = 30.0

T = TypeVar("T")


@dataclass
class _Flight:
    """A value being computed by one reader; the others of the same worker wait for it instead of computing it too."""
    done: threading.Event = field(default_factory=threading.Event)
    waiting: int = 0  # readers waiting for it (what a test can see; nothing reads it to decide)


@dataclass
class _Conversation:
    seq: int
    entries: OrderedDict[Hashable, list] = field(default_factory=OrderedDict)  # key -> [value, readings left]
    previous: dict[Hashable, list] = field(default_factory=dict)  # with carry: the last event's entries not read since


class ListingCache:
    """One app's cache (each app its own, so tests' fresh databases never see another app's entries)."""

    def __init__(self, conversations: int = CONVERSATIONS, entries: int = ENTRIES, carry: bool = False) -> None:
        self._cache: OrderedDict[int, _Conversation] = OrderedDict()
        self._lock = threading.Lock()
        self._conversations, self._entries, self._carry = conversations, entries, carry
        self._flights: dict[tuple[int, int, Hashable], _Flight] = {}

    def cached(self, conversation_id: int, seq: int, key: Hashable, compute: Callable[[], T],
               until_event: bool = False) -> T:
        """The value kept for this conversation at event number `seq`, or compute() kept in its place.

        Computed once per worker, not once per reader: after an event every reader of a busy page misses at the
        same moment, and each used to run the same whole-question statement (a worker's 25 readers, 25 copies of
        it, on every vote). The first reader computes; the others wait for it (an Event, so under gevent they
        yield) and take what it kept. If it fails or is stuck past FLIGHT_WAIT, they compute it themselves."""
        reuses = None if until_event else REUSES
        flight = (conversation_id, seq, key)
        with self._lock:
            found = self._found(conversation_id, seq, [key], reuses)
            if key in found:
                return found[key]
            leading = self._flights.get(flight)
            if leading is None:
                self._flights[flight] = mine = _Flight()
            else:
                leading.waiting += 1
        if leading is not None:
            leading.done.wait(FLIGHT_WAIT)
            with self._lock:
                leading.waiting -= 1
                found = self._found(conversation_id, seq, [key], reuses)
            if key in found:
                return found[key]
            value = compute()  # the first reader failed (or its value is already used up): no second wait
            self._keep(conversation_id, seq, {key: value}, reuses)
            return value
        try:
            value = compute()
            self._keep(conversation_id, seq, {key: value}, reuses)
        finally:
            with self._lock:
                self._flights.pop(flight, None)
            mine.done.set()
        return value

    def cached_many(self, conversation_id: int, seq: int, keys: list[Hashable],
                    compute: Callable[[list[Hashable]], dict[Hashable, T]],
                    until_event: bool = False) -> dict[Hashable, T]:
        """The values kept for these keys at event number `seq`; compute(missing keys), in one go, for the rest.
        A key compute() leaves out (an idea no longer listed) is left out of the answer and not kept. A value is
        served REUSES times before it is computed again, or with `until_event` until the next event (see the
        module's rules)."""
        reuses = None if until_event else REUSES
        with self._lock:
            found: dict[Hashable, T] = self._found(conversation_id, seq, keys, reuses)
        missing = [key for key in keys if key not in found]
        if missing:
            fresh = compute(missing)  # outside the lock: other readers are not held up by one page's query
            self._keep(conversation_id, seq, fresh, reuses)
            found.update(fresh)
        return found

    def _found(self, conversation_id: int, seq: int, keys: list[Hashable], reuses: int | None) -> dict[Hashable, Any]:
        """The kept values of these keys at `seq`, each reading counted (call with the lock held)."""
        found: dict[Hashable, Any] = {}
        kept = self._cache.get(conversation_id)
        if kept is not None and kept.seq < seq and self._carry:
            kept = self._cache[conversation_id] = _Conversation(seq, previous=kept.entries)
        if kept is not None and kept.seq == seq:
            self._cache.move_to_end(conversation_id)
            for key in keys:
                entry = kept.entries.get(key)
                if entry is None and kept.previous:
                    entry = kept.previous.pop(key, None)
                    if entry is not None:  # carried: its key names all it is made from
                        kept.entries[key] = entry = [entry[0], reuses]
                if entry is not None and (entry[1] is None or entry[1] > 0):
                    if entry[1] is not None:
                        entry[1] -= 1
                    kept.entries.move_to_end(key)
                    found[key] = entry[0]
            while len(kept.entries) > self._entries:
                kept.entries.popitem(last=False)
        return found

    def forget(self, conversation_id: int) -> None:
        """Drop what is kept for a conversation (a reader found it out of date: see the module's rules)."""
        with self._lock:
            self._cache.pop(conversation_id, None)

    def _keep(self, conversation_id: int, seq: int, values: Mapping[Hashable, object], reuses: int | None) -> None:
        with self._lock:
            found = self._cache.get(conversation_id)
            if found is None or found.seq < seq:
                previous = found.entries if found is not None and self._carry else {}
                found = self._cache[conversation_id] = _Conversation(seq, previous=previous)
            if found.seq == seq:
                for key, value in values.items():
                    found.entries[key] = [value, reuses]
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


def cached(conversation_id: int, seq: int, key: Hashable, compute: Callable[[], T], until_event: bool = False) -> T:
    """The current app's value for this conversation at event number `seq`, or compute() kept in its place."""
    return listing_cache().cached(conversation_id, seq, key, compute, until_event)
