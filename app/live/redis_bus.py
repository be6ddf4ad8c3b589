"""The Redis pub/sub bus: every worker on every host sees every event.

Each process runs ONE listener (a thread, which is a greenlet under gunicorn's gevent workers)
subscribed to all conversations' channels, and fans messages out to its own streams.

Redis pub/sub ignores the database number, so every channel name starts with the instance prefix
(app/instance.py): another instance on the same Redis server neither hears nor is heard.
"""

from __future__ import annotations

import logging
import os
import threading

import redis

from app.live.bus import EventBus, LiveMessage, Subscription

log = logging.getLogger("chorus.live")


class RedisBus(EventBus):
    """Publishes to Redis; a per-process listener delivers what arrives to local streams."""

    def __init__(self, url: str, prefix: str) -> None:
        super().__init__()
        self.url = url
        self.channel_prefix = prefix + "live:"
        self._stopping = threading.Event()
        self._client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
        self._listener: threading.Thread | None = None
        self._listener_pid: int | None = None
        self._start_lock = threading.Lock()
        self.ready = threading.Event()

    def connected(self) -> bool:
        return self.ready.is_set()

    def publish(self, message: LiveMessage) -> None:
        try:
            self._client.publish(self.channel_prefix + str(message.conversation_id), message.to_json())
        except redis.RedisError:
            # Streams catch up from the database log at their next heartbeat.
            log.warning("live event could not be published to Redis; streams will catch up from the log")

    def subscribe(self, conversation_id: int) -> Subscription:
        self.start_listener()
        return super().subscribe(conversation_id)

    def start_listener(self) -> None:
        """Start this process's listener once (again after a fork: threads do not survive it)."""
        with self._start_lock:
            if self._listener is not None and self._listener.is_alive() and self._listener_pid == os.getpid():
                return
            self.ready.clear()
            self._client = redis.Redis.from_url(self.url, socket_connect_timeout=2, socket_timeout=2)
            self._listener_pid = os.getpid()
            self._listener = threading.Thread(target=self._listen, name="chorus-live-listener", daemon=True)
            self._listener.start()
        self.ready.wait(timeout=5)

    def close(self) -> None:
        """Stop this process's listener and close its connections (tests, and a clean worker exit)."""
        self._stopping.set()  # the listener wakes at least once a second to notice
        listener = self._listener
        if listener is not None and listener is not threading.current_thread():
            listener.join(timeout=10)
        self._client.close()

    def _listen(self) -> None:
        delay = 0.5
        while not self._stopping.is_set():
            connection = redis.Redis.from_url(self.url)
            pubsub = connection.pubsub(ignore_subscribe_messages=True)
            try:
                pubsub.psubscribe(self.channel_prefix + "*")
                # Wait for the subscription to be confirmed before saying we are ready.
                pubsub.get_message(timeout=5)
                self.generation += 1  # anything published while we were not listening is in the log
                self.ready.set()
                delay = 0.5
                # Wake at least once a second so close() is noticed; a message is handed on as soon as it arrives.
                while not self._stopping.is_set():
                    raw = pubsub.get_message(timeout=1.0)
                    if raw is None or raw.get("type") != "pmessage":
                        continue
                    try:
                        self.deliver(LiveMessage.from_json(raw["data"]))
                    except (ValueError, KeyError, TypeError):
                        log.warning("ignored a malformed live message")
            except redis.RedisError:
                self.ready.clear()  # streams read the event table until the listener is back
                if self._stopping.is_set():
                    break
                log.warning("live listener lost Redis; reconnecting")
                self._stopping.wait(delay)
                delay = min(delay * 2, 10)
            finally:
                pubsub.close()
                connection.close()
