"""Time sending an invitation to a whole audience through a real local SMTP server (aiosmtpd), and the audience
queries the "Invite and remind" page runs (recipient count, filter choices).

The relay is aiosmtpd's Sink handler in its own process on the same machine (--in-process runs it on a thread here
instead, which shares this process's GIL), accepting everything, so the figure is Chorus's own cost per email
(query, render text and HTML, build the MIME message, one SMTP transaction) rather than a real relay's speed;
NHSmail's throttling will dominate in production. Run: .venv/bin/python -m bench.messages --people 2000 (as a module: bench/http.py would hide the standard library's http)
"""

from __future__ import annotations

import argparse
import contextlib
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import Membership, User  # noqa: E402
from app.models.base import utcnow  # noqa: E402
from app.services.accounts import organisations  # noqa: E402
from app.services.conversations import lifecycle  # noqa: E402
from app.services.messaging import audience, broadcasts  # noqa: E402
from tests.messaging_servers import Mailbox, free_port, smtp_running, smtp_settings  # noqa: E402


@contextlib.contextmanager
def relay_process() -> Iterator[Mailbox]:
    """aiosmtpd's Sink (accepts and drops every message) in a child process; its output goes to a file."""
    mailbox = Mailbox(port=free_port())
    with tempfile.TemporaryFile() as output:
        child = subprocess.Popen([sys.executable, "-m", "aiosmtpd", "-n", "-c", "aiosmtpd.handlers.Sink",
                                  "-l", f"127.0.0.1:{mailbox.port}"], stdout=output, stderr=output)
        try:
            deadline = time.monotonic() + 120
            while True:  # wait for it to listen
                try:
                    socket.create_connection(("127.0.0.1", mailbox.port), timeout=120).close()
                    break
                except OSError:
                    if time.monotonic() > deadline or child.poll() is not None:
                        raise
                    time.sleep(0.1)
            yield mailbox
        finally:
            child.terminate()
            child.wait(120)


def _timed(function, repeat: int = 5) -> float:  # type: ignore[no-untyped-def]
    """Median milliseconds of `repeat` calls."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=2000, help="audience size")
    parser.add_argument("--database", default="sqlite://", help="database URL (default: SQLite in memory)")
    parser.add_argument("--in-process", action="store_true", help="run the relay on a thread in this process")
    args = parser.parse_args()
    with (smtp_running() if args.in_process else relay_process()) as mailbox:
        app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": args.database, "CHORUS_JOBS": "inline",
                          **smtp_settings(mailbox)})
        with app.app_context():
            db.drop_all()
            db.create_all()
            org = organisations.create_organisation("Bench Trust", "B001")
            groups = [organisations.add_staff_group(org, name) for name in ("Nursing", "Medical", "Estates")]
            users = [User(email=f"p{n}@bench.nhs.uk", display_name="") for n in range(args.people)]
            db.session.add_all(users)
            db.session.flush()
            db.session.add_all(Membership(user_id=u.id, organisation_id=org.id, staff_group_id=groups[n % 3].id)
                               for n, u in enumerate(users))
            conversation = lifecycle.create_conversation(org.id, lifecycle.ConversationDetails(
                title="Bench", audience_ids=[org.id], questions=["What would help?"],
                closes_at=utcnow() + timedelta(days=7)))
            lifecycle.open_conversation(conversation)
            count_ms = _timed(lambda: audience.count(conversation, {}))
            choices_ms = _timed(lambda: audience.choices(conversation))
            start = time.perf_counter()
            message = broadcasts.schedule_message(conversation, broadcasts.Request("invitation", True, False, "now"))
            seconds = time.perf_counter() - start
            assert message.status == "sent" and message.sent_count == args.people, message.last_error
            print(f"audience: {args.people} people on {db.engine.dialect.name}; relay "
                  f"{'on a thread in this process' if args.in_process else 'in its own process'}")
            print(f"recipient count query: {count_ms:.1f} ms (median of 5)")
            print(f"filter choices (organisations and staff groups of at least k): {choices_ms:.1f} ms (median of 5)")
            print(f"invitation to everyone: {seconds:.2f} s, {args.people / seconds:.0f} emails/s, "
                  f"{seconds / args.people * 1000:.2f} ms per email")
            db.session.remove()
            db.drop_all()


if __name__ == "__main__":
    main()
