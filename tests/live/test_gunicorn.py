"""Real gunicorn processes with gevent workers behind Redis: an idea posted through one worker
reaches an SSE stream held by another process; several workers without Redis are refused."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = str(Path(sys.executable).parent / "gunicorn")
SECRET = "gunicorn-test-secret-key-0123456789abcdef"
PSEUDONYM = "gunicorn-test-pseudonym-key-0123456789abcdef"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(database: str, redis_url: str | None, workers: int, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CHORUS_", "REDIS_URL", "DATABASE_URL"))}
    env.update(BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY=str(workers), DATABASE_URL=database, SECRET_KEY=SECRET,
               CHORUS_PSEUDONYM_KEY=PSEUDONYM, CHORUS_JOBS="thread", CHORUS_SCHEDULER="false",
               CHORUS_LIVE_HEARTBEAT_SECONDS="1", LOG_LEVEL="warning",
               # the embedding job would load the model inside the gevent web worker (thread runner): not tested here
               CHORUS_THEMES_BACKEND="tfidf-lsa")
    if redis_url:
        env["REDIS_URL"] = redis_url
    # The key epochs the site fixture's conversation key is wrapped under (next to its database file).
    env["CHORUS_KEY_DIR"] = str(Path(database.removeprefix("sqlite:///")).parent / "keys")
    return env


# Generous bounds: these wait on events (a port answering, a line arriving), and a busy machine only makes the
# wait longer; a test never fails because the machine was slow, only because the event never came.
START_BOUND = 600
IO_BOUND = 300


def _start(env: dict[str, str], log: Path) -> subprocess.Popen:
    """Start gunicorn with its output in a file: a PIPE nobody reads fills up and blocks the server."""
    with log.open("w") as out:
        return subprocess.Popen([GUNICORN, "-c", "gunicorn.conf.py", "wsgi:app"], cwd=ROOT, env=env,
                                stdout=out, stderr=subprocess.STDOUT, text=True)


def _wait_until_up(process: subprocess.Popen, port: int, log: Path) -> None:
    end = time.monotonic() + START_BOUND
    while time.monotonic() < end:
        if process.poll() is not None:
            raise AssertionError("gunicorn exited: " + log.read_text())
        try:
            status, _ = _request(port, "GET", "/", {})
            if status < 500:
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"gunicorn did not answer within {START_BOUND} s: " + log.read_text())


def _request(port: int, method: str, path: str, headers: dict[str, str], body: dict | None = None) -> tuple[int, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=IO_BOUND)
    try:
        payload = json.dumps(body) if body is not None else None
        connection.request(method, path, payload, headers | ({"Content-Type": "application/json"} if body else {}))
        response = connection.getresponse()
        raw = response.read()
        return response.status, (json.loads(raw) if response.getheader("Content-Type", "").startswith("application/json") else {})
    finally:
        connection.close()


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)  # gunicorn's quick shutdown: open streams need not finish
        try:
            process.wait(timeout=IO_BOUND)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def gunicorn(tmp_path) -> Iterator:  # type: ignore[no-untyped-def]
    """Start gunicorn processes (env, log name); every one is stopped whatever the test's outcome."""
    started: list[subprocess.Popen] = []

    def start(env: dict[str, str], name: str) -> tuple[subprocess.Popen, Path]:
        log = tmp_path / f"{name}.log"
        started.append(_start(env, log))
        return started[-1], log

    try:
        yield start
    finally:
        for process in started:
            _stop(process)


@pytest.fixture
def site(tmp_path, redis_url) -> Iterator[dict]:  # type: ignore[no-untyped-def]
    """A file SQLite database with a conversation, a participant and their API token."""
    from datetime import timedelta

    from app import create_app
    from app.extensions import db
    from app.models.base import utcnow
    from app.services.accounts import users
    from app.services.conversations import lifecycle
    from app.services.accounts import organisations

    database = f"sqlite:///{tmp_path / 'chorus.sqlite'}"
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database, "SECRET_KEY": SECRET,
                      "CHORUS_PSEUDONYM_KEY": PSEUDONYM, "CHORUS_KEY_DIR": str(tmp_path / "keys")})
    with app.app_context():
        db.create_all()
        org = organisations.create_organisation("Gunicorn Test Trust", "G001")
        user = users.create_user("staff@trust.nhs.uk", organisation=org, password="correct-horse-battery")
        conversation = lifecycle.create_conversation(org.id, lifecycle.ConversationDetails(
            title="Live across workers", audience_ids=[org.id], questions=["What would help?"],
            closes_at=utcnow() + timedelta(days=1)))
        lifecycle.open_conversation(conversation)
        info = {"database": database, "redis": redis_url, "conversation": conversation.id,
                "question": conversation.questions[0].id, "token": users.create_api_token(user)}
        db.session.remove()
        db.engine.dispose()
    yield info


def test_an_idea_posted_through_one_worker_reaches_a_stream_on_another(site, gunicorn):
    port_a, port_b = _free_port(), _free_port()
    # A runs two gevent workers (allowed because REDIS_URL is set); B is a separate process and worker.
    a, log_a = gunicorn(_env(site["database"], site["redis"], 2, port_a), "a")
    b, log_b = gunicorn(_env(site["database"], site["redis"], 1, port_b), "b")
    headers = {"Authorization": f"Bearer {site['token']}"}
    _wait_until_up(a, port_a, log_a)
    _wait_until_up(b, port_b, log_b)
    connection = http.client.HTTPConnection("127.0.0.1", port_b, timeout=IO_BOUND)
    try:
        connection.request("GET", f"/conversations/{site['conversation']}/live/events",
                           headers=headers | {"Accept": "text/event-stream"})
        stream = connection.getresponse()
        assert stream.status == 200
        assert stream.readline().startswith(b"retry:")  # subscribed: the first chunk comes after subscribing
        status, idea = _request(port_a, "POST", f"/api/v1/questions/{site['question']}/ideas", headers,
                                {"body": "Posted through worker A, seen on B"})
        assert status == 201, idea
        received: list[str] = []
        # Heartbeats arrive every second, so each readline returns; the bound only ends a stream that never delivers.
        end = time.monotonic() + IO_BOUND
        while time.monotonic() < end:
            line = stream.readline().decode().rstrip("\n")
            received.append(line)
            if idea["id"] in line:
                break
        assert "event: idea" in received, received
        assert any(idea["id"] in line for line in received), received
    finally:
        connection.close()


def test_several_workers_without_redis_are_refused(site, gunicorn):
    process, log = gunicorn(_env(site["database"], None, 2, _free_port()), "refused")
    process.wait(timeout=START_BOUND)  # it refuses at start-up; the bound only catches one that never exits
    assert process.returncode != 0
    assert "without REDIS_URL" in log.read_text()
