"""Server CPU per write (issue #18): votes and comments through Chorus's WSGI app against the bare Flask endpoint.

Builds Chorus as production runs it (config.Config from the environment: PostgreSQL, Redis for rate limits and live
pub/sub, the posting limit on), seeds one open conversation with bench/http_load.py's `prepare` (ideas, one API
token per person), then sends votes and comments one after another straight into the WSGI callable (no sockets, no
test client), and the same requests to bench/_bare_app.py (the same INSERT ... ON CONFLICT on the same database).
Prints, per target and kind, CPU ms per request (time.process_time, this process only: the database's and Redis's
CPU are not in it), SQL statements and Redis round trips per request, and the ratio bare/Chorus. CPU time is
robust to other load on the machine; wall time is printed for reference only.

    .venv/bin/python bench/write_cpu.py --votes 500 --comments 200 \
        --postgresql postgresql+psycopg://postgres@127.0.0.1:5432/chorus_perfw_cpu --redis redis://127.0.0.1:6379/4
    .venv/bin/python bench/write_cpu.py --profile vote --sort tottime   # where a vote's CPU goes (cProfile)
    .venv/bin/python bench/write_cpu.py --baseline /tmp/main --rounds 2 …  # another tree (git archive main) and
                                                                        # this one in turns, a table of both
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path, and bench/http.py would hide the standard library's
# http (with --baseline, the other tree's http_load.py removes only its own folder).
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse
import cProfile
import io
import json
import os
import pstats
import random
import secrets
import tempfile
import time
from collections.abc import Callable, Iterable

HERE = Path(__file__).resolve().parents[1]
ROOT = Path(os.environ.get("CHORUS_BENCH_ROOT") or HERE).resolve()  # another checkout to measure (before/after)
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

from bench.live import PSEUDONYM, SECRET, fresh_postgresql

Request = tuple[str, str, bytes, dict[str, str]]  # method, path, JSON body, extra headers


def _environ(method: str, path: str, body: bytes, headers: dict[str, str]) -> Callable[[], dict]:
    """A WSGI environ built once; each call returns a fresh copy with its own body stream."""
    from werkzeug.test import EnvironBuilder

    builder = EnvironBuilder(path=path, method=method, data=body, headers=headers, content_type="application/json")
    base = builder.get_environ()
    builder.close()

    def make() -> dict:
        environ = dict(base)
        environ["wsgi.input"] = io.BytesIO(body)
        return environ

    return make


def _call(app: Callable, environ: dict) -> int:
    status: list[str] = []

    def start_response(s: str, headers: list, exc_info: object = None) -> None:
        status.append(s)

    body = app(environ, start_response)
    try:
        for _ in body:
            pass
    finally:
        close = getattr(body, "close", None)
        if close is not None:
            close()
    return int(status[0].split(" ", 1)[0])


def requests(info: dict, votes: int, comments: int, rng: random.Random) -> dict[str, list[Request]]:
    """Votes (each person on an idea chosen at random, so some are changes of an existing vote) and comments."""
    out: dict[str, list[Request]] = {"vote": [], "comment": []}
    for n in range(votes):
        token = info["tokens"][n % len(info["tokens"])]
        idea = rng.choice(info["ideas"])
        out["vote"].append(("PUT", f"/api/v1/ideas/{idea}/vote", json.dumps({"choice": "support"}).encode(),
                            {"Authorization": f"Bearer {token}"}))
    for n in range(comments):
        token = info["tokens"][n % len(info["tokens"])]
        idea = rng.choice(info["ideas"])
        body = {"body": f"bench comment {secrets.token_hex(8)}", "confirm_identifying": True}
        out["comment"].append(("POST", f"/api/v1/ideas/{idea}/comments", json.dumps(body).encode(),
                               {"Authorization": f"Bearer {token}", "Idempotency-Key": secrets.token_hex(12)}))
    return out


REDIS_SENT = [0]  # Redis round trips from this process (a pipeline is one)


def _count_redis() -> None:
    import redis.connection

    original = redis.connection.AbstractConnection.send_packed_command

    def send(connection: object, command: object, check_health: bool = True) -> None:
        REDIS_SENT[0] += 1
        original(connection, command, check_health)  # type: ignore[arg-type]

    redis.connection.AbstractConnection.send_packed_command = send  # type: ignore[method-assign]


class Counter:
    """SQL statements on one engine and Redis round trips while measuring."""

    def __init__(self, engine: object) -> None:
        import sqlalchemy as sa

        self.sql = 0
        sa.event.listen(engine, "before_cursor_execute", self._statement)

    @property
    def redis(self) -> int:
        return REDIS_SENT[0]

    def _statement(self, *args: object) -> None:
        self.sql += 1


class Tally:
    """CPU and wall time, statements and Redis round trips of one target's requests, block by block."""

    def __init__(self, counter: Counter | None) -> None:
        self.counter = counter
        self.blocks: list[float] = []  # CPU seconds per request, per block
        self.cpu = self.wall = 0.0
        self.requests = self.sql = self.redis = 0
        self.statuses: dict[int, int] = {}

    def run(self, app: Callable, environs: list[Callable[[], dict]]) -> None:
        sql0, redis0 = (self.counter.sql, self.counter.redis) if self.counter else (0, 0)
        cpu0, wall0 = time.process_time(), time.perf_counter()
        for make in environs:
            status = _call(app, make())
            self.statuses[status] = self.statuses.get(status, 0) + 1
        cpu = time.process_time() - cpu0
        self.cpu, self.wall = self.cpu + cpu, self.wall + time.perf_counter() - wall0
        self.blocks.append(cpu / max(1, len(environs)))
        self.requests += len(environs)
        if self.counter:
            self.sql += self.counter.sql - sql0
            self.redis += self.counter.redis - redis0

    def summary(self) -> dict:
        n = max(1, self.requests)
        return {"requests": self.requests, "statuses": self.statuses, "cpu_ms": round(self.cpu * 1000 / n, 2),
                "cpu_ms_best_block": round(min(self.blocks) * 1000, 2), "wall_ms": round(self.wall * 1000 / n, 2),
                "statements": round(self.sql / n, 2) if self.counter else None,
                "redis_round_trips": round(self.redis / n, 2) if self.counter else None}


def measure(targets: dict[str, tuple[Callable, Counter | None]], batch: list[Request], block: int = 40,
            warm: int = 20) -> dict:
    """The same requests to every target, interleaved block by block so that both see the same machine load.

    The first `warm` requests of each target are not counted. CPU per request is given as the mean and as the best
    block (the least disturbed by other processes).
    """
    tallies = {name: Tally(counter) for name, (_, counter) in targets.items()}
    environs = [_environ(*r) for r in batch]
    for app, _ in targets.values():
        for make in environs[:warm]:
            _call(app, make())
    for start in range(warm, len(environs), block):
        for name, (app, _) in targets.items():
            tallies[name].run(app, environs[start:start + block])
    return {name: tally.summary() for name, tally in tallies.items()}


def chorus_app(database: str, redis_url: str, key_dir: str) -> tuple[Callable, object]:
    """Chorus with the production config class, as bench/http_load.py serves it (gunicorn's environment)."""
    os.environ.update({
        "DATABASE_URL": database, "REDIS_URL": redis_url, "SECRET_KEY": SECRET, "CHORUS_PSEUDONYM_KEY": PSEUDONYM,
        "CHORUS_KEY_DIR": key_dir, "CHORUS_JOBS": "thread", "CHORUS_SCHEDULER": "false", "LOG_LEVEL": "warning",
        "CHORUS_RATELIMIT_POST": "1000000 per minute", "WEB_CONCURRENCY": "2"})
    import importlib

    import config

    importlib.reload(config)  # Config reads the environment when the module is imported
    from app import create_app
    from app.extensions import db

    # RATELIMIT_ENABLED said outright: the limiter is module-wide, and init_app keeps the previous app's setting
    # when the config does not name one (prepare() built a TESTING app, which turns limits off).
    app = create_app({"RATELIMIT_ENABLED": True})
    with app.app_context():
        engine = db.engine
    return app, engine  # Flask.__call__ is the WSGI entry gunicorn calls


def bare_app(database: str) -> tuple[Callable, object]:
    os.environ["BARE_DATABASE_URL"] = database
    from bench import _bare_app
    from bench.http_load import _bare_schema

    _bare_schema(database)
    return _bare_app.app, _bare_app.engine


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--votes", type=int, default=500)
    parser.add_argument("--comments", type=int, default=200)
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--postgresql", metavar="URL", default="postgresql+psycopg://postgres@127.0.0.1:5432/chorus_perfw_cpu",
                        help="a scratch PostgreSQL database of its own (emptied!)")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/4")
    parser.add_argument("--profile", choices=["vote", "comment"], help="cProfile Chorus on this kind instead")
    parser.add_argument("--sort", default="cumulative", help="cProfile sort key (cumulative, tottime)")
    parser.add_argument("--lines", type=int, default=45)
    parser.add_argument("--baseline", metavar="DIR", help="another checkout (e.g. git archive main) measured in turns")
    parser.add_argument("--rounds", type=int, default=2, help="with --baseline: rounds of baseline then this tree")
    args = parser.parse_args()
    if args.baseline:
        in_turns(args)
        return

    from bench.http_load import prepare

    with tempfile.TemporaryDirectory() as tmp:
        fresh_postgresql(args.postgresql)
        info = prepare(args.postgresql, args.people, f"{tmp}/keys")
        batches = requests(info, args.votes, args.comments, random.Random(18))
        chorus, chorus_engine = chorus_app(args.postgresql, args.redis, f"{tmp}/keys")
        if args.profile:
            batch = batches[args.profile]
            environs = [_environ(*r) for r in batch]
            for make in environs[:20]:
                _call(chorus, make())
            profiler = cProfile.Profile(time.process_time)  # CPU, not time spent waiting for the database
            profiler.enable()
            for make in environs[20:]:
                _call(chorus, make())
            profiler.disable()
            pstats.Stats(profiler).strip_dirs().sort_stats(args.sort).print_stats(args.lines)
            return
        _count_redis()
        chorus_counter = Counter(chorus_engine)
        bare, bare_engine = bare_app(args.postgresql)
        bare_counter = Counter(bare_engine)
        results: dict[str, dict] = {}
        targets = {"chorus": (chorus, chorus_counter), "bare": (bare, bare_counter)}
        for kind, batch in batches.items():
            # The bare endpoint records its votes in its own table: the same requests, the same choices.
            results[kind] = measure(targets, batch)
            for figure in ("cpu_ms", "cpu_ms_best_block"):
                c, b = results[kind]["chorus"][figure], results[kind]["bare"][figure]
                results[kind]["ratio_" + figure] = round(b / c, 3) if c else None
        print(json.dumps({"load_average": os.getloadavg(), "people": args.people, **results}, indent=1))


def in_turns(args: argparse.Namespace) -> None:
    """Run this script on the baseline tree and on this one, one after the other, `rounds` times; print a table."""
    import subprocess

    passed = [a for a in sys.argv[1:] if a not in ("--baseline", args.baseline, "--rounds", str(args.rounds))]
    print("| round | tree | load | write | CPU ms (best block) | statements | bare CPU ms | ratio bare/Chorus |")
    print("|---|---|---|---|---|---|---|---|")
    for round_ in range(1, args.rounds + 1):
        for name, root in (("baseline", args.baseline), ("this tree", str(HERE))):
            env = {**os.environ, "CHORUS_BENCH_ROOT": root}
            out = subprocess.run([sys.executable, str(Path(__file__).resolve()), *passed], env=env, check=True,
                                 capture_output=True, text=True).stdout
            result = json.loads(out[out.index("{"):])
            load = result["load_average"][0]
            for kind in ("vote", "comment"):
                c, b = result[kind]["chorus"], result[kind]["bare"]
                print(f"| {round_} | {name} | {load:.1f} | {kind} | {c['cpu_ms']} ({c['cpu_ms_best_block']}) | "
                      f"{c['statements']} | {b['cpu_ms']} | {result[kind]['ratio_cpu_ms']} |", flush=True)


if __name__ == "__main__":
    main()
