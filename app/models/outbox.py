"""Jobs waiting to be queued: written in the transaction that creates the work, queued after commit."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model


class JobOutbox(Model):
    """One job to queue: its name and the run or conversation id it works on; no person, no time (rules A5, A7).

    A Redis outage leaves the row here; the scheduler tick (and the next commit that queues work) retries it, so
    work is delayed, never stranded. The unique key makes asking twice for the same job one row.
    """

    __tablename__ = "job_outbox"
    __table_args__ = (sa.UniqueConstraint("job", "target_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(sa.String(40))
    target_id: Mapped[int] = mapped_column(sa.BigInteger)
