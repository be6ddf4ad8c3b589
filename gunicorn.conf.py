"""gunicorn settings for production: gevent workers for long-lived live streams, logs with no who and no what."""

import importlib.util
import os
from pathlib import Path

from gunicorn.glogging import Logger

# app/logs.py imports only the standard library; loading it by path keeps the app out of the master process.
_spec = importlib.util.spec_from_file_location("chorus_logs", Path(__file__).resolve().parent / "app" / "logs.py")
_logs = importlib.util.module_from_spec(_spec)  # type: ignore[arg-type]
_spec.loader.exec_module(_logs)  # type: ignore[union-attr]

bind = os.environ.get("BIND", "127.0.0.1:8000")
worker_class = "gevent"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_connections = int(os.environ.get("CHORUS_WORKER_CONNECTIONS", "1000"))
# Connections the kernel may queue before a worker accepts them. When thousands of browsers open their live
# streams at once (a room after a break), a short queue resets connections; the kernel caps it at
# net.core.somaxconn (docs/operations.md).
backlog = int(os.environ.get("CHORUS_BACKLOG", "4096"))
timeout = 60
graceful_timeout = 30
keepalive = 5
# The app writes the access log (chorus.access: method, route pattern, status, duration). gunicorn's own
# would repeat it; if an operator turns it on (--access-logfile), PrivateLogger prints the same fields only.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info")
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


class PrivateLogger(Logger):
    """gunicorn's logger without times, client addresses, paths or ids (rule A7).

    Access lines name the route pattern the app matched (app/security.py puts it in the WSGI environ);
    error and debug lines go through the app's PrivateFormatter, which turns request paths into "(path)".
    """

    error_fmt = _logs.FORMAT
    datefmt = None
    access_fmt = _logs.FORMAT

    def setup(self, cfg):  # type: ignore[no-untyped-def]
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                handler.setFormatter(_logs.PrivateFormatter())

    def access(self, resp, req, environ, request_time):  # type: ignore[no-untyped-def]
        if not self.access_log_enabled:
            return
        route = environ.get(_logs.ROUTE_KEY, "(no route)")
        elapsed = request_time.total_seconds() * 1000
        status = str(getattr(resp, "status", "-")).split(" ", 1)[0]
        self.access_log.info("%s %s %s %.0fms", req.method, route, status, elapsed)


logger_class = PrivateLogger


def pre_request(worker, req):  # type: ignore[no-untyped-def]
    """Replace gunicorn's default, which logs every request's full path at debug level."""


def on_starting(server):  # type: ignore[no-untyped-def]
    """Refuse several workers without Redis before any worker starts."""
    if workers > 1 and not os.environ.get("REDIS_URL"):
        raise SystemExit(
            f"Refusing to start {workers} workers without REDIS_URL: live updates and rate limits would only "
            "reach one worker. Set REDIS_URL, or WEB_CONCURRENCY=1."
        )
