"""After an event, readers of one worker who miss the same kept value at the same moment compute it once between them.

Every vote records a live event, so on a busy page every reader of a worker misses the kept order at once; each
used to run the same whole-question statement (bench/http_pages.py --voting: the most supported page fell to
27 req/s at 10 votes a second). These tests need no database: ListingCache is given the values to keep.
"""

from __future__ import annotations

import threading
import time

import pytest

from app.services.content.listing_cache import ListingCache

BOUND = 120.0  # seconds: generous, the waits below end on events, not on the clock


def _until(condition, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + BOUND
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.01)


def _waiting(cache: ListingCache) -> int:
    return sum(flight.waiting for flight in getattr(cache, "_flights", {}).values())


def test_readers_missing_the_same_value_at_once_compute_it_once() -> None:
    cache, calls, started, release = ListingCache(), [], threading.Event(), threading.Event()
    answers: list[object] = []

    def compute() -> tuple[str, ...]:
        calls.append(1)
        started.set()
        assert release.wait(BOUND)
        return ("idea-b", "idea-a")

    def reader() -> None:
        answers.append(cache.cached(7, 3, ("order", "supported"), compute, True))

    first = threading.Thread(target=reader)
    first.start()
    try:
        assert started.wait(BOUND)
        second = threading.Thread(target=reader)
        second.start()
        # The second reader either waits for the first (one computation) or computes too (the old behaviour).
        _until(lambda: len(calls) > 1 or _waiting(cache) == 1, "the second reader to wait or compute")
    finally:
        release.set()
        first.join(BOUND)
    second.join(BOUND)
    assert len(calls) == 1
    assert answers == [("idea-b", "idea-a")] * 2
    # Kept: a third reading computes nothing.
    assert cache.cached(7, 3, ("order", "supported"), compute, True) == ("idea-b", "idea-a") and len(calls) == 1


def test_when_the_first_reader_fails_the_waiting_one_computes_it_itself() -> None:
    cache, started, release = ListingCache(), threading.Event(), threading.Event()
    outcomes: dict[str, object] = {}

    def failing() -> tuple[str, ...]:
        started.set()
        assert release.wait(BOUND)
        raise RuntimeError("the database went away")

    def first() -> None:
        with pytest.raises(RuntimeError):
            cache.cached(7, 3, "total", failing, True)
        outcomes["first"] = "raised"

    def second() -> None:
        outcomes["second"] = cache.cached(7, 3, "total", lambda: 42, True)

    one = threading.Thread(target=first)
    one.start()
    assert started.wait(BOUND)
    two = threading.Thread(target=second)
    two.start()
    try:
        _until(lambda: _waiting(cache) == 1 or "second" in outcomes, "the second reader")
    finally:
        release.set()
        one.join(BOUND)
        two.join(BOUND)
    assert outcomes == {"first": "raised", "second": 42}
    assert cache.cached(7, 3, "total", lambda: 0, True) == 42  # what the second computed is kept


def test_a_newer_event_is_never_served_an_older_events_value_in_flight() -> None:
    cache, started, release = ListingCache(), threading.Event(), threading.Event()
    got: list[object] = []

    def slow_old() -> str:
        started.set()
        assert release.wait(BOUND)
        return "order at event 3"

    old = threading.Thread(target=lambda: got.append(cache.cached(7, 3, "order", slow_old, True)))
    old.start()
    try:
        assert started.wait(BOUND)
        # A reader at event 4 does not wait for event 3's computation: it computes its own at once.
        assert cache.cached(7, 4, "order", lambda: "order at event 4", True) == "order at event 4"
    finally:
        release.set()
        old.join(BOUND)
    assert got == ["order at event 3"]
    assert cache.cached(7, 4, "order", lambda: "computed again", True) == "order at event 4"
