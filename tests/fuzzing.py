"""Which query-string parameters a route reads, so the fuzz tests send bad values to exactly those.

Sending every bad value in every known parameter to every route cost over ten thousand requests per test, most to
routes that never look at the parameter. Instead each route is probed first (twice: with no query string, and with
every candidate parameter set to "1") while the app's request class records every key looked up in
`request.args`; code that walks the whole query string (to_dict, items, iteration) counts as reading all of them.
The fuzzing then covers each parameter a route reads, with every bad value, one parameter at a time.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import ImmutableMultiDict


class _Recorder:
    keys: set[str] = set()
    everything = False


class RecordingArgs(ImmutableMultiDict):  # type: ignore[type-arg,unused-ignore]
    """An ImmutableMultiDict that notes every key it is asked for (parsed query strings and forms use it)."""

    def __getitem__(self, key: Any) -> Any:
        _Recorder.keys.add(key)
        return super().__getitem__(key)

    def get(self, key: Any, default: Any = None, type: Any = None) -> Any:  # type: ignore[override]  # noqa: A002
        _Recorder.keys.add(key)
        return super().get(key, default, type)

    def getlist(self, key: Any, type: Any = None) -> Any:  # noqa: A002
        _Recorder.keys.add(key)
        return super().getlist(key, type)

    def __contains__(self, key: object) -> bool:
        _Recorder.keys.add(str(key))
        return super().__contains__(key)

    def _all(self) -> None:
        # app/security.py's screen looks at every value of every request (and refuses NUL bytes and the like) before
        # any route runs; that is not the route reading them. Any other walk over the whole query string is.
        # (Renaming the screen only makes the fuzzing broader, never narrower.)
        if sys._getframe(2).f_code.co_name != "_reject_bad_input":
            _Recorder.everything = True

    def __iter__(self) -> Iterator[Any]:
        self._all()
        return super().__iter__()

    def items(self, multi: bool = False) -> Any:
        self._all()
        return super().items(multi)

    def values(self) -> Any:
        self._all()
        return super().values()

    def to_dict(self, flat: bool = True) -> Any:
        self._all()
        return super().to_dict(flat)  # type: ignore[call-overload]

    def lists(self) -> Any:
        self._all()
        return super().lists()


@contextmanager
def recording(app: Flask) -> Iterator[None]:
    """Within this block the app parses query strings into RecordingArgs."""
    original = app.request_class
    app.request_class = type("RecordingRequest", (original,), {"parameter_storage_class": RecordingArgs})
    try:
        yield
    finally:
        app.request_class = original


def parameters_read(app: Flask, client: FlaskClient, url: str, candidates: Iterable[str], **kwargs: Any) -> list[str]:
    """The candidate parameters the route at `url` reads (GET, probed without and with every candidate set)."""
    candidates = list(candidates)
    read: set[str] = set()
    with recording(app):
        for query in ({}, dict.fromkeys(candidates, "1")):
            _Recorder.keys, _Recorder.everything = set(), False
            client.get(url, query_string=query, buffered=True, **kwargs)
            if _Recorder.everything:
                return candidates
            read |= _Recorder.keys
    return [name for name in candidates if name in read]
