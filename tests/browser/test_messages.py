"""A facilitator schedules a reminder and sends an invitation from the "Invite and remind" page, in a real browser,
with a real local SMTP server receiving the invitation; then checks the page with axe-core."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from werkzeug.serving import make_server

from tests.browser.conftest import serious_violations, sign_in
from tests.messaging_servers import Mailbox, smtp_running, smtp_settings


@pytest.fixture(scope="module")
def smtp_server() -> Iterator[Mailbox]:
    with smtp_running() as mailbox:
        yield mailbox


@pytest.fixture(scope="module")
def live_server(tmp_path_factory, smtp_server: Mailbox) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """The seeded demo (as in conftest.py), with email going to the local SMTP server."""
    from app import create_app
    from app.extensions import db
    from app.seed import seed

    path = tmp_path_factory.mktemp("browser-messages") / "chorus.sqlite"
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "CHORUS_JOBS": "inline",
                      **smtp_settings(smtp_server)})
    with app.app_context():
        db.create_all()
        seed(idea_count=40)
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(300)
        with app.app_context():
            db.engine.dispose()


def test_facilitator_schedules_a_reminder_and_sends_an_invitation(live_server, new_page, smtp_server: Mailbox) -> None:
    page = new_page()
    sign_in(page, live_server, "facilitator@demo.chorus.nhs.uk")
    page.goto(live_server + "/facilitate/conversations/1")
    page.get_by_role("link", name="Invite and remind").click()
    page.wait_for_url("**/facilitate/conversations/1/messages")
    assert serious_violations(page) == []
    page.get_by_label("Reminder", exact=True).check()
    page.get_by_label("Three days before the conversation closes").check()
    page.get_by_label("A short note to add (optional)").fill("Have your say before Friday.")
    page.get_by_role("button", name="Check how many people it reaches").click()
    page.get_by_text("This message would go to").wait_for()
    assert smtp_server.messages == []  # a preview sends nothing
    page.get_by_role("button", name="Send or schedule").click()
    page.get_by_text("Your reminder is scheduled for").wait_for()
    row = page.locator("#send-log ~ table tbody tr").first
    assert "Reminder" in row.inner_text() and "Scheduled" in row.inner_text()
    assert smtp_server.messages == []  # due three days before closing, not now
    page.get_by_label("Invitation", exact=True).check()
    page.get_by_label("Now", exact=True).check()
    page.get_by_role("button", name="Send or schedule").click()
    page.get_by_text("Your invitation has been sent.").wait_for()
    assert len(smtp_server.recipients) > 0
    assert serious_violations(page) == []
    # Cancelling the scheduled reminder, without JavaScript's help: a plain form post.
    page.get_by_role("button", name="Cancel reminder").click()
    page.get_by_text("The reminder has been cancelled.").wait_for()
