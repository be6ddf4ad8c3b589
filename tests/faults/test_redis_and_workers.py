"""Issue #17.3/#17.4 fault tests with a private redis-server, gunicorn gevent workers and real RQ worker processes.

Redis stopped and started: pages, posting and voting keep working, and a theme run asked for during the outage
runs afterwards. A worker killed mid-run: the run is recorded as failed (detection interval shortened through
config) and the next run succeeds.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.anonymity.private_pg import _free_port
from tests.faults.harness import BIN, ROOT, env, gunicorn, kill_group, make_site, private_redis, process, request, \
    wait_for, wait_until_up

FAST = {"CHORUS_SCHEDULER_SECONDS": "1", "CHORUS_JOB_HEARTBEAT_SECONDS": "1", "CHORUS_JOBS": "rq"}


def _runs(database: str, conversation_id: int) -> list[tuple[int, str, str | None, str]]:
    engine = sa.create_engine(database)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(sa.text(
                "SELECT id, status, error, \"trigger\" FROM theme_run WHERE conversation_id = :c ORDER BY id"),
                {"c": conversation_id})]
    finally:
        engine.dispose()


def _ask_for_a_run(site: dict, redis_url: str) -> None:
    """What a facilitator's "update themes" does, from another process: `flask themes run --no-wait`."""
    done = subprocess.run([str(BIN / "flask"), "themes", "run", str(site["conversation"]), "--no-wait"], cwd=ROOT,
                          env=env(site, redis_url, **FAST), capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr  # before: redis ConnectionError after the commit


pytestmark = pytest.mark.slow  # private servers and processes: minutes on a loaded machine


def test_redis_stopped_and_started(tmp_path: Path) -> None:
    with private_redis() as redis_server:
        site = make_site(f"sqlite:///{tmp_path / 'chorus.sqlite'}", tmp_path / "keys", ideas=12)
        url, port = redis_server["url"], _free_port()
        headers = {"Authorization": f"Bearer {site['token']}"}
        with gunicorn(site, url, port, CHORUS_SCHEDULER="false", **FAST) as server, \
                process([str(BIN / "flask"), "worker"], env(site, url, **FAST)):
            wait_until_up(server, port)
            redis_server["stop"]()
            status, idea, _ = request(port, "POST", f"/api/v1/questions/{site['question']}/ideas", headers,
                                      {"body": "Posted while Redis is away: more lockers"})
            assert status == 201, idea
            assert request(port, "PUT", f"/api/v1/ideas/{idea['id']}/vote", headers, {"choice": "support"})[0] == 200
            assert request(port, "GET", f"/api/v1/conversations/{site['conversation']}", headers)[0] == 200
            ready = request(port, "GET", "/healthz/ready", {})
            assert ready[0] == 200 and ready[1]["status"] == "degraded"
            _ask_for_a_run(site, url)
            asked = [run for run in _runs(site["database"], site["conversation"]) if run[3] == "cli"]
            assert [run[1] for run in asked] == ["queued"]
            redis_server["start"]()
            wait_for(lambda: any(run[0] == asked[0][0] and run[1] == "succeeded"
                                 for run in _runs(site["database"], site["conversation"])),
                     "the run asked for during the outage to succeed")
            assert request(port, "GET", "/healthz/ready", {})[1]["status"] == "ok"


def test_a_worker_killed_mid_run_fails_the_run_and_the_next_succeeds(tmp_path: Path) -> None:
    with private_redis() as redis_server:
        site = make_site(f"sqlite:///{tmp_path / 'chorus.sqlite'}", tmp_path / "keys", ideas=12)
        url, started = redis_server["url"], tmp_path / "started"
        blocking = env(site, url, CHORUS_TEST_STARTED_FILE=str(started), **FAST)
        with process([sys.executable, str(Path(__file__).parent / "blocking_worker.py")], blocking) as doomed:
            _ask_for_a_run(site, url)
            wait_for(started.exists, "the run to start on the worker")
            dead = _runs(site["database"], site["conversation"])[-1]
            assert dead[1] == "running"
            kill_group(doomed)  # SIGKILL: no clean-up of any kind
        with process([str(BIN / "flask"), "worker"], env(site, url, **FAST)):
            def recorded_failed() -> bool:
                return any(run[0] == dead[0] and run[1] == "failed" for run in _runs(site["database"], site["conversation"]))

            wait_for(recorded_failed, "the dead worker's run to be recorded as failed")
            error = next(run[2] for run in _runs(site["database"], site["conversation"]) if run[0] == dead[0])
            assert "worker stopped" in error
            _ask_for_a_run(site, url)
            wait_for(lambda: any(run[0] > dead[0] and run[1] == "succeeded"
                                 for run in _runs(site["database"], site["conversation"])), "the next run to succeed")
