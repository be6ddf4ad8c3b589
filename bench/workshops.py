"""Live workshop features: word cloud cost, quick-poll answers under concurrent load, theme run progress overhead.

Uses a temporary file SQLite database (or --postgresql URL, a scratch database that is emptied) and the app's own
services in-process; prints its figures. Every loop is bounded.

    .venv/bin/python -m bench.workshops --notes 50 300 --answerers 50 --ideas 600
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Run as a script, bench/ would come first on the path and its http.py would hide the standard library's http.
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]

import sqlalchemy as sa  # noqa: E402


def _notes(count: int) -> list[str]:
    lines = [line.strip() for line in (ROOT / "app" / "demo" / "staff_demo_ideas.txt").read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    return [lines[i % len(lines)] for i in range(count)]


def bench_word_cloud(counts: list[int]) -> None:
    from nlp.wordcloud import word_cloud

    print("word cloud (nlp.wordcloud.word_cloud, median of 5)")
    for count in counts:
        texts = _notes(count)
        times = []
        for _ in range(5):
            start = time.perf_counter()
            cloud = word_cloud(texts)
            times.append(time.perf_counter() - start)
        print(f"  {count:>5} notes: {1000 * statistics.median(times):7.1f} ms, {len(cloud.words)} words, "
              f"{len(cloud.placed)} drawn")


def _app(url: str):  # type: ignore[no-untyped-def]
    from app import create_app
    from app.extensions import db

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "CHORUS_JOBS": "inline"})
    with app.app_context():
        if url.startswith("postgresql"):
            with db.engine.begin() as connection:
                connection.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        db.create_all()
    return app


def _world(app, people: int):  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from app.models.base import utcnow
    from app.services.accounts import organisations, users
    from app.services.common.participants import Participant
    from app.services.conversations import lifecycle

    with app.app_context():
        org = organisations.create_organisation("Bench Trust", "BEN")
        conversation = lifecycle.create_conversation(org.id, lifecycle.ConversationDetails(
            title="Bench workshop", voting_mode="support", comments_enabled=True, audience_ids=[org.id],
            questions=["What would make work better?"], closes_at=utcnow() + timedelta(days=7)))
        lifecycle.open_conversation(conversation)
        made = [users.create_user(f"p{n}@bench.nhs.uk", organisation=org, role="participant", staff_group=None,
                                  password=None, display_name=f"P{n}") for n in range(people)]
        return conversation.id, conversation.questions[0].id, [Participant.from_user(u) for u in made]


def bench_poll_answers(url: str, answerers: int) -> None:
    from app.extensions import db
    from app.models import Conversation
    from app.services.workshops import polls

    app = _app(url)
    conversation_id, _, people = _world(app, answerers)
    with app.app_context():
        conversation = db.session.get_one(Conversation, conversation_id)
        poll = polls.create_poll(conversation, "Which change first?", "choice", ["Rotas", "Parking", "Food"])
        polls.open_poll(conversation, poll.id)
        poll_id = poll.id
    barrier = threading.Barrier(answerers)
    latencies: list[float] = []
    failures: list[str] = []

    def answer(index: int) -> None:
        with app.app_context():
            try:
                barrier.wait(timeout=120)
                start = time.perf_counter()
                for _ in range(2):  # each person answers twice at once: the second must change nothing
                    polls.answer_poll(people[index], conversation_id, poll_id, index % 3)
                latencies.append(time.perf_counter() - start)
            except Exception as error:  # noqa: BLE001  (reported, not raised: the bench prints what failed)
                failures.append(type(error).__name__)
            finally:
                db.session.remove()

    started = time.perf_counter()
    threads = [threading.Thread(target=answer, args=(i,)) for i in range(answerers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    wall = time.perf_counter() - started
    with app.app_context():
        found = polls.results(db.session.get_one(polls.Poll, poll_id))
        db.engine.dispose()
    engine = url.split(":", 1)[0]
    print(f"quick poll ({engine}): {answerers} people answer twice at the same moment")
    print(f"  counted {found.total} (expected {answerers}), counts {found.counts}, failures {len(failures)} "
          f"{sorted(set(failures))}")
    if latencies:
        ordered = sorted(latencies)
        print(f"  per person (two answers): p50 {1000 * statistics.median(ordered):.0f} ms, "
              f"p95 {1000 * ordered[int(0.95 * (len(ordered) - 1))]:.0f} ms; all done in {wall:.2f} s")


def bench_run_progress(url: str, ideas_count: int) -> None:
    from app.extensions import db
    from app.models import ThemeRun
    from app.services.content import ideas
    from app.services.themes import progress
    from app.services.themes import runs as theme_runs

    app = _app(url)
    conversation_id, question_id, people = _world(app, 5)
    with app.app_context():
        app.config["CHORUS_THEMES_BACKEND"] = "tfidf-lsa"
        for n, text in enumerate(_notes(ideas_count)):
            ideas.post_idea(people[n % 5], question_id, f"{text} ({n})", allow_identifying=True)
        writes = {"count": 0}
        real = progress.reporter

        def count_progress_writes(conn, cursor, statement, *rest) -> None:  # type: ignore[no-untyped-def]
            if statement.startswith("UPDATE theme_run SET stage="):
                writes["count"] += 1

        sa.event.listen(db.engine, "before_cursor_execute", count_progress_writes)
        timings = {}
        for label, reporter in (("without progress", lambda run_id: (lambda *report: None)), ("with progress", real)):
            progress.reporter = reporter  # type: ignore[assignment]
            times = []
            for _ in range(3):
                run = ThemeRun(conversation_id=conversation_id, trigger="bench")
                db.session.add(run)
                db.session.commit()
                start = time.perf_counter()
                theme_runs.execute_theme_run(run.id)
                times.append(time.perf_counter() - start)
            timings[label] = statistics.median(times)
        progress.reporter = real  # type: ignore[assignment]
        db.engine.dispose()
    engine = url.split(":", 1)[0]
    print(f"theme run ({engine}, {ideas_count} ideas, tfidf-lsa, median of 3)")
    for label, seconds in timings.items():
        print(f"  {label}: {seconds:.2f} s")
    print(f"  progress writes per run: {writes['count'] // 3}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, nargs="+", default=[50, 300])
    parser.add_argument("--answerers", type=int, default=50)
    parser.add_argument("--ideas", type=int, default=600)
    parser.add_argument("--postgresql", help="a scratch PostgreSQL URL (emptied!) instead of a temporary SQLite file")
    args = parser.parse_args()
    bench_word_cloud(args.notes)
    with tempfile.TemporaryDirectory() as scratch:
        bench_poll_answers(args.postgresql or f"sqlite:///{scratch}/polls.sqlite", args.answerers)
    with tempfile.TemporaryDirectory() as scratch:
        bench_run_progress(args.postgresql or f"sqlite:///{scratch}/runs.sqlite", args.ideas)


if __name__ == "__main__":
    main()
