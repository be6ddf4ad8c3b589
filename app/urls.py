"""Safe redirects (only paths on this site) and bounded whole numbers from URLs, query strings and forms."""

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


class WholeNumber:
    """A bounded converter for `request.args.get(name, type=WholeNumber(...))`: ASCII digits within [low, high].

    `str.isdigit()` accepts "²" and "٣", which `int()` then refuses (a 500 once), and unbounded numbers reach the
    database as "integer out of range"; this raises ValueError for both, which `get(type=...)` turns into its default.
    """

    def __init__(self, low: int = 1, high: int = MAX_DB_INT) -> None:
        self.low, self.high = low, high

    def __call__(self, raw: object) -> int:
        text = str(raw).strip()
        if not (text.isascii() and text.isdigit()) or len(text) > len(str(self.high)):
            raise ValueError("not a whole number")
        value = int(text)
        if not self.low <= value <= self.high:
            raise ValueError("out of range")
        return value

    def parse(self, raw: object) -> int | None:
        """The number, or None when `raw` is not a whole number within bounds."""
        try:
            return self(raw)
        except ValueError:
            return None


def init_urls(app: Flask) -> None:
    """Install the bounded `int` converter; call before any blueprint is registered."""
    app.url_map.converters["int"] = BoundedIntConverter
