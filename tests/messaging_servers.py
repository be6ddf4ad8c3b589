"""A real local SMTP server (aiosmtpd) and a local HTTP server standing in for a Teams webhook, for the tests.

Both listen on free ports on 127.0.0.1, record what they receive, and are stopped in `finally`.
"""

from __future__ import annotations

import email
import email.policy
import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage as Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

USERNAME, PASSWORD = "chorus@relay.test", "relay-password"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Mailbox:
    """What the SMTP server received, and which recipients it refuses (5xx) or defers (4xx)."""

    messages: list[tuple[list[str], Message]] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    defer: set[str] = field(default_factory=set)
    port: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def recipients(self) -> list[str]:
        with self.lock:
            return [to for tos, _ in self.messages for to in tos]

    def clear(self) -> None:
        with self.lock:
            self.messages.clear()

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address in self.refuse:
            return "550 5.1.1 No such mailbox"
        if address in self.defer:
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), email.message_from_bytes(envelope.content, policy=email.policy.default)))
        return "250 Message accepted"


def _authenticator(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
    ok = isinstance(data, LoginPassword) and data.login == USERNAME.encode() and data.password == PASSWORD.encode()
    return AuthResult(success=ok, handled=False)


def start_smtp(auth: bool = False) -> tuple[Controller, Mailbox]:
    mailbox = Mailbox()
    mailbox.port = free_port()
    options: dict[str, Any] = {"authenticator": _authenticator, "auth_require_tls": False} if auth else {}
    controller = Controller(mailbox, hostname="127.0.0.1", port=mailbox.port, ready_timeout=120, **options)
    controller.start()
    return controller, mailbox


@contextmanager
def smtp_running(auth: bool = False) -> Iterator[Mailbox]:
    """A test module's fixture: `with smtp_running() as mailbox: yield mailbox`."""
    controller, mailbox = start_smtp(auth)
    try:
        yield mailbox
    finally:
        controller.stop()


def smtp_settings(mailbox: Mailbox, **extra: object) -> dict[str, object]:
    return {"CHORUS_SMTP_HOST": "127.0.0.1", "CHORUS_SMTP_PORT": mailbox.port, "CHORUS_SMTP_STARTTLS": False,
            "CHORUS_MAIL_FROM": "Chorus <chorus@test.nhs.uk>", "CHORUS_SMTP_TIMEOUT": 120,
            "CHORUS_TEAMS_ALLOW_LOCAL_HTTP": True, **extra}


@dataclass
class TeamsChannel:
    """Posts the stand-in webhook received; `status` is what it answers next."""

    posts: list[dict[str, Any]] = field(default_factory=list)
    status: int = 200
    url: str = ""


@contextmanager
def teams_running() -> Iterator[TeamsChannel]:
    channel = TeamsChannel()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            length = int(self.headers.get("Content-Length", 0))
            body = json.loads(self.rfile.read(length) or b"{}")
            if channel.status == 200:
                channel.posts.append(body)
            self.send_response(channel.status)
            self.send_header("Content-Length", "1")
            self.end_headers()
            self.wfile.write(b"1")

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (quiet test output)
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    channel.url = f"http://127.0.0.1:{server.server_address[1]}/webhook"
    try:
        yield channel
    finally:
        server.shutdown()
        server.server_close()
        thread.join(120)
