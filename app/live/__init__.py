"""Live updates: one event-bus interface (in-process or Redis pub/sub, chosen by REDIS_URL),
a replay log in the database, and the Server-Sent Events stream.

Services record an event inside their transaction and publish it after commit:

    message = live.record(conversation.id, "idea", {...})
    db.session.commit()
    live.publish(message)
"""

from __future__ import annotations

from flask import Flask, current_app

from app.live.bus import EventBus, InProcessBus, LiveMessage
from app.live.store import changed_since, forget, prune, record

__all__ = ["EventBus", "LiveMessage", "bus", "changed_since", "forget", "init_live", "prune", "publish", "record"]


def init_live(app: Flask) -> None:
    """Choose the bus: Redis pub/sub when REDIS_URL is set (any number of workers), else in-process."""
    app.config.setdefault("CHORUS_LIVE_HEARTBEAT_SECONDS", 15.0)
    app.config.setdefault("CHORUS_LIVE_STREAM_SECONDS", 1800.0)
    app.config.setdefault("CHORUS_LIVE_RETENTION_HOURS", 24)
    url = app.config.get("CHORUS_LIVE_REDIS_URL", app.config.get("REDIS_URL"))
    if url:
        from app.instance import redis_prefix
        from app.live.redis_bus import RedisBus

        app.extensions["chorus.live"] = RedisBus(url, redis_prefix(app))
    else:
        app.extensions["chorus.live"] = InProcessBus()


def bus() -> EventBus:
    return current_app.extensions["chorus.live"]


def publish(*messages: LiveMessage | None) -> None:
    """Send committed events to every stream; call only after the transaction that recorded them."""
    target = bus()
    for message in messages:
        if message is not None:
            target.publish(message)
