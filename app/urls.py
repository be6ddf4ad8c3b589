"""Safe redirects: only paths on this site, never another host."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Flask, url_for
from werkzeug.routing import IntegerConverter, Map

MAX_DB_INT = 2**31 - 1  # PostgreSQL INTEGER; larger ids cannot exist


def safe_next(target: str | None, default_endpoint: str = "participate.home") -> str:
    """Return `target` if it is a local path, else the default page."""
    if target:
        parts = urlsplit(target)
        if (
            not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//")
            and "\\" not in target and target.isprintable()  # no tabs, newlines (header injection) or NULs
        ):
            return target
    return url_for(default_endpoint)


class BoundedIntConverter(IntegerConverter):
    """`<int:...>` that only matches ids a database integer column can hold, so 2**64 is a 404, not a 500."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:  # noqa: A002  (werkzeug's name)
        kwargs.setdefault("max", MAX_DB_INT)
        super().__init__(map, *args, **kwargs)


def init_urls(app: Flask) -> None:
    """Install the bounded `int` converter; call before any blueprint is registered."""
    app.url_map.converters["int"] = BoundedIntConverter
