"""enqueue_once: many requests for the same waiting job make one job, on the thread runner and RQ alike."""

from __future__ import annotations

import app.jobs as jobs


class _HeldExecutor:
    """Stands in for the one job thread: keeps submitted jobs until the test runs them."""

    def __init__(self) -> None:
        self.submitted: list[tuple] = []

    def submit(self, fn, *args):  # type: ignore[no-untyped-def]
        self.submitted.append((fn, args))


def test_the_thread_runner_queues_one_job_while_it_waits_and_a_new_one_once_it_started(app, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    ran: list[int] = []
    monkeypatch.setattr(jobs, "_registry", lambda: {"ideas.embed": ran.append})
    held = _HeldExecutor()
    monkeypatch.setattr(jobs, "_executor", held)
    monkeypatch.setattr(jobs, "_waiting", set())
    app.config["CHORUS_JOBS"] = "thread"
    for _ in range(3):
        jobs.enqueue_once("ideas.embed", 7)
    jobs.enqueue_once("ideas.embed", 8)  # another conversation is another job
    assert [args[1:] for _, args in held.submitted] == [("ideas.embed", (7,)), ("ideas.embed", (8,))]
    fn, args = held.submitted.pop(0)
    fn(*args)  # the job starts (and runs): work arriving from now on needs a new job
    assert ran == [7]
    jobs.enqueue_once("ideas.embed", 7)
    jobs.enqueue_once("ideas.embed", 8)  # still waiting: nothing new
    assert [args[1:] for _, args in held.submitted] == [("ideas.embed", (8,)), ("ideas.embed", (7,))]


def test_a_job_that_could_not_be_queued_leaves_no_mark_behind(app, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import pytest

    class _Broken:
        def submit(self, fn, *args):  # type: ignore[no-untyped-def]
            raise RuntimeError("cannot start a thread")

    monkeypatch.setattr(jobs, "_registry", lambda: {"ideas.embed": lambda conversation_id: None})
    monkeypatch.setattr(jobs, "_executor", _Broken())
    monkeypatch.setattr(jobs, "_waiting", set())
    app.config["CHORUS_JOBS"] = "thread"
    with pytest.raises(RuntimeError):
        jobs.enqueue_once("ideas.embed", 7)
    held = _HeldExecutor()
    monkeypatch.setattr(jobs, "_executor", held)
    jobs.enqueue_once("ideas.embed", 7)  # queued: the failed attempt left no "waiting" mark
    assert len(held.submitted) == 1
