"""The "Invite and remind" page, its access rules, and the unsubscribe page emails link to."""

from __future__ import annotations

import re

import pytest

from app.extensions import db
from app.models import MessageKind, MessagePreference, OutreachMessage
from app.services.messaging import preferences
from tests.messaging_servers import Mailbox
from tests.services import triage_fixtures

themed = triage_fixtures.themed  # the fixture, taken by request.getfixturevalue below

ROUTES = [("get", "/facilitate/conversations/{c}/messages"), ("post", "/facilitate/conversations/{c}/messages"),
          ("post", "/facilitate/conversations/{c}/messages/1/cancel"), ("post", "/facilitate/conversations/{c}/messages/teams"),
          ("post", "/facilitate/conversations/{c}/messages/check-email")]


@pytest.fixture
def app(mail_app):  # type: ignore[no-untyped-def]
    """Email goes to this test's local SMTP server (tests/messaging_servers.py)."""
    return mail_app


@pytest.fixture
def staff(make_user):  # type: ignore[no-untyped-def]
    return [make_user() for _ in range(12)]


def _messages(conversation) -> list[OutreachMessage]:  # type: ignore[no-untyped-def]
    db.session.expire_all()
    return list(db.session.query(OutreachMessage).filter_by(conversation_id=conversation.id))


def test_only_the_conversations_facilitators_reach_the_page(client, login, make_user, make_org, make_conversation) -> None:
    conversation = make_conversation()
    token = login(make_user("participant"))
    for method, path in ROUTES:
        assert getattr(client, method)(path.format(c=conversation.id), data={"csrf_token": token}).status_code == 404
    with client.session_transaction() as session:
        session.clear()
    token = login(make_user("facilitator", organisation=make_org("Elsewhere Trust")))
    for method, path in ROUTES:
        assert getattr(client, method)(path.format(c=conversation.id), data={"csrf_token": token}).status_code == 404


def test_a_facilitator_previews_the_count_sends_an_invitation_and_schedules_a_reminder(
        client, login, make_user, make_conversation, staff, smtp_server: Mailbox) -> None:
    conversation = make_conversation()
    facilitator = make_user("facilitator")
    token = login(facilitator)
    page = client.get(f"/facilitate/conversations/{conversation.id}/messages")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Invite and remind" in html and 'aria-current="page"' in html
    assert "13 people" in html  # twelve staff and the facilitator: a number, never a list
    assert not any(u.email in html for u in staff)
    base = {"csrf_token": token, "kind": "invitation", "channels": "email", "when": "now", "note": ""}
    preview = client.post(f"/facilitate/conversations/{conversation.id}/messages", data=base | {"action": "preview"})
    assert preview.status_code == 200 and "would go to <strong>13 people</strong>" in preview.get_data(as_text=True)
    assert _messages(conversation) == [] and smtp_server.messages == []  # a preview sends and writes nothing
    sent = client.post(f"/facilitate/conversations/{conversation.id}/messages", data=base | {"action": "send"})
    assert sent.status_code == 302 and sent.headers["Location"].endswith(f"/conversations/{conversation.id}/messages#send-log")
    assert len(smtp_server.recipients) == 13
    scheduled = client.post(f"/facilitate/conversations/{conversation.id}/messages",
                            data=base | {"kind": "reminder", "when": "before_close", "action": "send"})
    assert scheduled.status_code == 302
    log = client.get(f"/facilitate/conversations/{conversation.id}/messages").get_data(as_text=True)
    assert "has been sent" in log and "is scheduled for" in log
    assert "Reminder" in log and "Scheduled" in log and "Everyone in the audience" in log
    reminder = [m for m in _messages(conversation) if m.kind == "reminder"][0]
    cancelled = client.post(f"/facilitate/conversations/{conversation.id}/messages/{reminder.id}/cancel",
                            data={"csrf_token": token})
    assert cancelled.status_code == 302
    assert [m.status for m in _messages(conversation) if m.kind == "reminder"] == ["cancelled"]


def test_bad_input_is_a_clear_message_and_writes_nothing(client, login, make_user, make_conversation, staff) -> None:
    conversation = make_conversation()
    token = login(make_user("facilitator"))
    path = f"/facilitate/conversations/{conversation.id}/messages"
    base = {"csrf_token": token, "kind": "invitation", "channels": "email", "when": "now", "action": "send"}
    cases = [
        ({"channels": None}, "Choose email, Microsoft Teams or both"),
        ({"channels": "teams"}, "Set this conversation"),
        ({"when": "at", "at": "next tuesday"}, "Enter a real date and time"),
        ({"when": "at", "at": "2001-01-01 09:00"}, "must be in the future"),
        ({"kind": "announcement"}, "Publish at least one"),
        ({"kind": None}, "Choose what to send"),
        ({"organisation_ids": "999999"}, "Not a valid choice"),
    ]
    for change, says in cases:
        response = client.post(path, data={k: v for k, v in (base | change).items() if v is not None})
        assert response.status_code == 400, change
        text = response.get_data(as_text=True)
        assert says.lower() in text.lower(), (change, text[text.find("There is a problem"):][:400])
    assert _messages(conversation) == []
    assert client.post(path, data={k: v for k, v in base.items() if k != "csrf_token"}).status_code == 400


def test_the_teams_address_is_checked_and_shown_masked(client, login, make_user, make_conversation) -> None:
    conversation = make_conversation()
    token = login(make_user("facilitator"))
    path = f"/facilitate/conversations/{conversation.id}/messages/teams"
    bad = client.post(path, data={"csrf_token": token, "url": "https://example.com/hook"})
    assert bad.status_code == 400 and "not a Microsoft Teams webhook" in bad.get_data(as_text=True)
    good = client.post(path, data={"csrf_token": token, "url": "https://contoso.webhook.office.com/webhookb2/secret-part"})
    assert good.status_code == 302
    page = client.get(f"/facilitate/conversations/{conversation.id}/messages").get_data(as_text=True)
    assert "https://contoso.webhook.office.com/…" in page and "secret-part" not in page


def test_checking_the_email_settings_says_whether_they_work(client, login, make_user, make_conversation, app) -> None:
    conversation = make_conversation()
    token = login(make_user("facilitator"))
    path = f"/facilitate/conversations/{conversation.id}/messages/check-email"
    ok = client.post(path, data={"csrf_token": token}, follow_redirects=True).get_data(as_text=True)
    assert "The email settings work: 127.0.0.1 port" in ok
    from tests.messaging_servers import free_port

    app.config["CHORUS_SMTP_PORT"] = free_port()
    bad = client.post(path, data={"csrf_token": token}, follow_redirects=True).get_data(as_text=True)
    assert "could not be reached" in bad and "CHORUS_SMTP_PORT" in bad


def test_the_unsubscribe_link_asks_first_then_unsubscribes_and_can_undo(client, make_user) -> None:
    person = make_user()
    token = preferences.unsubscribe_token(person.id, MessageKind.REMINDER)
    page = client.get(f"/messages/unsubscribe/{token}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Stop getting reminders?" in html
    assert db.session.query(MessagePreference).count() == 0  # a mail scanner opening the link changes nothing
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]
    done = client.post(f"/messages/unsubscribe/{token}", data={"csrf_token": csrf})
    assert done.status_code == 200 and "You have unsubscribed" in done.get_data(as_text=True)
    assert db.session.query(MessagePreference).count() == 1
    again = client.post(f"/messages/unsubscribe/{token}", data={"csrf_token": csrf})
    assert "You are subscribed again" in again.get_data(as_text=True)
    assert db.session.query(MessagePreference).count() == 0
    assert client.get("/messages/unsubscribe/forged-token").status_code == 404
    assert client.post(f"/messages/unsubscribe/{token}", data={}).status_code == 400


def test_a_lead_announces_a_published_outcome_from_the_theme_page(client, login, request, smtp_server: Mailbox) -> None:
    import sqlalchemy as sa

    from app.models import Theme, ThemeSnapshot
    from app.services.triage import outcomes

    conversation, _, _, lead = request.getfixturevalue("themed")
    db.session.refresh(conversation)
    theme = db.session.get(Theme, db.session.scalars(sa.select(ThemeSnapshot.theme_id).where(
        ThemeSnapshot.run_id == conversation.current_theme_run_id)).first())
    outcomes.publish_outcome(theme, "Breaks get skipped", "Protect breaks", "Director of Nursing", None)
    token = login(lead)
    page = client.get(f"/manage/themes/{theme.id}").get_data(as_text=True)
    link = f"/facilitate/conversations/{conversation.id}/messages?kind=announcement#compose"
    assert link in page
    form = client.get(link.split("#")[0]).get_data(as_text=True)
    assert re.search(r'value="announcement"\s+checked', form)
    sent = client.post(f"/facilitate/conversations/{conversation.id}/messages", data={
        "csrf_token": token, "kind": "announcement", "channels": "email", "when": "now", "action": "send"})
    assert sent.status_code == 302 and len(smtp_server.recipients) == 4  # three staff and the lead: the audience
    assert "We will: Protect breaks" in smtp_server.messages[0][1].get_body(("plain",)).get_content()
