"""Run CPU-heavy calls (the password KDF) off the gevent event loop, so one sign-in never stalls a whole worker.

Under gevent every request of a worker shares one OS thread: a 0.6 s argon2 hash on it holds up every other
request and live stream of that worker. argon2 releases the GIL while hashing, so a native thread runs it in
parallel while the loop keeps serving. Outside gevent (tests, the development server, RQ) it is a plain call.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from flask import current_app, has_app_context

T = TypeVar("T")
_pools: dict[int, Any] = {}  # per process: a pool made before a fork would have no threads in the child
_lock = threading.Lock()


def _under_gevent() -> bool:
    try:
        from gevent import monkey
    except ImportError:
        return False
    return bool(monkey.is_module_patched("socket"))


def _pool() -> Any:
    """This process's own small thread pool (not the hub's, which gevent's DNS resolver also uses)."""
    from gevent.threadpool import ThreadPool

    pid = os.getpid()
    with _lock:
        if pid not in _pools:
            size = current_app.config.get("CHORUS_KDF_THREADS", 2) if has_app_context() else 2
            _pools.clear()
            _pools[pid] = ThreadPool(max(1, int(size)))
        return _pools[pid]


def off_loop(function: Callable[..., T], *args: Any) -> T:
    """`function(*args)` in a native thread when running under gevent (the caller's greenlet waits), else inline."""
    if not _under_gevent():
        return function(*args)
    return _pool().apply(function, args)
