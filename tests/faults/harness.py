"""Private services and processes for fault tests: a redis-server, gunicorn (gevent) and RQ workers.

Everything runs on free loopback ports under a temporary directory and is stopped in every outcome.
Waits are on conditions with generous bounds (minutes), never on how fast this machine is.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.anonymity.private_pg import _free_port

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SECRET = "fault-test-secret-key-0123456789abcdef0123"
PSEUDONYM = "fault-test-pseudonym-key-0123456789abcdef"
BOUND = 300.0  # seconds: a bound for slow, loaded machines, never a speed target


def wait_for(condition: Callable[[], object], what: str, bound: float = BOUND, every: float = 0.2) -> object:
    """Poll `condition` until it returns something true; fail with `what` after `bound` seconds."""
    end = time.monotonic() + bound
    while time.monotonic() < end:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out waiting for {what}")


@contextmanager
def private_redis() -> Iterator[dict]:
    """A redis-server on a free port with no persistence; yields {"url", "start", "stop"}."""
    server = shutil.which("redis-server")
    if not server:
        pytest.skip("redis-server is needed for Redis fault tests")
    root = Path(tempfile.mkdtemp(prefix="chorus-redis-"))
    port = _free_port()
    state: dict = {"process": None}

    def start() -> None:
        state["process"] = subprocess.Popen([server, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                             "--appendonly", "no", "--dir", str(root)],
                                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        import redis

        def pong() -> bool:
            try:
                return bool(redis.Redis(port=port, socket_connect_timeout=1).ping())
            except redis.RedisError:
                return False

        wait_for(pong, "redis-server to start")

    def stop() -> None:
        process = state["process"]
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=60)
        state["process"] = None

    start()
    try:
        yield {"url": f"redis://127.0.0.1:{port}/0", "start": start, "stop": stop}
    finally:
        stop()
        shutil.rmtree(root, ignore_errors=True)


def pg_ctl(data: Path, port: int, action: str) -> None:
    """Stop or start a private cluster (tests/anonymity/private_pg.py) as the postgres user, on its own port."""
    as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    args = ["-m", "fast"] if action == "stop" else [
        "-o", f"-p {port} -k {data.parent} -c listen_addresses=127.0.0.1 -c fsync=off", "-l", str(data.parent / "server.log")]
    subprocess.run([*as_user, shutil.which("pg_ctl") or "pg_ctl", "-D", str(data), "-w", "-t", "120", *args, action],
                   check=True, capture_output=True, timeout=180)


def make_site(database: str, key_dir: Path, ideas: int = 0) -> dict:
    """Tables, an organisation, a participant with an API token and an open conversation (with `ideas` ideas)."""
    from datetime import timedelta

    from app import create_app
    from app.extensions import db
    from app.models.base import utcnow
    from app.services.accounts import organisations, users
    from app.services.common.participants import Participant
    from app.services.content import ideas as idea_service
    from app.services.conversations import lifecycle

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database, "SECRET_KEY": SECRET,
                      "CHORUS_PSEUDONYM_KEY": PSEUDONYM, "CHORUS_KEY_DIR": str(key_dir)})
    with app.app_context():
        db.create_all()
        org = organisations.create_organisation("Fault Test Trust", "F001")
        user = users.create_user("staff@trust.nhs.uk", organisation=org, password="correct-horse-battery")
        conversation = lifecycle.create_conversation(org.id, lifecycle.ConversationDetails(
            title="Faults", audience_ids=[org.id], questions=["What would help?"],
            closes_at=utcnow() + timedelta(days=1)))
        lifecycle.open_conversation(conversation)
        question = conversation.questions[0].id
        person = Participant.from_user(user)
        topics = ["parking", "rota", "canteen", "lockers", "training", "wifi", "breaks", "uniforms"]
        for n in range(ideas):
            idea_service.post_idea(person, question, f"Better {topics[n % 8]} for the night shift, point {n}")
        site = {"database": database, "conversation": conversation.id, "question": question,
                "token": users.create_api_token(user), "key_dir": str(key_dir)}
        db.session.remove()
        db.engine.dispose()
    return site


def env(site: dict, redis_url: str | None, **extra: str) -> dict[str, str]:
    """The environment of a production-like process (gunicorn or worker) for `site`."""
    out = {k: v for k, v in os.environ.items() if not k.startswith(("CHORUS_", "REDIS_URL", "DATABASE_URL"))}
    out.update(DATABASE_URL=site["database"], SECRET_KEY=SECRET, CHORUS_PSEUDONYM_KEY=PSEUDONYM,
               CHORUS_KEY_DIR=site["key_dir"], LOG_LEVEL="warning", CHORUS_THEMES_BACKEND="tfidf-lsa",
               CHORUS_RATELIMIT_POST="100000 per minute", FLASK_APP="wsgi:app", PYTHONPATH=str(ROOT))
    if redis_url:
        out["REDIS_URL"] = redis_url
    out.update(extra)
    return out


@contextmanager
def process(args: list[str], environment: dict[str, str]) -> Iterator[subprocess.Popen]:
    """A child process in its own process group, killed with its children in every outcome; its log is printed
    (pytest shows it when the test fails)."""
    with tempfile.TemporaryFile(mode="w+") as log:
        child = subprocess.Popen(args, cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT,
                                 start_new_session=True)
        try:
            yield child
        finally:
            kill_group(child, signal.SIGINT)
            log.seek(0)
            print(log.read()[-20000:])


def kill_group(child: subprocess.Popen, sig: int = signal.SIGKILL) -> None:
    """Signal the child's whole process group (gunicorn's workers, an RQ work horse) and reap the child."""
    if child.poll() is None:
        try:
            os.killpg(child.pid, sig)
            child.wait(timeout=60)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            pass
    try:
        os.killpg(child.pid, signal.SIGKILL)  # anything left in the group (a work horse)
    except ProcessLookupError:
        pass
    if child.poll() is None:
        child.wait(timeout=60)


def gunicorn(site: dict, redis_url: str | None, port: int, workers: int = 2, **extra: str):  # type: ignore[no-untyped-def]
    environment = env(site, redis_url, BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY=str(workers), **extra)
    return process([str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "wsgi:app"], environment)


def request(port: int, method: str, path: str, headers: dict[str, str], body: dict | None = None) -> tuple[int, dict, dict]:
    """One HTTP request: (status, JSON body or {}, headers); raises OSError when nothing answers."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        payload = json.dumps(body) if body is not None else None
        connection.request(method, path, payload, headers | ({"Content-Type": "application/json"} if body else {}))
        response = connection.getresponse()
        raw = response.read()
        data = json.loads(raw) if response.getheader("Content-Type", "").startswith("application/json") else {}
        return response.status, data, dict(response.getheaders())
    finally:
        connection.close()


def wait_until_up(child: subprocess.Popen, port: int) -> None:
    def up() -> bool:
        assert child.poll() is None, "the server exited"
        try:
            return request(port, "GET", "/healthz/live", {})[0] == 200
        except OSError:
            return False

    wait_for(up, "gunicorn to answer")
