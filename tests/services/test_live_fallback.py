"""Issue #17.3: while Redis is away a live stream reads the event table, so boards keep moving."""

from __future__ import annotations

import threading

from app import live
from app.extensions import db
from app.instance import redis_prefix
from app.live.redis_bus import RedisBus
from app.live.sse import stream

DOWN = "redis://127.0.0.1:1/0"


def test_a_stream_reads_the_event_table_while_redis_is_down(app, make_conversation) -> None:  # type: ignore[no-untyped-def]
    conversation = make_conversation()
    conversation_id = conversation.id
    bus = RedisBus(DOWN, redis_prefix())
    waiting = threading.Event()
    subscribe = bus.subscribe

    def subscribe_and_watch(cid: int):  # type: ignore[no-untyped-def]
        subscription = subscribe(cid)
        get = subscription.get

        def watched_get(timeout: float):  # type: ignore[no-untyped-def]
            waiting.set()  # the stream has replayed the log and now waits for live messages
            return get(timeout)

        subscription.get = watched_get
        return subscription

    bus.subscribe = subscribe_and_watch  # type: ignore[method-assign]
    # A heartbeat far longer than the test: only polling the table can deliver the event.
    events = stream(bus, db.engine, conversation_id, 0, heartbeat=3600, max_seconds=600, poll=0.2)
    try:
        assert next(events).startswith("retry:")
        recorder_done = threading.Event()

        def record_when_waiting() -> None:
            assert waiting.wait(300)
            with app.app_context():
                message = live.record(conversation_id, "timer", {"ends_at": None})
                db.session.commit()
                live.publish(message)  # Redis is down: lost on the bus, kept in the table
            recorder_done.set()

        recorder = threading.Thread(target=record_when_waiting)
        recorder.start()
        chunk = next(events)
        while "event: timer" not in chunk:  # heartbeats would come first only after an hour
            chunk = next(events)
        recorder.join(timeout=300)
        assert recorder_done.is_set() and '"ends_at":null' in chunk
    finally:
        events.close()
        bus.close()
