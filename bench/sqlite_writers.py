"""Concurrent writers on the embedded default (a SQLite file): the old rollback journal with a 5 s busy timeout
against WAL with the new timeout, same run. Each writer posts an idea and votes, in its own thread or process.

    .venv/bin/python bench/sqlite_writers.py --writers 50 --rounds 3 --processes
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import tempfile
import threading
import time
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _bigconv import app_for  # noqa: E402


def _old_journal(app) -> None:  # type: ignore[no-untyped-def]
    """As before this change: the rollback journal (set once at setup) and a 5 s busy timeout."""
    from app.extensions import db

    def pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()

    with app.app_context():
        sa.event.listen(db.engine, "connect", pragmas)


def _app(path: Path, mode: str):  # type: ignore[no-untyped-def]
    import app.sqlite

    if mode == "old":
        app.sqlite._is_file = lambda url: False  # no WAL: the old connection pragmas
    created = app_for(path)
    if mode == "old":
        _old_journal(created)
    return created


def _setup(path: Path, writers: int, mode: str) -> None:
    from app.extensions import db
    from app.services.accounts import organisations, users
    from app.services.conversations import lifecycle

    with _app(path, mode).app_context():
        db.create_all()
        org = organisations.create_organisation("Bench Trust", "B001")
        for n in range(writers):
            users.create_user(f"w{n}@bench.nhs.uk", organisation=org, role="participant",
                              password="correct-horse-battery", display_name=f"W{n}")
        conversation = lifecycle.create_conversation(org.id, lifecycle.ConversationDetails(
            title="Bench", audience_ids=[org.id], questions=["What would help?"]))
        lifecycle.open_conversation(conversation)
        db.session.remove()
        db.engine.dispose()


def _write(path: str, mode: str, n: int, rounds: int, start, results) -> None:  # type: ignore[no-untyped-def]
    from app.extensions import db
    from app.models import Question, User
    from app.services.common.participants import Participant
    from app.services.content import ideas, voting

    ok = errors = 0
    try:
        app = _app(Path(path), mode)
        with app.app_context():
            person = Participant.from_user(
                db.session.scalars(sa.select(User).where(User.email == f"w{n}@bench.nhs.uk")).one())
            question_id = db.session.scalar(sa.select(Question.id))
            db.session.remove()
    except Exception:  # noqa: BLE001  (a writer that cannot even start counts as failing every round)
        start.wait()
        results.put((0, rounds))
        return
    with app.app_context():
        start.wait()
        for r in range(rounds):
            try:
                idea, _ = ideas.post_idea(person, question_id, f"Idea {n}-{r} about rotas and parking on nights")
                voting.cast_vote(person, idea.id, "support")
                ok += 1
            except Exception:  # noqa: BLE001  (counted, whatever it is)
                errors += 1
                db.session.rollback()
            finally:
                db.session.remove()
    results.put((ok, errors))


def run(mode: str, writers: int, rounds: int, processes: bool) -> tuple[int, int, float]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "writers.sqlite"
        _setup(path, writers, mode)
        if processes:
            context = multiprocessing.get_context("spawn")
            start, results = context.Barrier(writers + 1), context.Queue()
            workers = [context.Process(target=_write, args=(str(path), mode, n, rounds, start, results))
                       for n in range(writers)]
        else:
            import queue

            start, results = threading.Barrier(writers + 1), queue.Queue()
            workers = [threading.Thread(target=_write, args=(str(path), mode, n, rounds, start, results))
                       for n in range(writers)]
        for worker in workers:
            worker.start()
        start.wait()
        began = time.perf_counter()
        outcomes = [results.get() for _ in workers]
        elapsed = time.perf_counter() - began
        for worker in workers:
            worker.join()
    return sum(o for o, _ in outcomes), sum(e for _, e in outcomes), elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writers", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--processes", action="store_true", help="one process per writer (like gunicorn workers)")
    args = parser.parse_args()
    print(f"{'journal':<26} {'writers':>7} {'ok':>5} {'errors':>6} {'writes/s':>8}")
    for mode, label in (("old", "rollback journal, 5 s"), ("new", "WAL, 15 s")):
        ok, errors, elapsed = run(mode, args.writers, args.rounds, args.processes)
        print(f"{label:<26} {args.writers:>7} {ok:>5} {errors:>6} {ok / elapsed:>8.1f}")


if __name__ == "__main__":
    main()
