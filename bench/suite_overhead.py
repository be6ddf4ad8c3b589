"""The test suite's fixed cost per test, with and without tests/suite_speed.py's measures; prints a table.

Every test builds a fresh app (create_app), renders a page or two, and on PostgreSQL empties the tables afterwards.
This measures each of those once per round, old way against new way in the same process, alternating so both see
the same machine load. App building and page rendering are measured in CPU seconds of this process (stable on a
busy machine); emptying PostgreSQL is wall time, since the server does the work (skipped without --postgresql).

    .venv/bin/python bench/suite_overhead.py --rounds 10 \\
        --postgresql postgresql+psycopg://postgres@127.0.0.1:5432/chorus_bench_overhead
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)  # the repository, not bench/ (bench/http.py)
os.environ.setdefault("CHORUS_LOG_LEVEL", "warning")

import sqlalchemy as sa  # noqa: E402
from flask import Flask  # noqa: E402
from werkzeug.routing import rules as werkzeug_rules  # noqa: E402

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from tests import suite_speed  # noqa: E402


def _app(url: str = "sqlite://") -> Flask:
    return create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})


def _build_app() -> None:
    _app()


def _sign_in_page() -> None:
    app = _app()
    with app.app_context():
        db.create_all()
        assert app.test_client().get("/auth/sign-in").status_code == 200
        db.session.remove()
        db.engine.dispose()


def _cpu(work: Callable[[], None]) -> float:
    started = time.process_time()
    work()
    return time.process_time() - started


def _switch(cached: bool) -> None:
    """Turn both caches on (the suite's setting) or off (werkzeug's and Flask's own behaviour)."""
    suite_speed.cache_url_builders()
    suite_speed.cache_templates()
    original_builder = suite_speed._original_compile_builder
    assert original_builder is not None
    if cached:
        werkzeug_rules.Rule._compile_builder = _cached_builder  # type: ignore[method-assign]
        suite_speed.TEMPLATES.codes = _template_codes
    else:
        werkzeug_rules.Rule._compile_builder = original_builder  # type: ignore[method-assign]
        suite_speed.TEMPLATES.codes = {}  # an empty cache each time: every template compiled, as without it


suite_speed.cache_url_builders()
_cached_builder = werkzeug_rules.Rule._compile_builder
_template_codes: dict = {}


def _reset_figures(url: str, rounds: int) -> tuple[list[float], list[float]]:
    app = _app(url)
    truncate, delete = [], []
    with app.app_context():
        db.drop_all()
        db.create_all()
        tables = db.metadata.sorted_tables
        from app.services.accounts import organisations, users

        for _ in range(rounds):
            for way in ("truncate", "delete"):
                org = organisations.create_organisation("Bench Trust", "B001")  # a typical test's few rows
                organisations.add_staff_group(org, "Nursing")
                users.create_user("bench@trust.nhs.uk", organisation=org, role="participant", staff_group="Nursing",
                                  password="correct-horse-battery", display_name="Bench")
                db.session.remove()
                started = time.perf_counter()
                if way == "truncate":
                    listed = ", ".join(f'"{t.name}"' for t in tables)
                    with db.engine.begin() as connection:
                        connection.execute(sa.text(f"TRUNCATE {listed} RESTART IDENTITY CASCADE"))
                    truncate.append(time.perf_counter() - started)
                else:
                    suite_speed.reset_pg(db.engine, tables)
                    delete.append(time.perf_counter() - started)
        db.drop_all()
        db.engine.dispose()
    return truncate, delete


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--postgresql", help="a scratch PostgreSQL database URL (its tables are dropped)")
    args = parser.parse_args()
    from app.services.accounts import users
    from argon2 import PasswordHasher

    users._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)  # as in tests/conftest.py
    started_load = os.getloadavg()[0]
    _switch(True)
    _sign_in_page()  # warm imports and both caches
    figures: dict[str, list[float]] = {k: [] for k in ("app old", "app new", "page old", "page new")}
    for _ in range(args.rounds):
        for cached, label in ((False, "old"), (True, "new")):
            _switch(cached)
            figures[f"app {label}"].append(_cpu(_build_app))
            figures[f"page {label}"].append(_cpu(_sign_in_page))
    _switch(True)
    print(f"load average (1 min) at start {started_load:.1f}, end {os.getloadavg()[0]:.1f}; rounds: {args.rounds}")
    print("| step | old (median s) | new (median s) | saved per test |")
    print("|---|---|---|---|")
    for step, name in (("create_app (CPU)", "app"), ("create_app + first sign-in page (CPU)", "page")):
        old, new = statistics.median(figures[f"{name} old"]), statistics.median(figures[f"{name} new"])
        print(f"| {step} | {old:.3f} | {new:.3f} | {old - new:.3f} |")
    if args.postgresql:
        truncate, delete = _reset_figures(args.postgresql, args.rounds)
        old, new = statistics.median(truncate), statistics.median(delete)
        print(f"| empty PostgreSQL after a test (wall) | {old:.3f} | {new:.3f} | {old - new:.3f} |")


if __name__ == "__main__":
    main()
