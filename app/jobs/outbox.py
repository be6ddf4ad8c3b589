"""The job outbox: work is recorded in the transaction that creates it and queued after commit.

Queueing straight after a commit strands the work when Redis is away (a run stays "queued" with no job behind it).
Here the job is a row first: `defer` adds it with the run, `dispatch` (after commit, and at every scheduler tick)
queues waiting rows and deletes each one in the same transaction, so a refused row simply waits for the next try.
A row carries only the job's name and a run or conversation id: no person, no time (rules A5, A7).
"""

from __future__ import annotations

import logging

from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import CursorResult
from sqlalchemy.dialects import postgresql, sqlite

from app.extensions import db
from app.models.outbox import JobOutbox

log = logging.getLogger("chorus.jobs")


def defer(name: str, target_id: int) -> None:
    """Record a job to queue once the caller's transaction commits (asking twice makes one row; caller commits)."""
    from app.jobs import known

    if not known(name):
        raise KeyError(f"Unknown job {name}")
    insert = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    db.session.execute(insert(JobOutbox).values(job=name, target_id=target_id).on_conflict_do_nothing())


def waiting(name: str, target_id: int) -> bool:
    """Whether this job is still in the outbox (recorded, not yet queued)."""
    return db.session.scalar(sa.select(JobOutbox.id).where(
        JobOutbox.job == name, JobOutbox.target_id == target_id)) is not None


def dispatch(limit: int = 200) -> int:
    """Queue waiting jobs, oldest first; stops at the first refusal (the rest wait). Returns how many were queued.

    Each row is deleted and its job queued in one transaction: on PostgreSQL the delete locks the row, so two
    processes never queue the same job; if queueing fails the delete is rolled back and the row stays.
    Never raises for an unavailable queue or database: the caller's own work is already committed.
    """
    from app.jobs import enqueue

    queued = 0
    try:
        rows = db.session.execute(sa.select(JobOutbox.id, JobOutbox.job, JobOutbox.target_id)
                                  .order_by(JobOutbox.id).limit(limit)).all()
        db.session.commit()
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        log.warning("job outbox could not be read; it is tried again at the next tick")
        return 0
    for row_id, name, target_id in rows:
        try:
            # A DELETE gives a CursorResult (Session.execute types every result as Result).
            claimed = cast(CursorResult[Any], db.session.execute(sa.delete(JobOutbox).where(JobOutbox.id == row_id))).rowcount
            if claimed:
                enqueue(name, target_id)
            db.session.commit()
            queued += bool(claimed)
        except Exception:  # noqa: BLE001  (Redis or the database away: the row stays for the next try)
            db.session.rollback()
            log.warning("a waiting job could not be queued; it is tried again at the next tick")
            break
    return queued
