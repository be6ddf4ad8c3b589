"""The Server-Sent Events stream of one conversation: replay, live messages, heartbeats.

The generator needs no Flask context and no database session: it reads the log through short
connections of its own, so a long-lived stream never holds a transaction or a pooled connection.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

from sqlalchemy.engine import Engine

from app.live.bus import EventBus, LiveMessage
from app.live.store import replay
from app.models.base import utcnow


def format_event(message: LiveMessage) -> str:
    return message.sse


def _reset(last: int) -> str:
    """Tells the browser that events were forgotten (closed or past retention): reload the state."""
    return f"id: {last}\nevent: reset\ndata: {{}}\n\n"


def _heartbeat() -> str:
    # A comment line keeps proxies from closing the stream; the clock lets timers stay in step.
    return f": {utcnow().isoformat(timespec='seconds')}Z\nevent: clock\ndata: {json.dumps({'now': utcnow().isoformat() + 'Z'})}\n\n"


def stream(bus: EventBus, engine: Engine, conversation_id: int, after: int, *, heartbeat: float = 15.0,
           max_seconds: float = 1800.0, poll: float = 2.0) -> Iterator[str]:
    """Yield SSE text: events after `after`, then live ones; ends after max_seconds (the browser reconnects).

    While the bus is disconnected (Redis away) events from other processes do not arrive, so the stream reads
    the event table every `poll` seconds instead: live boards keep moving through a Redis outage.
    """
    subscription = bus.subscribe(conversation_id)  # before replaying, so nothing falls between the two
    generation = bus.generation
    last = after
    deadline = time.monotonic() + max_seconds

    def catch_up() -> Iterator[str]:
        nonlocal last
        messages, complete = replay(engine, conversation_id, last)
        if not complete:
            last = messages[-1].id if messages else _current(engine, conversation_id, last)
            yield _reset(last)
            return
        for message in messages:
            last = message.id
            yield format_event(message)

    try:
        yield "retry: 2000\n\n"
        yield from catch_up()
        next_beat = time.monotonic() + heartbeat
        while time.monotonic() < deadline:
            connected = bus.connected()
            message = subscription.get(timeout=heartbeat if connected else min(poll, heartbeat))
            if subscription.overflowed:
                subscription.overflowed = False
                yield from catch_up()
                continue
            if message is None:
                if not connected or bus.generation != generation or bus.latest.get(conversation_id, 0) > last:
                    generation = bus.generation
                    yield from catch_up()
                if connected or time.monotonic() >= next_beat:
                    next_beat = time.monotonic() + heartbeat
                    yield _heartbeat()
            elif message.id == last + 1:
                last = message.id
                yield format_event(message)
            elif message.id > last + 1:
                # Another writer's event is committed but not yet delivered here: read it from the log.
                yield from catch_up()
    finally:
        subscription.close()


def _current(engine: Engine, conversation_id: int, fallback: int) -> int:
    from app.live.store import last_id

    try:
        return last_id(engine, conversation_id)
    except Exception:  # noqa: BLE001  (a reset with the old cursor is still correct)
        return fallback
