"""Background work behind one enqueue(): inline (tests), a thread (embedded default) or RQ on Redis.

Jobs register themselves where they are defined (`@jobs.job("themes.run")` in their domain package); this
package imports no service, and create_app imports the modules that define jobs. Job payloads carry only ids of
runs and conversations, never a user id or key next to a post id.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, TypeVar, cast

from flask import Flask, current_app, has_app_context
from werkzeug.local import LocalProxy

if TYPE_CHECKING:
    from redis import Redis
    from rq import Queue

log = logging.getLogger("chorus.jobs")
QUEUE_NAME = "chorus"
_executor: ThreadPoolExecutor | None = None
# Jobs queued with enqueue_once that have not started yet (thread runner; RQ keeps the mark in Redis).
_waiting: set[str] = set()
_waiting_lock = threading.Lock()
WAITING_SECONDS = 3600  # a mark whose job was lost (worker killed) expires, so the work is queued again


_jobs: dict[str, Callable[..., Any]] = {}
Job = TypeVar("Job", bound=Callable[..., Any])


def job(name: str) -> Callable[[Job], Job]:
    """Register a function as the background job `name`, where the function is defined."""
    def register(function: Job) -> Job:
        _jobs[name] = function
        return function

    return register


def _registry() -> dict[str, Callable[..., Any]]:
    return _jobs


def run_job(name: str, *args: Any) -> Any:
    """Run a registered job inside an app context (creating the app in an RQ worker if needed)."""
    if has_app_context():
        return _run(name, *args)
    from app import create_app

    with create_app().app_context():
        return _run(name, *args)


def _run(name: str, *args: Any) -> Any:
    from app.extensions import db
    from app.jobs.liveness import heartbeat

    _clear_waiting(name, args)  # from now on, new work needs a new job: this one may have read its list already
    try:
        with heartbeat(name, args):  # so a killed worker is noticed (app/jobs/liveness.py)
            return _registry()[name](*args)
    finally:
        db.session.remove()


def _in_thread(app: Flask, name: str, args: tuple[Any, ...]) -> None:
    with app.app_context():
        try:
            _run(name, *args)
        except Exception:  # the job records its own failure; this is the last resort
            log.exception("Background job %s failed", name)


def known(name: str) -> bool:
    """Whether `name` is a registered job."""
    return name in _registry()


def rq_job_id(name: str, args: tuple[Any, ...]) -> str:
    """The RQ job id of a job: the instance id, the job's name and its run or conversation id (rule A7)."""
    return "-".join([current_app.config["CHORUS_INSTANCE_ID"], name.replace(".", "_"), *map(str, args)])


def redis_client(url: str) -> Redis:
    """A Redis client that gives up in seconds, so an outage is a quick refusal rather than a hung request."""
    from redis import Redis

    timeout = float(current_app.config.get("CHORUS_REDIS_TIMEOUT_SECONDS", 2))
    return Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)


def enqueue(name: str, *args: Any) -> None:
    """Queue a registered job now; the runner is chosen by CHORUS_JOBS. Services use outbox.defer instead."""
    global _executor
    if name not in _registry():
        raise KeyError(f"Unknown job {name}")
    mode = current_app.config.get("CHORUS_JOBS", "thread")
    if mode == "inline":
        _run_inline(name, *args)
    elif mode == "rq":
        # RQ stamps each job with exact times; an idea id next to the second it was posted must not linger
        # in Redis, so finished jobs are dropped at once and failed ones after an hour (errors are logged).
        # The job id carries the instance id (a job's Redis keys name their instance, rule A7) and the run id, so
        # app/jobs/liveness.py can find it; the description is
        # the job's name: RQ's default repeats the arguments in Redis and in its logs.
        queue(current_app.config["REDIS_URL"]).enqueue(run_job, name, *args, job_timeout=1800, result_ttl=0,
                                                       failure_ttl=3600, description=name,
                                                       job_id=rq_job_id(name, args))
    else:
        from app.jobs.liveness import mark_active

        mark_active(name, args)
        if _executor is None:
            # One worker thread: theme runs are CPU-bound and must not starve the web threads.
            _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chorus-job")
        _executor.submit(_in_thread, real_app(), name, args)


def _waiting_key(name: str, args: tuple[Any, ...]) -> str:
    # Prefixed with the instance id like every other Redis key (rule A7).
    return f"{queue_name()}:waiting:" + ":".join([name, *map(str, args)])


def _clear_waiting(name: str, args: tuple[Any, ...]) -> None:
    """Forget that this job waits (in this process, or in Redis when the RQ runner is used)."""
    key = _waiting_key(name, args)
    with _waiting_lock:
        known = key in _waiting
        _waiting.discard(key)
    if not known and current_app.config.get("CHORUS_JOBS") == "rq" and current_app.config.get("REDIS_URL"):
        from redis import Redis

        Redis.from_url(current_app.config["REDIS_URL"]).delete(key)


def enqueue_once(name: str, *args: Any) -> None:
    """Queue a job unless the same job (name and arguments) is already waiting: many posts make one job."""
    key = _waiting_key(name, args)
    mode = current_app.config.get("CHORUS_JOBS", "thread")
    if mode == "rq":
        from redis import Redis

        if not Redis.from_url(current_app.config["REDIS_URL"]).set(key, 1, nx=True, ex=WAITING_SECONDS):
            return
    elif mode != "inline":
        with _waiting_lock:
            if key in _waiting:
                return
            _waiting.add(key)
    try:
        enqueue(name, *args)
    except Exception:  # not queued: drop the mark, or no later post could queue this work again
        _clear_waiting(name, args)
        raise


def _run_inline(name: str, *args: Any) -> None:
    _registry()[name](*args)


def real_app() -> Flask:
    """The application behind `current_app`, to hand to another thread (the proxy works only in this context)."""
    return cast("LocalProxy[Flask]", current_app)._get_current_object()


def queue_name() -> str:
    """This instance's queue: instances sharing a Redis never run each other's jobs."""
    return f"{QUEUE_NAME}:{current_app.config['CHORUS_INSTANCE_ID']}"


def queue(redis_url: str) -> Queue:
    """The RQ queue on Redis."""
    from rq import Queue

    return Queue(queue_name(), connection=redis_client(redis_url))
