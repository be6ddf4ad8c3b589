"""Reading pages of a big conversation: the question page (20 ideas of 6,000, every sort) and the API idea list.

Seeds, in a PostgreSQL database of its own (emptied), one open conversation whose first question has --ideas ideas
(default 6,000) with votes and comments, and N staff signed in (a session cookie each, got through the real sign-in
form) with an API token each. Then:

* ``--cpu``: in this process, CPU ms per request (time.process_time over --requests sequential requests through the
  WSGI app, production config) for each route and sort; ``--profile ROUTE`` prints a cProfile of one route.
* HTTP (the default): gunicorn with the production gunicorn.conf.py (gevent xWORKERS, Redis) serving Chorus, and the
  same gunicorn serving bench/_bare_app.py's trivial page (20 rows through Jinja), each hit by N clients for
  --seconds; prints req/s, p95 and errors per route, beside the bare page's in the same run.

    .venv/bin/python bench/http_pages.py --cpu --requests 200 --postgresql postgresql+psycopg://postgres@127.0.0.1:5432/chorus_bench_pages
    .venv/bin/python bench/http_pages.py --clients 50 --seconds 30 --postgresql ...
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path, and its name would hide the standard library's http.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse
import asyncio
import cProfile
import http.client
import json
import os
import pstats
import random
import re
import secrets
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parents[1]
ROOT = Path(os.environ.get("CHORUS_BENCH_ROOT") or HERE).resolve()
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))
from bench.http_load import _request, server
from bench.live import PSEUDONYM, SECRET, free_port, fresh_postgresql

PASSWORD = "correct-horse-battery"
SORTS = ("random", "newest", "supported", "discussed")
# What a browser sends; the app compresses what it is offered (CHORUS_COMPRESS, brotli first).
BROWSER_ENCODING = "gzip, deflate, br, zstd"
# Sessions are bound to the address and User-Agent they signed in from (Flask-Login's "strong" protection).
AGENT = {"User-Agent": "chorus-bench/1"}


def _env(database: str, redis: str, key_dir: str) -> dict[str, str]:
    """The settings the gunicorn run and the in-process run share (production config, no test settings)."""
    return {"DATABASE_URL": database, "REDIS_URL": redis, "SECRET_KEY": SECRET, "CHORUS_PSEUDONYM_KEY": PSEUDONYM,
            "CHORUS_KEY_DIR": key_dir, "CHORUS_JOBS": "thread", "CHORUS_SCHEDULER": "false",
            "SESSION_COOKIE_SECURE": "false", "CHORUS_RATELIMIT_POST": "1000000 per minute"}


def prepare(database: str, clients: int, ideas: int, key_dir: str) -> dict:
    """One open conversation, `ideas` ideas in its first question with votes and comments, `clients` people signed in."""
    from datetime import timedelta

    import sqlalchemy as sa
    from argon2 import PasswordHasher

    from app import create_app
    from app.crypto import author_tag, voter_pseudonym
    from app.extensions import db
    from app.models import Comment, Idea, Vote
    from app.models.base import utcnow
    from app.services.accounts import organisations, users
    from app.services.common.keys import conversation_key
    from app.services.common.participants import Participant
    from app.services.conversations import lifecycle

    users._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    rng = random.Random(18)
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database, "SECRET_KEY": SECRET,
                      "CHORUS_PSEUDONYM_KEY": PSEUDONYM, "CHORUS_KEY_DIR": key_dir})
    with app.app_context():
        db.create_all()
        org = organisations.create_organisation("Bench Trust", "B001")
        people = [users.create_user(f"reader{n}@trust.nhs.uk", organisation=org, password=PASSWORD)
                  for n in range(clients)]
        conversation = lifecycle.create_conversation(org.id, lifecycle.ConversationDetails(
            title="Bench", audience_ids=[org.id], questions=["What would help?", "What gets in the way?"],
            closes_at=utcnow() + timedelta(days=7)))
        lifecycle.open_conversation(conversation)
        key = conversation_key(conversation)
        question = conversation.questions[0].id
        words = ["parking", "night", "shift", "rota", "break", "room", "canteen", "staffing", "training", "wellbeing", "manager", "ward", "handover", "equipment", "heating", "lockers", "flexible", "working", "bank", "staff", "recognition", "career", "induction"]
        rows = []
        for n in range(ideas):
            nonce = secrets.token_hex(16)
            rows.append({"id": secrets.token_urlsafe(12), "conversation_id": conversation.id, "question_id": question,
                         "body": " ".join(rng.choices(words, k=rng.randint(8, 40))) + f" ({n})", "nonce": nonce,
                         "author_tag": author_tag(key, f"author-{n % 500}", nonce)})
        db.session.execute(sa.insert(Idea), rows)
        voters = [voter_pseudonym(key, f"voter-{v}") for v in range(300)]
        votes = [{"idea_id": r["id"], "voter": voter, "conversation_id": conversation.id, "value": 1}
                 for r in rows for voter in rng.sample(voters, rng.randint(0, 10))]
        for person in people:  # the readers' own votes, so pages show "you supported this"
            voter = voter_pseudonym(key, Participant.from_user(person).user_key)
            votes += [{"idea_id": r["id"], "voter": voter, "conversation_id": conversation.id, "value": 1}
                      for r in rng.sample(rows, min(100, len(rows)))]
        db.session.execute(sa.insert(Vote), votes)
        comments = []
        for r in rows:
            for _ in range(rng.choice((0, 0, 1, 1, 2, 4))):
                nonce = secrets.token_hex(16)
                comments.append({"id": secrets.token_urlsafe(12), "conversation_id": conversation.id,
                                 "idea_id": r["id"], "body": "A comment on this idea", "nonce": nonce,
                                 "author_tag": author_tag(key, "commenter", nonce)})
        db.session.execute(sa.insert(Comment), comments)
        db.session.commit()
        tokens = [users.create_api_token(person) for person in people]
        emails = [person.email for person in people]
        conversation_id = conversation.id
        db.session.remove()
        db.engine.dispose()
    with app.app_context():
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()
    return {"conversation": conversation_id, "question": question, "tokens": tokens, "emails": emails,
            "ideas": ideas, "votes": len(votes), "comments": len(comments), "idea_ids": [r["id"] for r in rows]}


def _sign_in(client, email: str) -> str:  # type: ignore[no-untyped-def]
    """A session cookie from the real sign-in form of the app measured (the Cookie header a browser would send)."""
    html = client.get("/auth/sign-in", headers=AGENT).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf-token" content="([^"]+)"', html)
    assert token, "no CSRF token on the sign-in page"
    response = client.post("/auth/sign-in", data={"email": email, "password": PASSWORD, "csrf_token": token.group(1)},
                           headers=AGENT)
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    cookie = client.get_cookie("session")
    assert cookie is not None
    return f"session={cookie.value}"


def routes(info: dict) -> dict[str, tuple[str, str]]:
    """name -> (path, which credential): the question page in every sort, and the API list in two."""
    question = info["question"]
    found = {f"page {sort}": (f"/questions/{question}?sort={sort}", "cookie") for sort in SORTS}
    found["page random p7"] = (f"/questions/{question}?sort=random&page=7", "cookie")
    found |= {f"api {sort}": (f"/api/v1/questions/{question}/ideas?sort={sort}", "token") for sort in ("random", "supported")}
    return found


def _http_sign_in(port: int, email: str) -> str:
    """The same over HTTP, against the gunicorn measured."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("GET", "/auth/sign-in", headers=AGENT)
        response = connection.getresponse()
        html = response.read().decode()
        cookie = SimpleCookie(response.getheader("Set-Cookie"))["session"].value
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
            r'name="csrf-token" content="([^"]+)"', html)
        assert token, "no CSRF token on the sign-in page"
        body = urlencode({"email": email, "password": PASSWORD, "csrf_token": token.group(1)})
        connection.request("POST", "/auth/sign-in", body=body, headers=AGENT | {
            "Cookie": f"session={cookie}", "Content-Type": "application/x-www-form-urlencoded"})
        response = connection.getresponse()
        response.read()
        assert response.status == 302, response.status
        return "session=" + SimpleCookie(response.getheader("Set-Cookie"))["session"].value
    finally:
        connection.close()


def _headers(info: dict, n: int, credential: str, encoding: str) -> dict[str, str]:
    found = AGENT | ({"Cookie": info["cookies"][n]} if credential == "cookie"
                     else {"Authorization": f"Bearer {info['tokens'][n]}"})
    return found | ({"Accept-Encoding": encoding} if encoding else {})


def _postgres_cpu() -> float | None:
    """CPU seconds used so far by every process of this machine named postgres (None where /proc cannot tell)."""
    total, tick = 0.0, os.sysconf("SC_CLK_TCK")
    try:
        for entry in os.scandir("/proc"):
            if entry.name.isdigit():
                try:
                    raw = Path(entry.path, "stat").read_text()
                except OSError:
                    continue  # gone meanwhile
                name, rest = raw[raw.index("(") + 1:raw.rindex(")")], raw[raw.rindex(")") + 2:].split()
                if name == "postgres":
                    total += (int(rest[11]) + int(rest[12])) / tick
    except OSError:
        return None
    return total


def cpu(info: dict, requests: int, encoding: str, profile: str | None, cold: bool = False) -> None:
    """CPU ms per request through the WSGI app in this process (sequential, so waits on the database are not counted).

    With `cold`, another reader votes (or withdraws the vote) through the API before each request measured, so every
    request is the first after a live event: the kept pages and cards are stale and read again. Only the measured
    requests' CPU and statements are counted, never the votes'.

    Runs in a fresh interpreter started with the production environment (config reads it at import)."""
    import sqlalchemy as sa

    from app import create_app
    from app.extensions import db

    app = create_app()
    with app.app_context():
        engine = db.engine
    browser = app.test_client()  # pages: keeps the session cookie each answer sets, as a browser does
    info["cookies"] = [_sign_in(browser, info["emails"][0])]
    found = routes(info)
    voter = app.test_client(use_cookies=False)
    vote_headers = AGENT | {"Authorization": f"Bearer {info['tokens'][1]}"}
    listed = voter.get(f"/api/v1/questions/{info['question']}/ideas?sort=newest", headers=vote_headers).get_json()
    vote_on = [idea["id"] for idea in listed["ideas"]]
    votes = [0]

    def a_vote_lands() -> None:  # alternately cast and withdraw, on the newest ideas in turn
        n = votes[0]
        votes[0] += 1
        idea = vote_on[(n // 2) % len(vote_on)]
        answer = (voter.put(f"/api/v1/ideas/{idea}/vote", json={"choice": "support"}, headers=vote_headers) if n % 2 == 0
                  else voter.delete(f"/api/v1/ideas/{idea}/vote", headers=vote_headers))
        assert answer.status_code == 200, (answer.status_code, answer.get_data(as_text=True)[:300])

    for name, (path, credential) in found.items():
        if profile and name != profile:
            continue
        headers = _headers(info, 0, credential, encoding)
        if credential == "cookie":
            headers.pop("Cookie")
        client = browser if credential == "cookie" else app.test_client(use_cookies=False)
        for _ in range(5):  # warm: templates compiled, pool filled
            response = client.get(path, headers=headers)
            assert response.status_code == 200, (name, response.status_code, response.get_data(as_text=True)[:300])
        size = len(response.get_data())
        statements = [0]

        def count(*_: object, statements: list[int] = statements) -> None:
            statements[0] += 1

        sa.event.listen(engine, "before_cursor_execute", count)
        profiler = cProfile.Profile(time.process_time) if profile else None  # CPU, not waits on the database
        spent = elapsed = 0.0
        server_before = _postgres_cpu()
        for _ in range(requests):
            if cold:
                before = statements[0]
                a_vote_lands()
                statements[0] = before
            started, wall = time.process_time(), time.perf_counter()
            if profiler:
                profiler.enable()
            client.get(path, headers=headers)
            if profiler:
                profiler.disable()
            spent, elapsed = spent + time.process_time() - started, elapsed + time.perf_counter() - wall
        sa.event.remove(engine, "before_cursor_execute", count)
        # The server's side, where this machine runs it: every PostgreSQL process's CPU over the same requests (with
        # `cold`, the votes' too). Ticks of 10 ms: run a few hundred requests or more.
        server = (_postgres_cpu() - server_before) if server_before is not None else None
        print(json.dumps({"route": name + (" (cold)" if cold else ""), "cpu_ms": round(1000 * spent / requests, 2),
                          **({"postgresql_cpu_ms": round(1000 * server / requests, 2)} if server is not None else {}),
                          "wall_ms": round(1000 * elapsed / requests, 2),
                          "statements": round(statements[0] / requests, 2), "bytes": size, "encoding": encoding or "none"}),
              flush=True)
        if profiler:
            profiler.dump_stats(f"{tempfile.gettempdir()}/chorus-pages.prof")  # for pstats' print_callers
            stats = pstats.Stats(profiler)
            stats.sort_stats("cumulative").print_stats(45)
            stats.sort_stats("tottime").print_stats(30)


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    ok: int = 0
    errors: dict[int, int] = field(default_factory=dict)


async def _get(port: int, path: str, headers: dict[str, str]) -> int:
    """One GET on its own connection, the whole answer read; returns the status. Like a browser, keeps the session
    cookie the answer sets (the app remembers in it, e.g., that the person has no moderation notices)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        head = [f"GET {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close"] + [f"{k}: {v}" for k, v in headers.items()]
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode())
        await writer.drain()
        raw = await reader.read()
    finally:
        writer.close()
    found = re.search(rb"\r\nSet-Cookie: session=([^;\r]+)", raw.split(b"\r\n\r\n", 1)[0], re.IGNORECASE)
    if found and "Cookie" in headers:
        headers["Cookie"] = "session=" + found.group(1).decode()
    return int(raw.split(b" ", 2)[1])


async def drive(port: int, info: dict, path: str, credential: str, clients: int, seconds: float,
                encoding: str, voting: float = 0.0, votes: Tally | None = None) -> Tally:
    """`clients` readers of `path` for `seconds`; with `voting`, votes land meanwhile at that many a second (each
    one a live event, so readers keep meeting pages whose kept parts a vote has just made out of date), counted in
    `votes`."""
    tally, deadline = Tally(), time.monotonic() + seconds

    async def voter() -> None:
        rng, tasks = random.Random(7), []

        async def vote() -> None:
            started = time.monotonic()
            try:
                status, _ = await asyncio.wait_for(_request(
                    port, "PUT", f"/api/v1/ideas/{rng.choice(info['idea_ids'])}/vote",
                    rng.choice(info["tokens"]), {"choice": "support"}, AGENT), timeout=60)
            except (TimeoutError, OSError, ValueError, IndexError):
                status = 0
            assert votes is not None
            votes.latencies.append(time.monotonic() - started)
            if status == 200:
                votes.ok += 1
            else:
                votes.errors[status] = votes.errors.get(status, 0) + 1

        while time.monotonic() < deadline:  # open loop: a vote every 1/voting s, whether or not the last came back
            tasks.append(asyncio.ensure_future(vote()))
            await asyncio.sleep(1 / voting)
        await asyncio.gather(*tasks)

    async def client(n: int) -> None:
        headers = _headers(info, n, credential, encoding)
        while time.monotonic() < deadline:
            started = time.monotonic()
            try:
                status = await asyncio.wait_for(_get(port, path, headers), timeout=60)
            except (TimeoutError, OSError, ValueError, IndexError):
                status = 0
            tally.latencies.append(time.monotonic() - started)
            if status == 200:
                tally.ok += 1
            else:
                tally.errors[status] = tally.errors.get(status, 0) + 1

    await asyncio.gather(*(client(n) for n in range(clients)), *((voter(),) if voting else ()))
    return tally


def summary(tally: Tally, seconds: float) -> dict:
    latencies = sorted(tally.latencies)
    p95 = latencies[max(0, int(len(latencies) * 0.95) - 1)] if latencies else None
    return {"ok_per_s": round(tally.ok / seconds, 1), "p95_ms": round(p95 * 1000) if p95 is not None else None,
            "errors": tally.errors}


def over_http(info: dict, env: dict[str, str], args: argparse.Namespace) -> None:
    base_env = {k: v for k, v in os.environ.items() if not k.startswith(("CHORUS_", "DATABASE_URL", "REDIS_URL"))}
    base_env.update(WEB_CONCURRENCY=str(args.workers), LOG_LEVEL="warning",
                    CHORUS_WORKER_CONNECTIONS=str(max(1000, 4 * args.clients)))
    port = free_port()
    with server("wsgi:app", base_env | env, port, ROOT):
        info["cookies"] = [_http_sign_in(port, email) for email in info["emails"]]
        wanted = routes(info)
        if args.routes:
            wanted = {name: wanted[name] for name in args.routes}
        for name, (path, credential) in wanted.items():
            asyncio.run(drive(port, info, path, credential, args.clients, 3, args.encoding))  # warm the workers
            votes = Tally()
            tally = asyncio.run(drive(port, info, path, credential, args.clients, args.seconds, args.encoding,
                                      args.voting, votes))
            voted = {"voting": args.voting, "votes": summary(votes, args.seconds)} if args.voting else {}
            print(json.dumps({"target": "chorus", "route": name, "clients": args.clients, "seconds": args.seconds,
                              **summary(tally, args.seconds), **voted, "load": os.getloadavg()[0]}), flush=True)
    port = free_port()
    bare_env = base_env | {"BARE_DATABASE_URL": args.postgresql, "REDIS_URL": args.redis}
    with server("bench._bare_app:app", bare_env, port, HERE):
        path = f"/bare/questions/{info['question']}/ideas"
        asyncio.run(drive(port, info, path, "cookie", args.clients, 3, args.encoding))
        tally = asyncio.run(drive(port, info, path, "cookie", args.clients, args.seconds, args.encoding))
        print(json.dumps({"target": "bare", "route": "20 rows through Jinja", "clients": args.clients,
                          "seconds": args.seconds, **summary(tally, args.seconds), "load": os.getloadavg()[0]}),
              flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--ideas", type=int, default=6000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--routes", nargs="*", help="only these routes (names as printed)")
    parser.add_argument("--encoding", default=BROWSER_ENCODING, help="Accept-Encoding sent ('' for none)")
    parser.add_argument("--cpu", action="store_true", help="CPU ms per request in this process instead of HTTP")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--voting", type=float, default=0.0, metavar="PER_S",
                        help="HTTP: votes land at this rate while the pages are read (each a live event), "
                        "as when people vote while others read; 0: reading only")
    parser.add_argument("--profile", metavar="ROUTE", help="with --cpu: a cProfile of this route only")
    parser.add_argument("--baseline", metavar="DIR", help="with --cpu: another checkout (e.g. `git archive main`) "
                        "measured in turns with this one")
    parser.add_argument("--rounds", type=int, default=1, help="with --cpu: how many turns each tree takes")
    parser.add_argument("--cold", action="store_true", help="with --cpu: a vote lands before each request measured "
                        "(each is the first reader after a live event)")
    parser.add_argument("--cpu-child", metavar="INFO", help=argparse.SUPPRESS)
    parser.add_argument("--postgresql", metavar="URL",
                        default="postgresql+psycopg://postgres@127.0.0.1:5432/chorus_bench_pages",
                        help="a scratch PostgreSQL database of its own (emptied!)")
    parser.add_argument("--redis", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/3"))
    args = parser.parse_args()
    if args.cpu_child:
        cpu(json.loads(Path(args.cpu_child).read_text()), args.requests, args.encoding, args.profile, args.cold)
        return
    with tempfile.TemporaryDirectory() as tmp:
        fresh_postgresql(args.postgresql)
        started = time.monotonic()
        info = prepare(args.postgresql, args.clients, args.ideas, f"{tmp}/keys")
        print(json.dumps({"seeded": {k: info[k] for k in ("ideas", "votes", "comments")},
                          "seconds": round(time.monotonic() - started, 1), "load": os.getloadavg()}), flush=True)
        env = _env(args.postgresql, args.redis, f"{tmp}/keys")
        if args.cpu:
            Path(f"{tmp}/info.json").write_text(json.dumps(info))
            command = [sys.executable, str(Path(__file__).resolve()), "--cpu-child", f"{tmp}/info.json",
                       "--requests", str(args.requests), "--encoding", args.encoding]
            command += ["--profile", args.profile] if args.profile else []
            command += ["--cold"] if args.cold else []
            base = {k: v for k, v in os.environ.items() if not k.startswith(("CHORUS_", "DATABASE_URL", "REDIS_URL"))}
            # With --baseline, the two trees take turns, so both see the same load on a shared machine.
            trees = [(name, root) for _ in range(args.rounds)
                     for name, root in ((("baseline", Path(args.baseline).resolve()),) if args.baseline else ())
                     + (("this tree", ROOT),)]
            for name, root in trees:
                print(json.dumps({"tree": name, "root": str(root), "load": os.getloadavg()}), flush=True)
                subprocess.run(command, env=base | env | {"LOG_LEVEL": "warning", "CHORUS_BENCH_ROOT": str(root)},
                               cwd=root, check=True, timeout=3600)
        else:
            over_http(info, env, args)


if __name__ == "__main__":
    main()
