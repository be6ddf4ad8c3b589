"""gunicorn settings for production: gevent workers for long-lived live streams, no access log."""

import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
worker_class = "gevent"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_connections = int(os.environ.get("CHORUS_WORKER_CONNECTIONS", "1000"))
timeout = 60
graceful_timeout = 30
keepalive = 5
# gunicorn's access log records client addresses and full paths (with idea ids): the app logs
# route patterns instead, so this stays off. See docs/anonymity.md.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info")
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def on_starting(server):  # type: ignore[no-untyped-def]
    """Refuse several workers without Redis before any worker starts."""
    if workers > 1 and not os.environ.get("REDIS_URL"):
        raise SystemExit(
            f"Refusing to start {workers} workers without REDIS_URL: live updates and rate limits would only "
            "reach one worker. Set REDIS_URL, or WEB_CONCURRENCY=1."
        )
