"""A real local SMTP server (aiosmtpd) and a local HTTP server standing in for a Teams webhook, for the tests.

Both listen on free ports on 127.0.0.1, record what they receive, and are stopped in `finally`.
"""

from __future__ import annotations

import email
import email.policy
import json
import socket
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage as Message
from pathlib import Path
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
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


def tls_files(folder: Path) -> tuple[str, str, str]:
    """A private CA and a certificate for 127.0.0.1 signed by it: (CA file, certificate, key)."""
    from datetime import datetime, timedelta, timezone
    from ipaddress import IPv4Address

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.now(timezone.utc)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Chorus test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=1))
          .not_valid_after(now + timedelta(days=1)).add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
          .sign(ca_key, hashes.SHA256()))
    cert = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(IPv4Address("127.0.0.1"))]), False)
            .sign(ca_key, hashes.SHA256()))
    paths = (folder / "ca.pem", folder / "relay.pem", folder / "relay.key")
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return str(paths[0]), str(paths[1]), str(paths[2])


def start_smtp(auth: bool = False, tls: tuple[str, str] | None = None) -> tuple[Controller, Mailbox]:
    """The server; with `tls` (certificate, key) it offers STARTTLS and refuses mail and sign-in before it."""
    mailbox = Mailbox()
    mailbox.port = free_port()
    options: dict[str, Any] = {"authenticator": _authenticator, "auth_require_tls": tls is not None} if auth else {}
    if tls is not None:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(*tls)
        options |= {"tls_context": context, "require_starttls": True}
    controller = Controller(mailbox, hostname="127.0.0.1", port=mailbox.port, ready_timeout=120, **options)
    controller.start()
    return controller, mailbox


@contextmanager
def smtp_running(auth: bool = False, tls: tuple[str, str] | None = None) -> Iterator[Mailbox]:
    """A test module's fixture: `with smtp_running() as mailbox: yield mailbox`."""
    controller, mailbox = start_smtp(auth, tls)
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


# Fixtures shared by the messaging tests (registered for the whole suite by tests/conftest.py's pytest_plugins):
# a fresh local SMTP server and Teams stand-in per test, and `mail_app`, an app whose email goes to that server.
@pytest.fixture
def smtp_server() -> Iterator[Mailbox]:
    with smtp_running() as mailbox:
        yield mailbox


@pytest.fixture
def teams_channel() -> Iterator[TeamsChannel]:
    with teams_running() as channel:
        yield channel


@pytest.fixture
def mail_app(database_url: str, smtp_server: Mailbox) -> Iterator[Flask]:
    from tests.conftest import running_app

    with running_app(database_url, **smtp_settings(smtp_server)) as app:
        yield app
