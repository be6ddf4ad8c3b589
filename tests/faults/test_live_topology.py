"""Issue #17: live streams across the production layout's moving parts.

A gunicorn worker killed with streams open (the browser reconnects with Last-Event-ID and misses nothing), two
Chorus instances on one Redis (no cross-talk), and two web hosts behind a real nginx sharing PostgreSQL and
Redis (a note posted through one host reaches a stream on the other). Private servers only; every wait is on a
condition with a generous bound.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import tempfile
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.anonymity.private_pg import _free_port, private_postgres
from tests.faults.harness import (env, gunicorn, make_site, private_redis, process, request, wait_for,
                                  wait_until_up)

pytestmark = pytest.mark.slow


class Stream:
    """An EventSource stand-in: reads one SSE connection in a thread, keeping each event's id and data."""

    def __init__(self, port: int, path: str, token: str, last_event_id: int | None = None) -> None:
        self.events: list[tuple[int, str]] = []
        self.open = threading.Event()
        self.ended = threading.Event()
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=300)
        resume = f"Last-Event-ID: {last_event_id}\r\n" if last_event_id is not None else ""
        self.sock.sendall((f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
                           f"Authorization: Bearer {token}\r\n{resume}Connection: keep-alive\r\n\r\n").encode())
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        event_id: int | None = None
        try:
            with self.sock.makefile("rb") as lines:
                for raw in lines:
                    line = raw.decode(errors="replace").rstrip("\r\n")
                    if line.startswith("retry:"):
                        self.open.set()
                    elif line.startswith("id: "):
                        event_id = int(line[4:])
                    elif line.startswith("data: ") and event_id is not None:
                        self.events.append((event_id, line[6:]))
                        event_id = None
        except OSError:
            pass
        finally:
            self.open.set()
            self.ended.set()

    @property
    def ids(self) -> set[int]:
        return {event_id for event_id, _ in self.events}

    def has(self, text: str) -> bool:
        return any(text in data for _, data in self.events)

    def close(self) -> None:
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()
        self.reader.join(timeout=60)


def _post(port: int, site: dict, body: str) -> None:
    def posted() -> bool:
        try:
            return request(port, "POST", f"/api/v1/questions/{site['question']}/ideas",
                           {"Authorization": f"Bearer {site['token']}"}, {"body": body})[0] == 201
        except OSError:
            return False  # the worker is being replaced: try again

    wait_for(posted, f"the idea {body!r} to be posted")


def _stored_events(database: str, conversation: int) -> set[int]:
    engine = sa.create_engine(database)
    try:
        with engine.connect() as connection:
            return set(connection.scalars(sa.text("SELECT id FROM live_event WHERE conversation_id = :c"),
                                          {"c": conversation}))
    finally:
        engine.dispose()


def _workers(master: int) -> list[int]:
    """gunicorn's worker processes: the children of its master."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == master:
                found.append(int(entry.name))
    return found


def test_a_killed_worker_loses_no_event_for_a_reconnecting_stream(tmp_path: Path) -> None:
    with private_redis() as redis_server:
        site = make_site(f"sqlite:///{tmp_path / 'chorus.sqlite'}", tmp_path / "keys")
        port = _free_port()
        path = f"/conversations/{site['conversation']}/live/events"
        with gunicorn(site, redis_server["url"], port, workers=1, CHORUS_SCHEDULER="false") as server:
            wait_until_up(server, port)
            first = Stream(port, path, site["token"])
            try:
                assert first.open.wait(300), "the stream did not open"
                _post(port, site, "Before the crash: lockers for the night shift")
                wait_for(lambda: first.has("Before the crash"), "the first event on the stream")
                for worker in _workers(server.pid):  # gunicorn is started directly, so this is its master
                    os.kill(worker, signal.SIGKILL)  # the worker holding the stream dies
                assert first.ended.wait(300), "the stream did not notice its worker died"
                _post(port, site, "While it restarts: a quiet room for breaks")
                _post(port, site, "Also while it restarts: hot food at night")
            finally:
                first.close()
            resumed = Stream(port, path, site["token"], last_event_id=max(first.ids))
            try:
                assert resumed.open.wait(300), "the stream did not reopen"
                _post(port, site, "After the restart: rotas six weeks ahead")
                stored = _stored_events(site["database"], site["conversation"])
                wait_for(lambda: stored <= first.ids | resumed.ids, "every stored event on the stream")
                assert resumed.has("While it restarts") and resumed.has("After the restart")
                assert not first.ids & resumed.ids  # nothing twice: the resumed stream starts after the last id
            finally:
                resumed.close()


def test_two_instances_on_one_redis_do_not_hear_each_other(tmp_path: Path) -> None:
    with private_redis() as redis_server:
        # Two independent installations: both have conversation 1 and question 1, and share one Redis.
        one = make_site(f"sqlite:///{tmp_path / 'one.sqlite'}", tmp_path / "keys-one")
        two = make_site(f"sqlite:///{tmp_path / 'two.sqlite'}", tmp_path / "keys-two")
        assert (one["conversation"], one["question"]) == (two["conversation"], two["question"])
        port_one, port_two = _free_port(), _free_port()
        with gunicorn(one, redis_server["url"], port_one, workers=1, CHORUS_SCHEDULER="false") as server_one, \
                gunicorn(two, redis_server["url"], port_two, workers=1, CHORUS_SCHEDULER="false") as server_two:
            wait_until_up(server_one, port_one)
            wait_until_up(server_two, port_two)
            path = f"/conversations/{one['conversation']}/live/events"
            stream_one, stream_two = Stream(port_one, path, one["token"]), Stream(port_two, path, two["token"])
            try:
                assert stream_one.open.wait(300) and stream_two.open.wait(300)
                _post(port_one, one, "Only for the first trust: more parking")
                _post(port_two, two, "Only for the second trust: faster logins")
                wait_for(lambda: stream_one.has("first trust") and stream_two.has("second trust"),
                         "each instance's own idea on its own stream")
                # Each later event proves the stream went on reading, so a stray event would have arrived by now.
                _post(port_one, one, "Later for the first trust")
                _post(port_two, two, "Later for the second trust")
                wait_for(lambda: stream_one.has("Later for the first") and stream_two.has("Later for the second"),
                         "the later ideas")
                assert not stream_one.has("second trust") and not stream_two.has("first trust")
            finally:
                stream_one.close()
                stream_two.close()


NGINX_SITE = """
worker_processes 1;
daemon off;
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log off;  # docs/operations.md: no client addresses or full paths in proxy logs
    client_body_temp_path {root}/body;
    proxy_temp_path {root}/proxy;
    fastcgi_temp_path {root}/fastcgi;
    uwsgi_temp_path {root}/uwsgi;
    scgi_temp_path {root}/scgi;
    {servers}
}}
"""
NGINX_SERVER = """
    server {{
        listen 127.0.0.1:{listen};
        location ~ ^/conversations/[0-9]+/live/events$ {{
            proxy_pass http://127.0.0.1:{upstream};
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_buffering off;
            proxy_read_timeout 1h;
        }}
        location / {{
            proxy_pass http://127.0.0.1:{upstream};
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
        }}
    }}
"""


def _nginx() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if not found:
        if os.environ.get("CI") == "true":
            pytest.fail("CI needs nginx (Debian's nginx-light) for the reverse-proxy fault test")
        pytest.skip("nginx is needed for the reverse-proxy fault test")
    return found


def test_a_note_posted_through_one_host_reaches_a_stream_on_the_other(tmp_path: Path) -> None:
    nginx = _nginx()
    with private_postgres() as (database, _, _), private_redis() as redis_server:
        site = make_site(database, tmp_path / "keys")
        host_a, host_b, proxy_a, proxy_b = (_free_port() for _ in range(4))
        root = Path(tempfile.mkdtemp(prefix="chorus-nginx-"))
        servers = "".join(NGINX_SERVER.format(listen=listen, upstream=upstream)
                          for listen, upstream in ((proxy_a, host_a), (proxy_b, host_b)))
        (root / "nginx.conf").write_text(NGINX_SITE.format(root=root, servers=servers))
        proxied = {"CHORUS_SCHEDULER": "false", "CHORUS_PROXY_HOPS": "1"}
        try:
            with gunicorn(site, redis_server["url"], host_a, workers=1, **proxied) as server_a, \
                    gunicorn(site, redis_server["url"], host_b, workers=1, **proxied) as server_b, \
                    process([nginx, "-c", str(root / "nginx.conf"), "-p", str(root)], env(site, None)) as proxy:
                wait_until_up(server_a, host_a)
                wait_until_up(server_b, host_b)
                wait_until_up(proxy, proxy_a)
                wait_until_up(proxy, proxy_b)
                stream = Stream(proxy_b, f"/conversations/{site['conversation']}/live/events", site["token"])
                try:
                    assert stream.open.wait(300), "the stream through the proxy did not open"
                    _post(proxy_a, site, "Posted through host A: showers for cyclists")
                    wait_for(lambda: stream.has("Posted through host A"), "host A's note on host B's stream")
                finally:
                    stream.close()
        finally:
            shutil.rmtree(root, ignore_errors=True)

