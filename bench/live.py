"""Live-update load test: N SSE clients on one conversation while ideas and votes are posted.

Starts a local gunicorn (gevent workers, Redis pub/sub) on a free port with a temporary SQLite
database (or --postgresql URL, a scratch database that is emptied), connects N streams, posts ideas and votes through the API, and prints delivery latency
(p50/p95/max, from just before each POST to the moment each client reads the event) and lost events: every
event stored in the database after the clients connected (the live_event table is the truth) that a connected
client did not receive, counted per client. Idea bodies are plain sentences (a timestamp in the body looked like
an identifying number and was held for moderation); send times are kept here, keyed by the new idea's id.
Localhost only; every loop is bounded.

    .venv/bin/python bench/live.py --clients 100 600 2000 --redis redis://127.0.0.1:6379/12
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SECRET = "bench-live-secret-key-0123456789abcdef"
PSEUDONYM = "bench-live-pseudonym-key-0123456789abcdef"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fresh_postgresql(url: str) -> None:
    """Create the bench database if needed and empty it (never point this at real data)."""
    import sqlalchemy as sa

    parsed = sa.engine.make_url(url)
    admin = sa.create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        if not connection.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": parsed.database}):
            connection.execute(sa.text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()


def prepare(database: str, posters: int, key_dir: str) -> dict:
    from app import create_app
    from app.extensions import db
    from app.models.base import utcnow
    from app.services.accounts import users
    from app.services.conversations import lifecycle
    from app.services.accounts import organisations

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database, "SECRET_KEY": SECRET,
                      "CHORUS_PSEUDONYM_KEY": PSEUDONYM, "CHORUS_KEY_DIR": key_dir})
    with app.app_context():
        db.create_all()
        org = organisations.create_organisation("Bench Trust", "B001")
        tokens = []
        for n in range(posters + 1):
            user = users.create_user(f"bench{n}@trust.nhs.uk", organisation=org, password="correct-horse-battery")
            tokens.append(users.create_api_token(user))
        conversation = lifecycle.create_conversation(org.id, lifecycle.ConversationDetails(
            title="Bench", audience_ids=[org.id], questions=["What would help?"], closes_at=utcnow() + timedelta(days=1)))
        lifecycle.open_conversation(conversation)
        info = {"conversation": conversation.id, "question": conversation.questions[0].id, "tokens": tokens}
        db.session.remove()
        db.engine.dispose()
    return info


class Client:
    def __init__(self) -> None:
        self.ids: set[int] = set()
        self.received: dict[str, float] = {}  # idea id -> when this client read its event
        self.connected = asyncio.Event()
        self.error: str | None = None


async def sse_client(port: int, path: str, token: str, client: Client, stop: asyncio.Event) -> None:
    """One stream. Reads whatever has arrived and splits it into events (a readline per line cost the load
    generator more CPU than the server at thousands of streams, so latency measured the client, not Chorus)."""
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), 30)
        writer.write((f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
                      f"Authorization: Bearer {token}\r\nConnection: keep-alive\r\n\r\n").encode())
        await writer.drain()
        buffer = b""
        while not stop.is_set():
            try:
                chunk = await asyncio.wait_for(reader.read(65536), 1)
            except asyncio.TimeoutError:
                continue
            if not chunk:
                client.error = client.error or "closed"
                break
            now = time.time()
            buffer += chunk
            *blocks, buffer = buffer.split(b"\n\n")
            for block in blocks:
                # Chunked transfer framing ("<hex size>\r\n" lines) sits between events; only SSE fields count.
                event_id, event_type, data = None, None, None
                for raw in block.split(b"\n"):
                    line = raw.rstrip(b"\r")
                    if line.startswith(b"retry:"):
                        client.connected.set()
                    elif line.startswith(b"id: "):
                        event_id = int(line[4:])
                    elif line.startswith(b"event: "):
                        event_type = line[7:]
                    elif line.startswith(b"data: "):
                        data = line[6:]
                if event_id is not None and data is not None:
                    client.ids.add(event_id)
                    if event_type == b"idea":
                        client.received[json.loads(data)["idea_id"]] = now
        writer.close()
    except (OSError, asyncio.TimeoutError) as error:
        client.error = repr(error)
        client.connected.set()


def api(port: int, method: str, path: str, token: str, body: dict) -> tuple[int, dict]:
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request(method, "/api/v1" + path, json.dumps(body),
                       {"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    response = connection.getresponse()
    data = json.loads(response.read() or b"{}")
    connection.close()
    return response.status, data


def stored_event_ids(database: str, conversation: int, after: int) -> set[int]:
    """The events the server recorded (the ground truth a delivery count is checked against)."""
    import sqlalchemy as sa

    engine = sa.create_engine(database)
    try:
        with engine.connect() as connection:
            return set(connection.scalars(sa.text(
                "SELECT id FROM live_event WHERE conversation_id = :c AND id > :a"), {"c": conversation, "a": after}))
    finally:
        engine.dispose()


async def run(n: int, port: int, info: dict, ideas: int, votes: int, rate: float, database: str) -> dict:
    stop = asyncio.Event()
    path = f"/conversations/{info['conversation']}/live/events"
    clients = [Client() for _ in range(n)]
    tasks = []
    started = time.monotonic()
    for i, client in enumerate(clients):
        tasks.append(asyncio.create_task(sse_client(port, path, info["tokens"][0], client, stop)))
        if i % 50 == 49:
            await asyncio.sleep(0.05)
    await asyncio.wait_for(asyncio.gather(*(c.connected.wait() for c in clients)), 120)
    connect_seconds = time.monotonic() - started
    await asyncio.sleep(1)
    loop = asyncio.get_running_loop()
    before = max(stored_event_ids(database, info["conversation"], 0), default=0)
    posters = info["tokens"][1:]
    posted_ids: list[str] = []
    sent_at: dict[str, float] = {}
    topics = ("lockers for night staff", "a quiet room for breaks", "rotas six weeks ahead", "hot food at night",
              "more parking near the wards", "faster logins on ward computers")
    for k in range(ideas):
        body = {"body": f"Idea {k} from the bench: {topics[k % len(topics)]}, please"}
        t0 = time.time()
        status, data = await loop.run_in_executor(None, api, port, "POST", f"/questions/{info['question']}/ideas",
                                                  posters[k % len(posters)], body)
        if status == 201:
            posted_ids.append(data["id"])
            sent_at[data["id"]] = t0
        await asyncio.sleep(1 / rate)
        if posted_ids and k < votes:
            await loop.run_in_executor(None, api, port, "PUT", f"/ideas/{posted_ids[-1]}/vote",
                                       posters[(k + 1) % len(posters)], {"choice": "support"})
            await asyncio.sleep(1 / rate)
    # Let the last events arrive: until every connected client has every stored event (bounded at 60 s).
    expected = await loop.run_in_executor(None, stored_event_ids, database, info["conversation"], before)
    drain_end = time.monotonic() + 60
    while time.monotonic() < drain_end:
        if all(expected <= c.ids for c in clients if not c.error):
            break
        await asyncio.sleep(0.5)
    stop.set()
    await asyncio.gather(*tasks, return_exceptions=True)
    lost = sum(len(expected - c.ids) for c in clients if not c.error)
    latencies = sorted(at - sent_at[idea] for c in clients for idea, at in c.received.items() if idea in sent_at)
    return {
        "clients": n, "connected_s": round(connect_seconds, 1), "events": len(expected),
        "ideas_posted": len(posted_ids), "deliveries": len(latencies),
        "p50_ms": round(statistics.median(latencies) * 1000) if latencies else None,
        "p95_ms": round(latencies[int(len(latencies) * 0.95) - 1] * 1000) if latencies else None,
        "max_ms": round(latencies[-1] * 1000) if latencies else None,
        "lost": lost, "unreached_events": len(expected - set().union(*(c.ids for c in clients))),
        "client_errors": sum(1 for c in clients if c.error),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, nargs="+", default=[100, 600, 2000])
    parser.add_argument("--redis", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/12"))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--postgresql", metavar="URL", help="a scratch PostgreSQL database (emptied!) instead of SQLite")
    parser.add_argument("--ideas", type=int, default=30)
    parser.add_argument("--votes", type=int, default=30)
    parser.add_argument("--rate", type=float, default=5.0, help="posts per second")
    args = parser.parse_args()
    for n in args.clients:
        with tempfile.TemporaryDirectory() as tmp:
            database = f"sqlite:///{tmp}/bench.sqlite"
            if args.postgresql:
                fresh_postgresql(args.postgresql)
                database = args.postgresql
            info = prepare(database, posters=5, key_dir=f"{tmp}/keys")
            port = free_port()
            env = {k: v for k, v in os.environ.items() if not k.startswith(("CHORUS_", "DATABASE_URL"))}
            env.update(BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY=str(args.workers), DATABASE_URL=database,
                       REDIS_URL=args.redis, SECRET_KEY=SECRET, CHORUS_PSEUDONYM_KEY=PSEUDONYM, CHORUS_JOBS="thread",
                       CHORUS_SCHEDULER="false", CHORUS_RATELIMIT_POST="100000 per minute", LOG_LEVEL="warning",
                       CHORUS_WORKER_CONNECTIONS=str(max(1000, n + 100)), CHORUS_KEY_DIR=f"{tmp}/keys")
            server = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "-c", "gunicorn.conf.py", "wsgi:app"],
                                      cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                deadline = time.monotonic() + 30
                while time.monotonic() < deadline:
                    try:
                        socket.create_connection(("127.0.0.1", port), 1).close()
                        break
                    except OSError:
                        time.sleep(0.2)
                time.sleep(1)
                result = asyncio.run(run(n, port, info, args.ideas, args.votes, args.rate, database))
                print(json.dumps(result), flush=True)
            finally:
                server.send_signal(signal.SIGINT)  # quick shutdown: open streams need not finish
                try:
                    server.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    server.kill()
                    server.wait(timeout=10)


if __name__ == "__main__":
    main()
