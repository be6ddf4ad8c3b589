"""Sign-in at 9 am: N people sign in within one minute, all from one address, on gunicorn with gevent workers.

Seeds N accounts (real argon2 with the production parameters; one hash is computed and shared, since only
verifying costs time here), starts gunicorn (gevent, WEB_CONCURRENCY workers, Redis for rate limits) from this
tree and, in the same run, from a baseline revision exported with `git archive`, and prints per run: signed in,
refused (429), other answers, and the sign-in POST's p50/p95/max latency. Arrivals are spread evenly over
--seconds. Localhost only; every wait is bounded; gunicorn's output goes to a file.

    python bench/signin.py --people 300 --seconds 60 --baseline 2eb23ed \\
        --postgresql postgresql+psycopg://postgres@127.0.0.1:5432/chorus_bench_signin --redis redis://127.0.0.1:6379/2
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
SECRET = "bench-signin-secret-key-0123456789abcdef"
PSEUDONYM = "bench-signin-pseudonym-key-0123456789abcdef"
PASSWORD = "correct-horse-battery-staple"
SEED = """
import sys
import sqlalchemy as sa
from argon2 import PasswordHasher
from app import create_app
from app.extensions import db
from app.models import User
from app.services.accounts import organisations, users

app = create_app({"SQLALCHEMY_DATABASE_URI": sys.argv[1]})
with app.app_context():
    with db.engine.begin() as connection:
        connection.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    db.create_all()
    org = organisations.create_organisation("Morning Trust", "MT1")
    for n in range(int(sys.argv[2])):
        users.create_user(f"person{n}@trust.nhs.uk", organisation=org)
    # The production KDF parameters (PasswordHasher's defaults), hashed once: every sign-in verifies it.
    db.session.execute(sa.update(User).values(password_hash=PasswordHasher().hash(sys.argv[3])))
    db.session.commit()
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(port: int, method: str, path: str, headers: dict[str, str], body: str | None = None):  # type: ignore[no-untyped-def]
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    try:
        connection.request(method, path, body, headers)
        response = connection.getresponse()
        return response.status, response.getheader("Set-Cookie") or "", response.read().decode(errors="replace")
    finally:
        connection.close()


def sign_in(port: int, n: int, results: list) -> None:  # type: ignore[type-arg]
    try:
        _, cookie, page = request(port, "GET", "/auth/sign-in", {})
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
            r'name="csrf-token" content="([^"]+)"', page)
        session = cookie.split(";", 1)[0]
        body = urlencode({"email": f"person{n}@trust.nhs.uk", "password": PASSWORD,
                          "csrf_token": token.group(1) if token else ""})
        started = time.perf_counter()
        status, _, _ = request(port, "POST", "/auth/sign-in", {
            "Cookie": session, "Content-Type": "application/x-www-form-urlencoded"}, body)
        results.append((status, time.perf_counter() - started))
    except OSError as error:
        results.append((f"error {type(error).__name__}", 0.0))


def run(tree: Path, label: str, args: argparse.Namespace, log_dir: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CHORUS_", "REDIS_URL", "DATABASE_URL"))}
    port = free_port()
    env.update(BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY=str(args.workers), DATABASE_URL=args.postgresql,
               REDIS_URL=args.redis, SECRET_KEY=SECRET, CHORUS_PSEUDONYM_KEY=PSEUDONYM, CHORUS_JOBS="thread",
               CHORUS_SCHEDULER="false", LOG_LEVEL="warning", CHORUS_KEY_DIR=str(log_dir / f"keys-{label}"),
               CHORUS_INSTANCE_ID=f"bench{uuid.uuid4().hex[:8]}", PYTHONPATH=str(tree))
    subprocess.run([sys.executable, "-c", SEED, args.postgresql, str(args.people), PASSWORD], cwd=tree, env=env,
                   check=True, timeout=1800)
    log = log_dir / f"gunicorn-{label}.log"
    with log.open("w") as out:
        server = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "-c", "gunicorn.conf.py", "wsgi:app"],
                                  cwd=tree, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        end = time.monotonic() + 600
        while time.monotonic() < end:
            if server.poll() is not None:
                raise SystemExit(f"gunicorn exited: {log.read_text()}")
            try:
                if request(port, "GET", "/auth/sign-in", {})[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)
        results: list = []  # type: ignore[type-arg]
        threads = []
        gap = args.seconds / args.people
        started = time.monotonic()
        for n in range(args.people):
            delay = started + n * gap - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            thread = threading.Thread(target=sign_in, args=(port, n, results))
            thread.start()
            threads.append(thread)
        for thread in threads:
            thread.join(600)
        wall = time.monotonic() - started
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=120)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    ok = sorted(seconds for status, seconds in results if status == 302)
    refused = sum(1 for status, _ in results if status == 429)
    other = [status for status, _ in results if status not in (302, 429)]
    timings = sorted(seconds for _, seconds in results if seconds)
    p = (lambda q: timings[min(len(timings) - 1, int(q * len(timings)))] if timings else float("nan"))
    print(f"{label:>9}: {len(ok)}/{args.people} signed in, {refused} refused (429), {len(other)} other "
          f"{sorted(set(map(str, other)))[:5]}; sign-in POST p50 {p(0.5):.2f} s, p95 {p(0.95):.2f} s, "
          f"max {timings[-1] if timings else float('nan'):.2f} s; all answered {wall:.0f} s after the first arrived",
          flush=True)
    if other:  # say why, from the server's own log (route patterns and error classes only)
        causes = sorted({line.strip()[-160:] for line in log.read_text().splitlines() if "Error" in line})
        print("           causes: " + " | ".join(causes[:3]), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--baseline", help="a git revision to measure in the same run (e.g. main before the change)")
    parser.add_argument("--postgresql", required=True, help="a scratch database that is emptied")
    parser.add_argument("--redis", required=True)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        scratch_path = Path(scratch)
        if args.baseline:
            base = scratch_path / "baseline"
            base.mkdir()
            archive = subprocess.run(["git", "archive", args.baseline], cwd=ROOT, check=True, capture_output=True)
            subprocess.run(["tar", "-x", "-C", str(base)], input=archive.stdout, check=True)
            run(base, "baseline", args, scratch_path)
        run(ROOT, "this tree", args, scratch_path)


if __name__ == "__main__":
    main()
