"""Background work behind one enqueue(): inline (tests), a thread (embedded default) or RQ on Redis.

Job payloads carry only ids of runs and conversations, never a user id or key next to a post id.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from flask import Flask, current_app, has_app_context

log = logging.getLogger("chorus.jobs")
QUEUE_NAME = "chorus"
_executor: ThreadPoolExecutor | None = None


def _registry() -> dict[str, Callable[..., Any]]:
    from app.services.embeddings import embed_idea
    from app.services.opinion_runs import execute_opinion_run
    from app.services.participation_batch import snapshot_job
    from app.services.theme_runs import execute_theme_run

    return {"themes.run": execute_theme_run, "ideas.embed": embed_idea, "opinions.run": execute_opinion_run,
            "participation.snapshot": snapshot_job}


def run_job(name: str, *args: Any) -> Any:
    """Run a registered job inside an app context (creating the app in an RQ worker if needed)."""
    if has_app_context():
        return _run(name, *args)
    from app import create_app

    with create_app().app_context():
        return _run(name, *args)


def _run(name: str, *args: Any) -> Any:
    from app.extensions import db

    try:
        return _registry()[name](*args)
    finally:
        db.session.remove()


def _in_thread(app: Flask, name: str, args: tuple[Any, ...]) -> None:
    with app.app_context():
        try:
            _run(name, *args)
        except Exception:  # the job records its own failure; this is the last resort
            log.exception("Background job %s failed", name)


def enqueue(name: str, *args: Any) -> None:
    """Queue a registered job; the runner is chosen by CHORUS_JOBS."""
    global _executor
    if name not in _registry():
        raise KeyError(f"Unknown job {name}")
    mode = current_app.config.get("CHORUS_JOBS", "thread")
    if mode == "inline":
        _run_inline(name, *args)
    elif mode == "rq":
        # RQ stamps each job with exact times; an idea id next to the second it was posted must not linger
        # in Redis, so finished jobs are dropped at once and failed ones after an hour (errors are logged).
        # The job id carries the instance id too, so a job's Redis keys name their instance (rule A7).
        queue(current_app.config["REDIS_URL"]).enqueue(run_job, name, *args, job_timeout=1800, result_ttl=0,
                                                       failure_ttl=3600,
                                                       job_id=f"{current_app.config['CHORUS_INSTANCE_ID']}-{uuid.uuid4().hex}")
    else:
        if _executor is None:
            # One worker thread: theme runs are CPU-bound and must not starve the web threads.
            _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chorus-job")
        _executor.submit(_in_thread, current_app._get_current_object(), name, args)  # type: ignore[attr-defined]


def _run_inline(name: str, *args: Any) -> None:
    _registry()[name](*args)


def queue_name() -> str:
    """This instance's queue: instances sharing a Redis never run each other's jobs."""
    return f"{QUEUE_NAME}:{current_app.config['CHORUS_INSTANCE_ID']}"


def queue(redis_url: str):  # type: ignore[no-untyped-def]
    """The RQ queue on Redis."""
    from redis import Redis
    from rq import Queue

    return Queue(queue_name(), connection=Redis.from_url(redis_url))
