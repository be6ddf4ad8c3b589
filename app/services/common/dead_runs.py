"""Runs whose worker died: found from the job runner's state (app/jobs/liveness.py), recorded as failed at once.

Stored run times are hours (rule A5), so age cannot tell a dead worker from a slow one; the scheduler tick asks
the runner instead, and a failed run frees its conversation for the next run.
"""

from __future__ import annotations

from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import CursorResult

from app.extensions import db
from app.jobs import outbox as job_outbox
from app.jobs.liveness import is_alive
from app.models import NoteImport, OpinionRun, RunStatus, ThemeRun
from app.models.base import this_hour

PENDING = (RunStatus.QUEUED, RunStatus.RUNNING)


def fail_dead_runs(model: type[ThemeRun] | type[OpinionRun] | type[NoteImport], job: str, message: str) -> list[int]:
    """Record queued or running runs whose job is gone as failed with `message`; returns their ids (commits)."""
    failed: list[int] = []
    for run_id, status in db.session.execute(sa.select(model.id, model.status).where(model.status.in_(PENDING))).all():
        if job_outbox.waiting(job, run_id):
            continue  # not queued yet (Redis away): it will be
        if is_alive(job, run_id, started=status == RunStatus.RUNNING) is not False:
            continue  # alive, or the runner cannot tell now (Redis away): ask again at the next tick
        # Only if the run has not moved on meanwhile (it may have started or finished since it was read).
        changed = cast(CursorResult[Any], db.session.execute(sa.update(model).where(
            model.id == run_id, model.status == status).values(
            status=RunStatus.FAILED, finished_at=this_hour(), error=message))).rowcount
        if changed:
            failed.append(run_id)
    db.session.commit()
    return failed
