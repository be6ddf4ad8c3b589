"""Whether a queued or running job is still alive, told from the job runner's state, never from stored times.

Runs keep only the hour they ran (rule A5), so a run's age cannot show that its worker died. Instead a running
job keeps a short-lived Redis key alive (refreshed every CHORUS_JOB_HEARTBEAT_SECONDS, expiring after three
missed beats); a queued job is alive while RQ still holds it. The thread runner keeps the same facts in memory.
Keys carry the instance prefix, the job's name and its run or conversation id, nothing else (rule A7).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from flask import current_app

if TYPE_CHECKING:
    from redis import Redis

log = logging.getLogger("chorus.jobs")
# Thread runner: jobs queued or running in this process (embedded mode runs one process).
_active: set[str] = set()
_active_lock = threading.Lock()


def job_key(name: str, args: tuple[Any, ...]) -> str:
    return ":".join([name, *map(str, args)])


def mark_active(name: str, args: tuple[Any, ...]) -> None:
    with _active_lock:
        _active.add(job_key(name, args))


def _redis() -> Redis:
    from app.jobs import redis_client

    return redis_client(current_app.config["REDIS_URL"])


def _alive_key(name: str, args: tuple[Any, ...]) -> str:
    from app.jobs import queue_name

    return f"{queue_name()}:alive:{job_key(name, args)}"


@contextmanager
def heartbeat(name: str, args: tuple[Any, ...]) -> Iterator[None]:
    """While the job runs, say so: a Redis key with a short expiry (RQ) or this process's memory (thread)."""
    mode = current_app.config.get("CHORUS_JOBS")
    beat = float(current_app.config.get("CHORUS_JOB_HEARTBEAT_SECONDS", 15))
    stop = threading.Event()
    beater: threading.Thread | None = None
    if mode == "rq" and current_app.config.get("REDIS_URL"):
        client, key, ttl = _redis(), _alive_key(name, args), max(1, int(beat * 3))

        def beat_once() -> None:
            try:
                client.set(key, 1, ex=ttl)
            except Exception:  # noqa: BLE001  (Redis away for a moment: the next beat sets it again)
                log.warning("job heartbeat could not reach Redis")

        def beat_loop() -> None:
            while not stop.wait(beat):
                beat_once()

        # The first beat is written before the job's work starts, so a scheduler tick can never see a running
        # job without its key (under load the beater thread may be scheduled late).
        beat_once()

        beater = threading.Thread(target=beat_loop, name="chorus-job-heartbeat", daemon=True)
        beater.start()
    try:
        yield
    finally:
        stop.set()
        if beater is not None:
            beater.join(timeout=30)
            try:
                client.delete(key)
            except Exception:  # noqa: BLE001  (it expires by itself)
                pass
        with _active_lock:
            _active.discard(job_key(name, args))


def is_alive(name: str, *args: Any, started: bool) -> bool | None:
    """Whether a queued (started=False) or running job is still on its way; None when that cannot be told."""
    mode = current_app.config.get("CHORUS_JOBS")
    if mode == "thread":
        with _active_lock:
            return job_key(name, args) in _active
    if mode != "rq" or not current_app.config.get("REDIS_URL"):
        return None
    from redis import RedisError
    from rq.exceptions import NoSuchJobError
    from rq.job import Job, JobStatus

    from app.jobs import rq_job_id

    try:
        client = _redis()
        if client.exists(_alive_key(name, args)):
            return True
        if started:
            return False
        try:
            status = Job.fetch(rq_job_id(name, args), connection=client).get_status()
        except NoSuchJobError:
            return False
        return status in (JobStatus.QUEUED, JobStatus.DEFERRED, JobStatus.SCHEDULED, JobStatus.STARTED)
    except RedisError:
        return None
