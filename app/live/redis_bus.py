"""The Redis pub/sub bus: every worker on every host sees every event.

Each process runs ONE listener (a thread, which is a greenlet under gunicorn's gevent workers)
subscribed to all conversations' channels, and fans messages out to its own streams.
"""

from __future__ import annotations

import logging
import os
import threading
import time

import redis

from app.live.bus import EventBus, LiveMessage

log = logging.getLogger("chorus.live")
CHANNEL_PREFIX = "chorus:live:"


class RedisBus(EventBus):
    """Publishes to Redis; a per-process listener delivers what arrives to local streams."""

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url
        self._client = redis.Redis.from_url(url)
        self._listener: threading.Thread | None = None
        self._listener_pid: int | None = None
        self._start_lock = threading.Lock()
        self.ready = threading.Event()

    def publish(self, message: LiveMessage) -> None:
        try:
            self._client.publish(CHANNEL_PREFIX + str(message.conversation_id), message.to_json())
        except redis.RedisError:
            # Streams catch up from the database log at their next heartbeat.
            log.warning("live event could not be published to Redis; streams will catch up from the log")

    def subscribe(self, conversation_id: int):  # type: ignore[no-untyped-def]
        self.start_listener()
        return super().subscribe(conversation_id)

    def start_listener(self) -> None:
        """Start this process's listener once (again after a fork: threads do not survive it)."""
        with self._start_lock:
            if self._listener is not None and self._listener.is_alive() and self._listener_pid == os.getpid():
                return
            self.ready.clear()
            self._client = redis.Redis.from_url(self.url)
            self._listener_pid = os.getpid()
            self._listener = threading.Thread(target=self._listen, name="chorus-live-listener", daemon=True)
            self._listener.start()
        self.ready.wait(timeout=5)

    def _listen(self) -> None:
        delay = 0.5
        while True:
            try:
                pubsub = redis.Redis.from_url(self.url).pubsub(ignore_subscribe_messages=True)
                pubsub.psubscribe(CHANNEL_PREFIX + "*")
                # Wait for the subscription to be confirmed before saying we are ready.
                pubsub.get_message(timeout=5)
                self.generation += 1  # anything published while we were not listening is in the log
                self.ready.set()
                delay = 0.5
                for raw in pubsub.listen():
                    if raw.get("type") != "pmessage":
                        continue
                    try:
                        self.deliver(LiveMessage.from_json(raw["data"]))
                    except (ValueError, KeyError, TypeError):
                        log.warning("ignored a malformed live message")
            except redis.RedisError:
                log.warning("live listener lost Redis; reconnecting")
                time.sleep(delay)
                delay = min(delay * 2, 10)
