"""How far a theme run has got: its stage and n of N ideas read, written by the run job, read by pages.

The job reports through a callback passed into nlp (which stays pure). Each report is one small UPDATE of the
run's own row, committed at once so other requests see it; reports are thinned to a few per stage. Nothing
about time is stored with them (rule A5): the run keeps only its hours, as before.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import sqlalchemy as sa

from app.extensions import db
from app.models import RunStatus, ThemeRun
from nlp.progress import Progress

QUEUED, REPRESENTING, CLUSTERING, LABELLING, DONE = "queued", "representing", "clustering", "labelling", "done"
STAGES = (QUEUED, REPRESENTING, CLUSTERING, LABELLING, DONE)
MIN_GAP_SECONDS = 1.0  # reading progress is stored at most this often (stage changes always)
_WORDS = {
    QUEUED: "Waiting to start",
    REPRESENTING: "Reading the ideas",
    CLUSTERING: "Grouping similar ideas",
    LABELLING: "Naming the themes",
    DONE: "Done",
}


@dataclass(frozen=True)
class RunProgress:
    """A pending or finished run's position, as pages and the API show it."""

    run_id: int
    status: str
    stage: str
    done: int
    total: int

    @property
    def text(self) -> str:
        """Plain English, e.g. "Reading the ideas: 120 of 450"."""
        words = _WORDS.get(self.stage, "Working")
        if self.stage == REPRESENTING and self.total:
            return f"{words}: {self.done} of {self.total}"
        return words

    @property
    def percent(self) -> int:
        """A rough share of the whole run: reading is most of the work, grouping and naming the rest."""
        if self.stage == DONE or self.status == RunStatus.SUCCEEDED:
            return 100
        if self.stage == REPRESENTING:
            return 5 + (60 * self.done // self.total if self.total else 0)
        return {QUEUED: 0, CLUSTERING: 70, LABELLING: 90}.get(self.stage, 0)


def of(run: ThemeRun) -> RunProgress:
    return RunProgress(run.id, run.status, run.stage or QUEUED, run.progress_done or 0, run.progress_total or 0)


def reporter(run_id: int, every: float = MIN_GAP_SECONDS) -> Progress:
    """The callback the run job hands to nlp.find_themes: stores each new stage at once, and the count of ideas
    read at most once every `every` seconds (a commit each; the clock only paces writes and is never stored)."""
    last: list[tuple[str, int, float]] = [("", -1, 0.0)]  # (stage, done, monotonic time) of the last write

    def report(stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        stage_was, done_was, at = last[0]
        if stage == stage_was and (done == done_was or (now - at < every and done < total)):
            return
        last[0] = (stage, done, now)
        db.session.execute(sa.update(ThemeRun).where(ThemeRun.id == run_id)
                           .values(stage=stage, progress_done=done, progress_total=total)
                           .execution_options(synchronize_session=False))
        db.session.commit()  # the caller keeps only plain values across this (commit expires loaded rows)

    return report
