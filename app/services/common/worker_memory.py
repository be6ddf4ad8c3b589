"""Values a worker keeps in memory between requests, one per conversation, owned by the app that made them.

Each app has its own store (in `app.extensions`), so a second app in the same process (a test's fresh database, a
restored database served by a new app) never reads what another kept for a conversation with the same id.
Bounded: the least recently read conversation is dropped first. Nothing here names a person (rules A2, A3).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

from flask import current_app
from flask.globals import _cv_app

S = TypeVar("S")


class LatestPerConversation:
    """The latest value kept for each conversation, with the version (event number, count...) it was made at."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._kept: OrderedDict[int, tuple[Any, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, conversation_id: int) -> tuple[Any, Any] | None:
        """(version, value) kept for the conversation, or None."""
        with self._lock:
            found = self._kept.get(conversation_id)
            if found is not None:
                self._kept.move_to_end(conversation_id)
            return found

    def put(self, conversation_id: int, version: Any, value: Any) -> None:
        """Keep value in place of whatever the conversation had."""
        with self._lock:
            self._kept[conversation_id] = (version, value)
            self._kept.move_to_end(conversation_id)
            while len(self._kept) > self._size:
                self._kept.popitem(last=False)


class KeptValues:
    """Values kept by key (rendered shells, built URLs...), the least recently read dropped past `size`; a missing
    value is built outside the lock, so one slow build never holds up other readers."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._kept: OrderedDict[Any, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Any, build: Callable[[], S]) -> S:
        with self._lock:
            found = self._kept.get(key)
            if found is not None:
                self._kept.move_to_end(key)
                return found
        value = build()
        with self._lock:
            self._kept[key] = value
            while len(self._kept) > self._size:
                self._kept.popitem(last=False)
        return value


def per_app(name: str, make: Callable[[], S]) -> S:
    """The current app's store called name, made by make() on first use (not on every call: this is on every
    page's path, some 35 times a question page: the app context is read directly, not through current_app)."""
    key = f"chorus.{name}"
    ctx = _cv_app.get(None)
    extensions = ctx.app.extensions if ctx is not None else current_app.extensions  # (the proxy's own error)
    store = extensions.get(key)
    if store is None:
        store = extensions.setdefault(key, make())
    return store


def latest_per_conversation(name: str, size: int) -> LatestPerConversation:
    """The current app's store called name, made on first use."""
    return per_app(name, lambda: LatestPerConversation(size))
