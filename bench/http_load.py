"""Write throughput on ONE conversation against a bare Flask endpoint doing the same INSERT ... ON CONFLICT.

Starts, on free local ports, gunicorn (gevent x2, the production gunicorn.conf.py) serving Chorus on PostgreSQL (the
local server, a database of its own that is emptied) and the same gunicorn serving bench/_bare_app.py on that
database. Then N clients (50 and 200 by default) vote and comment on one conversation's ideas for a fixed time,
double-clicking now and then (the same vote, or the same comment with the same Idempotency-Key, sent twice at
once). Prints per target ok/s, p95, errors, lost writes (acknowledged but not stored) and duplicates, and the ratio.

    .venv/bin/python bench/http_load.py --seconds 60 --clients 50 200 \
        --postgresql postgresql+psycopg://postgres@127.0.0.1:5432/chorus_bench_http
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path, and its name would hide the standard library's http.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse
import asyncio
import json
import os
import random
import secrets
import signal
import subprocess
import tempfile
import threading
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterator

HERE = Path(__file__).resolve().parents[1]
# Another checkout of Chorus to measure (e.g. the previous release, for a before/after in the same conditions).
ROOT = Path(os.environ.get("CHORUS_BENCH_ROOT") or HERE).resolve()
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))
from bench.live import PSEUDONYM, SECRET, free_port, fresh_postgresql  # noqa: E402

IDEAS = 20
BARE_SCHEMA = """
CREATE TABLE IF NOT EXISTS bare_vote (idea_id TEXT, voter TEXT, value SMALLINT, PRIMARY KEY (idea_id, voter));
CREATE TABLE IF NOT EXISTS bare_comment (id SERIAL PRIMARY KEY, token TEXT UNIQUE, idea_id TEXT, body TEXT);
"""


def prepare(database: str, clients: int, key_dir: str) -> dict:
    """One open conversation with IDEAS ideas and one API token per client (cheap password hashing: bench only)."""
    from argon2 import PasswordHasher

    from app import create_app
    from app.extensions import db
    from app.models.base import utcnow
    from app.services.accounts import organisations, users
    from app.services.common.participants import Participant
    from app.services.content import ideas
    from app.services.conversations import lifecycle
    from datetime import timedelta

    users._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database, "SECRET_KEY": SECRET,
                      "CHORUS_PSEUDONYM_KEY": PSEUDONYM, "CHORUS_KEY_DIR": key_dir})
    with app.app_context():
        db.create_all()
        org = organisations.create_organisation("Bench Trust", "B001")
        people = [users.create_user(f"bench{n}@trust.nhs.uk", organisation=org, password="correct-horse-battery")
                  for n in range(clients)]
        conversation = lifecycle.create_conversation(org.id, lifecycle.ConversationDetails(
            title="Bench", audience_ids=[org.id], questions=["What would help?"], closes_at=utcnow() + timedelta(days=1)))
        lifecycle.open_conversation(conversation)
        author = Participant.from_user(people[0])
        idea_ids = [ideas.post_idea(author, conversation.questions[0].id, f"Bench idea number {n} for the wards")[0].id
                    for n in range(IDEAS)]
        info = {"conversation": conversation.id, "ideas": idea_ids,
                "tokens": [users.create_api_token(person) for person in people]}
        db.session.remove()
        db.engine.dispose()
    return info


@contextmanager
def server(app_path: str, env: dict[str, str], port: int, root: Path) -> Iterator[None]:
    """gunicorn with the production settings on a free port; stopped however the block ends."""
    log = tempfile.TemporaryFile()  # a file, not a pipe: a chatty server must never block on a full pipe
    process = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "-c", "gunicorn.conf.py", app_path],
                               cwd=root, env=env | {"BIND": f"127.0.0.1:{port}"},
                               stdout=subprocess.DEVNULL, stderr=log)
    try:
        deadline = time.monotonic() + 300  # generous: the machine may be busy
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"{app_path} exited with {process.returncode}: {_tail(log)}")
            try:
                asyncio.run(_request(port, "GET", "/healthz", "", None, {}))
                break
            except OSError:
                time.sleep(0.3)
        yield
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)
        log.close()


def _tail(log) -> str:  # type: ignore[no-untyped-def]
    log.seek(0)
    return log.read()[-2000:].decode(errors="replace")


async def _request(port: int, method: str, path: str, token: str, body: dict | None,
                   headers: dict[str, str]) -> tuple[int, dict]:
    """One HTTP/1.1 request on its own connection (what a browser click costs), JSON in and out."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        payload = json.dumps(body).encode() if body is not None else b""
        head = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close",
                f"Authorization: Bearer {token}", f"Content-Length: {len(payload)}"]
        head += ["Content-Type: application/json"] if body is not None else []
        head += [f"{k}: {v}" for k, v in headers.items()]
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + payload)
        await writer.drain()
        raw = await reader.read()
    finally:
        writer.close()
    status = int(raw.split(b" ", 2)[1])
    text = raw.split(b"\r\n\r\n", 1)[1] if b"\r\n\r\n" in raw else b""
    try:
        return status, json.loads(text or b"{}")
    except ValueError:
        return status, {}


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    ok: int = 0
    errors: dict[int, int] = field(default_factory=dict)
    votes: set[tuple[int, str]] = field(default_factory=set)  # (client, idea) acknowledged
    tried: set[tuple[int, str]] = field(default_factory=set)  # (client, idea) sent, answered or not
    comments: dict[str, str] = field(default_factory=dict)  # body -> acknowledged id
    by_kind: dict[str, list[float]] = field(default_factory=dict)  # "vote" / "comment" -> latencies


async def _client(n: int, port: int, info: dict, tally: Tally, deadline: float, rng: random.Random) -> None:
    token = info["tokens"][n]
    while time.monotonic() < deadline:
        idea = rng.choice(info["ideas"])
        twice = rng.random() < 0.2  # a double click: the same request twice at once
        if rng.random() < 0.7:
            calls = [("PUT", f"/api/v1/ideas/{idea}/vote", {"choice": "support"}, {})] * (2 if twice else 1)
            key = ("vote", (n, idea))
            tally.tried.add((n, idea))
        else:
            body, token_key = f"bench comment {secrets.token_hex(8)}", secrets.token_hex(12)
            # confirm_identifying: a random hex string can look like a phone number to the identifying-details check.
            calls = [("POST", f"/api/v1/ideas/{idea}/comments", {"body": body, "confirm_identifying": True},
                      {"Idempotency-Key": token_key})]
            calls *= 2 if twice else 1
            key = ("comment", body)
        started = time.monotonic()
        results = await asyncio.gather(*(_request(port, m, p, token, b, h) for m, p, b, h in calls),
                                       return_exceptions=True)
        elapsed = time.monotonic() - started
        for result in results:
            if isinstance(result, BaseException):
                tally.errors[0] = tally.errors.get(0, 0) + 1
                continue
            status, data = result
            tally.latencies.append(elapsed)
            tally.by_kind.setdefault(key[0], []).append(elapsed)
            if status in (200, 201):
                tally.ok += 1
                if key[0] == "vote":
                    tally.votes.add(key[1])  # type: ignore[arg-type]
                else:
                    tally.comments[key[1]] = str(data.get("id"))  # type: ignore[index]
            else:
                tally.errors[status] = tally.errors.get(status, 0) + 1


class WaitSampler(threading.Thread):
    """Samples pg_stat_activity of the bench database every `interval` s while the clients run.

    Counts, per sample, the server sessions that wait on a lock (by the statement they wait in: the live-event
    numbering UPDATE of the conversation row, or anything else), wait on the WAL, or are busy: how many writes queue
    on the conversation row, and so how long each one holds it.
    """

    QUERY = ("SELECT state, wait_event_type, wait_event, left(query, 60) FROM pg_stat_activity "
             "WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'")

    def __init__(self, database: str, interval: float = 0.5) -> None:
        super().__init__(daemon=True)
        self.database, self.interval = database, interval
        self.samples: list[Counter[str]] = []
        self.stopping = threading.Event()

    def run(self) -> None:
        import sqlalchemy as sa

        engine = sa.create_engine(self.database, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            while not self.stopping.wait(self.interval):
                sample: Counter[str] = Counter()
                for state, wait_type, wait_event, query in connection.execute(sa.text(self.QUERY)):
                    sample[self.classify(state, wait_type, wait_event, query or "")] += 1
                self.samples.append(sample)
        engine.dispose()

    @staticmethod
    def classify(state: str | None, wait_type: str | None, wait_event: str | None, query: str) -> str:
        if wait_type == "Lock":
            numbering = "UPDATE conversation SET live_seq" in query
            return "lock_wait_numbering" if numbering else "lock_wait_other"
        if wait_type == "IO" and wait_event and wait_event.startswith("WAL"):
            return "wal"
        if state == "active":
            return "active"
        if state and state.startswith("idle in transaction"):
            return "idle_in_transaction"
        return "idle"

    def summary(self) -> dict[str, float]:
        """Mean sessions per sample in each class."""
        total: Counter[str] = Counter()
        for sample in self.samples:
            total.update(sample)
        return {name: round(count / max(1, len(self.samples)), 1) for name, count in sorted(total.items())}


async def drive(port: int, info: dict, clients: int, seconds: float) -> Tally:
    tally, deadline = Tally(), time.monotonic() + seconds
    await asyncio.gather(*(_client(n, port, info, tally, deadline, random.Random(n)) for n in range(clients)))
    return tally


def check(database: str, tally: Tally, bare: bool, conversation_id: int) -> tuple[int, int]:
    """(lost, duplicates): acknowledged writes missing from the database, and writes stored twice."""
    import sqlalchemy as sa

    engine = sa.create_engine(database)
    with engine.connect() as connection:
        if bare:
            votes = dict(connection.execute(sa.text("SELECT idea_id, count(*) FROM bare_vote GROUP BY idea_id")).all())
            bodies = connection.execute(sa.text("SELECT body, count(*) FROM bare_comment GROUP BY body")).all()
        else:
            votes = dict(connection.execute(sa.text(
                "SELECT idea_id, count(*) FROM vote WHERE conversation_id = :c GROUP BY idea_id"), {"c": conversation_id}).all())
            bodies = connection.execute(sa.text(
                "SELECT body, count(*) FROM comment WHERE conversation_id = :c GROUP BY body"), {"c": conversation_id}).all()
    engine.dispose()
    stored = dict(bodies)
    acknowledged: dict[str, int] = {}
    for _, idea in tally.votes:
        acknowledged[idea] = acknowledged.get(idea, 0) + 1
    lost = sum(max(0, n - votes.get(idea, 0)) for idea, n in acknowledged.items())
    lost += sum(1 for body in tally.comments if body not in stored)
    duplicates = sum(n - 1 for n in stored.values() if n > 1)
    # Votes: one per person per idea, so more rows than people who tried to vote on it would be duplicates (a vote
    # stored although its answer was an error is not one).
    tried: dict[str, int] = {}
    for _, idea in tally.tried:
        tried[idea] = tried.get(idea, 0) + 1
    duplicates += sum(max(0, count - tried.get(idea, 0)) for idea, count in votes.items())
    return lost, duplicates


def _percentile(latencies: list[float], share: float) -> int | None:
    """The latency (ms) `share` of the sorted latencies are at or under."""
    return round(latencies[max(0, int(len(latencies) * share) - 1)] * 1000) if latencies else None


def summary(tally: Tally, seconds: float, lost: int, duplicates: int) -> dict:
    latencies = sorted(tally.latencies)
    # Per kind: where a p95 comes from (with N clients always waiting, the mean is N / throughput; the spread
    # around it is the server's fairness between requests).
    spread = {kind: {"mean_ms": round(1000 * sum(found) / len(found)), "p50_ms": _percentile(sorted(found), 0.5),
                     "p95_ms": _percentile(sorted(found), 0.95), "p99_ms": _percentile(sorted(found), 0.99)}
              for kind, found in sorted(tally.by_kind.items()) if found}
    return {"ok_per_s": round(tally.ok / seconds, 1), "p95_ms": _percentile(latencies, 0.95),
            "errors": sum(tally.errors.values()), "error_statuses": tally.errors, "lost": lost, "duplicates": duplicates,
            "by_kind": spread}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, nargs="+", default=[50, 200])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--postgresql", metavar="URL", default="postgresql+psycopg://postgres@127.0.0.1:5432/chorus_bench_http",
                        help="a scratch PostgreSQL database of its own (emptied!)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--redis", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/3"),
                        help="Redis for live pub/sub (more than one worker needs it)")
    args = parser.parse_args()
    base_env = {k: v for k, v in os.environ.items() if not k.startswith(("CHORUS_", "DATABASE_URL", "REDIS_URL"))}
    base_env.update(WEB_CONCURRENCY=str(args.workers), LOG_LEVEL="warning",
                    CHORUS_WORKER_CONNECTIONS=str(max(1000, 4 * max(args.clients))))
    for clients in args.clients:
        with tempfile.TemporaryDirectory() as tmp:
            fresh_postgresql(args.postgresql)
            info = prepare(args.postgresql, clients, f"{tmp}/keys")
            chorus_env = base_env | {
                "DATABASE_URL": args.postgresql, "REDIS_URL": args.redis, "SECRET_KEY": SECRET, "CHORUS_PSEUDONYM_KEY": PSEUDONYM,
                "CHORUS_KEY_DIR": f"{tmp}/keys", "CHORUS_JOBS": "thread", "CHORUS_SCHEDULER": "false",
                "CHORUS_RATELIMIT_POST": "1000000 per minute", "WEB_CONCURRENCY": "1" if args.workers < 2 else str(args.workers)}
            results = {}
            for name, app_path, env, root in (
                    ("chorus", "wsgi:app", chorus_env, ROOT),
                    ("bare", "bench._bare_app:app", base_env | {"BARE_DATABASE_URL": args.postgresql, "REDIS_URL": args.redis}, HERE)):
                port = free_port()
                if name == "bare":
                    _bare_schema(args.postgresql)
                with server(app_path, env, port, root):
                    sampler = WaitSampler(args.postgresql)
                    sampler.start()
                    try:
                        tally = asyncio.run(drive(port, info, clients, args.seconds))
                    finally:
                        sampler.stopping.set()
                        sampler.join()
                lost, duplicates = check(args.postgresql, tally, name == "bare", info["conversation"])
                results[name] = summary(tally, args.seconds, lost, duplicates) | {"sessions": sampler.summary()}
            ratio = results["chorus"]["ok_per_s"] / results["bare"]["ok_per_s"] if results["bare"]["ok_per_s"] else None
            print(json.dumps({"clients": clients, "seconds": args.seconds, **results,
                              "ratio": round(ratio, 2) if ratio is not None else None}), flush=True)


def _bare_schema(url: str) -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.begin() as connection:
        for statement in filter(str.strip, BARE_SCHEMA.split(";")):
            connection.execute(sa.text(statement))
    engine.dispose()


if __name__ == "__main__":
    main()
