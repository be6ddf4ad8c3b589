"""The event-bus interface and its in-process implementation (the embedded default).

Like CTFd's utils/events: one interface, chosen by config. A bus only fans messages out to the
streams held by this process; the database log (app/live/store.py) is what makes delivery reliable.
"""

from __future__ import annotations

import json
import queue
import threading
from dataclasses import dataclass, field
from typing import Any

# A stream that cannot keep up is dropped and reconnects, replaying from the log, rather than
# letting its queue grow without bound.
QUEUE_LIMIT = 1000


@dataclass(frozen=True)
class LiveMessage:
    """One event of one conversation, as streams send it."""

    conversation_id: int
    id: int
    type: str
    data: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps({"c": self.conversation_id, "id": self.id, "type": self.type, "data": self.data})

    @classmethod
    def from_json(cls, raw: str | bytes) -> LiveMessage:
        value = json.loads(raw)
        return cls(int(value["c"]), int(value["id"]), str(value["type"]), dict(value["data"]))

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "type": self.type, "data": self.data}

    @property
    def sse(self) -> str:
        """The Server-Sent Events text, formatted once however many streams send it."""
        text = self.__dict__.get("_sse")
        if text is None:
            data = json.dumps(self.data, separators=(",", ":"))
            text = f"id: {self.id}\nevent: {self.type}\ndata: {data}\n\n"
            object.__setattr__(self, "_sse", text)
        return text


class Subscription:
    """A queue of messages for one stream; `overflowed` means messages were dropped."""

    def __init__(self, bus: EventBus, conversation_id: int) -> None:
        self.bus, self.conversation_id = bus, conversation_id
        self.queue: queue.Queue[LiveMessage] = queue.Queue(maxsize=QUEUE_LIMIT)
        self.overflowed = False

    def put(self, message: LiveMessage) -> None:
        try:
            self.queue.put_nowait(message)
        except queue.Full:
            self.overflowed = True

    def get(self, timeout: float) -> LiveMessage | None:
        try:
            return self.queue.get(timeout=timeout)
        except queue.Empty:
            return None

    def close(self) -> None:
        self.bus.unsubscribe(self)


class EventBus:
    """Fans published messages out to this process's subscriptions; subclasses carry them further."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscriptions: dict[int, set[Subscription]] = {}
        # The newest event id delivered here per conversation, and a counter bumped whenever delivery
        # may have missed something (a lost Redis connection): streams compare both at each heartbeat
        # and read the log only when they may be behind.
        self.latest: dict[int, int] = {}
        self.generation = 0

    def subscribe(self, conversation_id: int) -> Subscription:
        subscription = Subscription(self, conversation_id)
        with self._lock:
            self._subscriptions.setdefault(conversation_id, set()).add(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        with self._lock:
            subscribers = self._subscriptions.get(subscription.conversation_id)
            if subscribers is not None:
                subscribers.discard(subscription)
                if not subscribers:
                    del self._subscriptions[subscription.conversation_id]

    def subscriber_count(self, conversation_id: int | None = None) -> int:
        with self._lock:
            if conversation_id is not None:
                return len(self._subscriptions.get(conversation_id, ()))
            return sum(len(s) for s in self._subscriptions.values())

    def deliver(self, message: LiveMessage) -> None:
        """Hand a message to every local stream of its conversation."""
        with self._lock:
            if message.id > self.latest.get(message.conversation_id, 0):
                self.latest[message.conversation_id] = message.id
            subscribers = list(self._subscriptions.get(message.conversation_id, ()))
        for subscription in subscribers:
            subscription.put(message)

    def publish(self, message: LiveMessage) -> None:
        raise NotImplementedError

    def connected(self) -> bool:
        """Whether other processes' events reach this one; streams poll the event table while they do not."""
        return True


class InProcessBus(EventBus):
    """Delivers within this process only: right for one worker (the embedded default and tests)."""

    def publish(self, message: LiveMessage) -> None:
        self.deliver(message)
