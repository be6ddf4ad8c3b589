"""Logging that carries no who and no what (rule A7): route patterns, never paths, ids, addresses or times.

Every handler Chorus installs (app, werkzeug, RQ worker, and gunicorn through gunicorn.conf.py) formats
through `PrivateFormatter`. Lines carry no timestamp at all: the log collector stamps when it receives a
line, and a second-precise time printed next to a content route would date a post (rule A5).

This module imports only the standard library at import time, so gunicorn's master can load it by file
path without importing the app (and so without importing gevent-sensitive modules before the fork).
"""

from __future__ import annotations

import logging
import re
import sys
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import IO, Any

FORMAT = "%(levelname)s %(name)s %(message)s"
ROUTE_KEY = "chorus.route"  # WSGI environ key: the route pattern the app matched, for gunicorn's access log

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_IPV4 = re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w.])")
# Also catches clock times such as 12:19:13, which is as well: no time finer than the hour.
_COLONS = re.compile(r"(?<![\w:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\w:])")
# Content ids are 22-character URL-safe tokens, author tags and user keys long hex, SSO keys UUIDs.
_TOKEN = re.compile(r"(?<![\w-])[A-Za-z0-9_-]{12,}(?![\w-])")
_PATH = re.compile(r"(?<![\w.:/])/[^\s\"']*")
# "app" is Flask's own logger (named after the package): log_exception is redirected, but extensions may use it.
_LOGGERS = ("chorus", "app", "werkzeug", "rq", "flask-limiter")


def _looks_like_id(match: re.Match[str]) -> str:
    token = match.group(0)
    # A content id is exactly 22 characters and may happen to hold no digit; other long tokens with both
    # digits and letters are keys, tags or UUID parts. Code names (execute_theme_run) have no digits.
    if len(token) == 22 or (any(c.isdigit() for c in token) and any(c.isalpha() for c in token)):
        return "(id)"
    return token


def scrub(text: str) -> str:
    """Remove email addresses, client addresses, clock times and id-like tokens from a line."""
    text = _EMAIL.sub("(email)", text)
    text = _IPV4.sub("(address)", text)
    text = _COLONS.sub("(address or time)", text)
    return _TOKEN.sub(_looks_like_id, text)


class PrivateFormatter(logging.Formatter):
    """Level, logger and message only; request paths become route patterns, tracebacks keep no values.

    `route_for(path)` names the route pattern of a request path (None if it is not one); request paths in
    messages are replaced by it, or by "(path)" when `route_for` is not given (gunicorn has no URL map).
    """

    def __init__(self, route_for: Callable[[str], str | None] | None = None, fmt: str = FORMAT) -> None:
        super().__init__(fmt)
        self.line_format = fmt
        self.route_for = route_for

    def _route(self, match: re.Match[str]) -> str:
        path = match.group(0)
        if "<" in path:  # already a route pattern, such as /ideas/<idea_id>
            return path
        if self.route_for is None:
            return "(path)"
        return self.route_for(path.split("?", 1)[0]) or path

    def format(self, record: logging.LogRecord) -> str:
        message = scrub(_PATH.sub(self._route, record.getMessage()))
        line = self.line_format % {"levelname": record.levelname, "name": record.name, "message": message}
        if record.exc_info and record.exc_info[1] is not None:
            line += "\n" + self.formatException(record.exc_info)
        return line

    def formatException(self, ei: Any) -> str:  # noqa: N802 (logging's name)
        """The traceback's frames and exception types, with messages scrubbed; never local variables."""
        exception = traceback.TracebackException(*ei, capture_locals=False)
        return "".join(scrub(part) for part in exception.format()).rstrip("\n")


def route_finder(app: Any) -> Callable[[str], str | None]:
    """A function naming the route pattern of a request path with this app's URL map."""
    from werkzeug.exceptions import HTTPException
    from werkzeug.routing import RequestRedirect

    adapter = app.url_map.bind("localhost")

    def route_for(path: str) -> str | None:
        for method in ("GET", "POST"):
            try:
                rule, _ = adapter.match(path, method=method, return_rule=True)
                return str(rule.rule)
            except RequestRedirect:
                return "(redirect)"
            except HTTPException:
                continue
        return None

    return route_for


class _PrivateHandler(logging.StreamHandler[IO[str]]):
    """A handler install_handlers added, so that calling it again replaces it rather than adding another."""


def install_handlers(app: Any, stream: IO[str] | None = None, level: str | int | None = None) -> list[logging.Handler]:
    """Give every logger Chorus configures one private handler (stderr by default); returns the handlers."""
    handlers: list[logging.Handler] = []
    level = level or str(app.config.get("LOG_LEVEL", "info")).upper()
    formatter = PrivateFormatter(route_finder(app))
    for name in _LOGGERS:
        logger = logging.getLogger(name)
        for old in [h for h in logger.handlers if isinstance(h, _PrivateHandler)]:
            logger.removeHandler(old)
        handler = _PrivateHandler(stream or sys.stderr)
        handler.setFormatter(formatter)
        logger.addHandler(handler)
        logger.propagate = False  # a root handler someone else adds must not print these unscrubbed
        handlers.append(handler)
    logging.getLogger("chorus").setLevel(level)
    logging.getLogger("app").setLevel(level)  # Flask's app.logger
    # RQ logs every job's description and id at INFO (and DEBUG); only its warnings and failures are kept.
    logging.getLogger("rq").setLevel(logging.WARNING)
    return handlers


@contextmanager
def captured(app: Any, stream: IO[str], level: str | int = "DEBUG") -> Iterator[list[logging.Handler]]:
    """Install the private handlers writing to `stream`, then restore the loggers as they were (tests)."""
    saved = {name: (logging.getLogger(name).level, logging.getLogger(name).propagate, list(logging.getLogger(name).handlers))
             for name in _LOGGERS}
    try:
        yield install_handlers(app, stream, level)
    finally:
        for name, (old_level, propagate, handlers) in saved.items():
            logger = logging.getLogger(name)
            logger.setLevel(old_level)
            logger.propagate = propagate
            logger.handlers[:] = handlers


def configure_logging(app: Any) -> None:
    """Quiet the loggers that print paths or addresses, name routes in Flask's error log, install handlers."""
    from flask import request

    # Werkzeug's development server logs client addresses and full paths; the access log replaces it.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    # Flask-Limiter logs each breach with its key: a client address, or a per-person hash next to a time.
    logging.getLogger("flask-limiter").setLevel(logging.WARNING)
    errors = logging.getLogger("chorus.errors")

    def log_exception(exc_info: Any) -> None:
        # Flask's own says "Exception on /ideas/<the id>/comments [POST]": name the route pattern instead.
        rule = request.url_rule.rule if request.url_rule else "(no route)"
        errors.error("Exception on %s [%s]", rule, request.method, exc_info=exc_info)

    app.log_exception = log_exception
    if not app.testing:
        install_handlers(app)
