"""Issue #17.2 fault test: PostgreSQL stopped and started under writes, on gunicorn with gevent workers.

Every answer is a 201 or a 503 with Retry-After (never a 500), health says not ready while the database is away
and live throughout, writes succeed again after the restart, and every acknowledged write is in the database.
"""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from tests.anonymity.private_pg import _free_port, private_postgres
from tests.faults.harness import gunicorn, make_site, pg_ctl, private_redis, request, wait_for, wait_until_up


pytestmark = pytest.mark.slow  # private servers and processes: minutes on a loaded machine


def test_a_postgres_restart_during_writes_gives_only_503s_and_loses_nothing(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with private_postgres() as (database, data, pg_port), private_redis() as redis_server:
        site = make_site(database, tmp_path / "keys")
        port = _free_port()
        with gunicorn(site, redis_server["url"], port, CHORUS_JOBS="thread", CHORUS_SCHEDULER="false",
                      CHORUS_DB_POOL_TIMEOUT="3") as server:
            wait_until_up(server, port)
            headers = {"Authorization": f"Bearer {site['token']}"}
            answers: list[tuple[int, str | None, str | None]] = []  # status, idea id, Retry-After
            lock, stop = threading.Lock(), threading.Event()

            def write(writer: int) -> None:
                n = 0
                while not stop.is_set():
                    n += 1
                    try:
                        status, body, response_headers = request(
                            port, "POST", f"/api/v1/questions/{site['question']}/ideas", headers,
                            {"body": f"Writer {writer} asks for better breaks, note {n}"})
                    except OSError:
                        continue  # no answer at all is not an acknowledged write; never a 500 either
                    with lock:
                        answers.append((status, body.get("id"), response_headers.get("Retry-After")))

            def count(status: int) -> int:
                with lock:
                    return sum(1 for answer in answers if answer[0] == status)

            writers = [threading.Thread(target=write, args=(w,)) for w in range(4)]
            for writer in writers:
                writer.start()
            try:
                wait_for(lambda: count(201) >= 10, "writes before the outage")
                pg_ctl(data, pg_port, "stop")
                try:
                    wait_for(lambda: count(503) >= 5, "503 answers while PostgreSQL is stopped")
                    assert request(port, "GET", "/healthz/live", {})[0] == 200
                    ready = request(port, "GET", "/healthz/ready", {})
                    assert ready[0] == 503 and ready[1]["checks"]["database"] == "unreachable"
                finally:
                    pg_ctl(data, pg_port, "start")
                before = count(201)
                wait_for(lambda: count(201) >= before + 10, "writes after PostgreSQL is back")
                assert request(port, "GET", "/healthz/ready", {})[0] == 200
            finally:
                stop.set()
                for writer in writers:
                    writer.join(timeout=300)

        statuses = {answer[0] for answer in answers}
        assert statuses <= {201, 503}, statuses  # never a 500
        assert all(retry for status, _, retry in answers if status == 503)
        acknowledged = {idea for status, idea, _ in answers if status == 201}
        engine = sa.create_engine(database)
        try:
            with engine.connect() as connection:
                stored = set(connection.scalars(sa.text("SELECT id FROM idea")))
        finally:
            engine.dispose()
        assert acknowledged <= stored  # every acknowledged write is there
