"""Invitations, reminders and announcements: sent to a real local SMTP server and a stand-in Teams webhook."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from app.extensions import db
from app.models import MessageKind, Theme
from app.models.base import utcnow
from app.services.common.errors import InvalidInput, NotAllowedNow
from app.services.messaging import broadcasts, preferences, sending
from app.services.messaging.broadcasts import Request
from app.services.triage import outcomes
from tests.messaging_servers import (Mailbox, TeamsChannel, free_port, smtp_running)


@pytest.fixture
def app(mail_app):  # type: ignore[no-untyped-def]
    """Email goes to this test's local SMTP server (tests/messaging_servers.py)."""
    return mail_app


@pytest.fixture
def staff(make_user):  # type: ignore[no-untyped-def]
    """Twelve people in the owning organisation: enough for its groups to be offered as filters (k = 11)."""
    return [make_user(staff_group="Nursing" if n < 11 else "Medical") for n in range(12)]


def publish(conversation, label: str = "Car parking at night") -> None:  # type: ignore[no-untyped-def]
    theme = Theme(conversation_id=conversation.id, label=label)
    db.session.add(theme)
    db.session.commit()
    outcomes.publish_outcome(theme, "Parking is hard to find after 8pm", "Open the staff car park overnight",
                             "Estates team", None)


def time_passes(message) -> None:  # type: ignore[no-untyped-def]
    """As if the clock reached the message's due hour and its retry time (jobs read the real clock)."""
    earlier = utcnow() - timedelta(hours=1)
    message.due_hour = min(message.due_hour, earlier)
    message.next_attempt_at = earlier if message.next_attempt_at else None
    db.session.commit()


def test_an_invitation_now_reaches_the_whole_audience_in_text_and_html(make_conversation, staff, smtp_server: Mailbox) -> None:
    conversation = make_conversation(title="Better shifts")
    message = broadcasts.schedule_message(conversation, Request("invitation", True, False, "now", note="Tea provided."))
    assert message.status == "sent" and message.sent_count == 12 and message.failed_count == 0
    assert sorted(smtp_server.recipients) == sorted(u.email for u in staff)
    sent = smtp_server.messages[0][1]
    assert sent["Subject"] == "Have your say: Better shifts"
    assert sent["List-Unsubscribe"] is None  # invitations are not unsubscribable
    text = sent.get_body(("plain",)).get_content()
    html = sent.get_body(("html",)).get_content()
    assert f"http://chorus.test/conversations/{conversation.id}" in text and "Tea provided." in text
    assert "<h1" in html and "Better shifts" in html and "Tea provided." in html
    assert "Stop getting" not in text


def test_a_reminder_three_days_before_close_waits_for_the_scheduler(make_conversation, staff, smtp_server: Mailbox) -> None:
    conversation = make_conversation()
    message = broadcasts.schedule_message(conversation, Request("reminder", True, False, "before_close"))
    assert message.status == "scheduled" and message.due_hour == (conversation.closes_at - timedelta(days=3)).replace(
        minute=0, second=0, microsecond=0)
    assert sending.send_due() == [] and smtp_server.messages == []
    time_passes(message)
    assert sending.send_due() == [message.id]
    db.session.refresh(message)
    assert message.status == "sent" and message.sent_count == 12 and message.sent_hour is not None
    sent = smtp_server.messages[0][1]
    assert sent["Subject"].startswith("Reminder: ") and "/messages/unsubscribe/" in sent["List-Unsubscribe"]


def test_unsubscribing_is_honoured_for_reminders_and_announcements_never_for_invitations(
        make_conversation, staff, smtp_server: Mailbox) -> None:
    conversation = make_conversation()
    publish(conversation)
    leaver = staff[0]
    for kind in (MessageKind.REMINDER, MessageKind.ANNOUNCEMENT):
        assert preferences.set_unsubscribed(preferences.unsubscribe_token(leaver.id, kind), True).unsubscribed
    for kind in ("invitation", "reminder", "announcement"):
        smtp_server.clear()
        broadcasts.schedule_message(conversation, Request(kind, True, False, "now"))
        assert (leaver.email in smtp_server.recipients) is (kind == "invitation"), kind
        assert len(smtp_server.recipients) == (12 if kind == "invitation" else 11)
    # Subscribing again through the same link.
    preferences.set_unsubscribed(preferences.unsubscribe_token(leaver.id, MessageKind.REMINDER), False)
    smtp_server.clear()
    broadcasts.schedule_message(conversation, Request("reminder", True, False, "now"))
    assert leaver.email in smtp_server.recipients


def test_an_unsubscribe_link_cannot_be_forged_or_used_for_invitations(app, staff) -> None:
    token = preferences.unsubscribe_token(staff[0].id, MessageKind.REMINDER)
    with pytest.raises(Exception, match="not valid"):
        preferences.read_token(token[:-2] + ("AA" if not token.endswith("AA") else "BB"))
    with pytest.raises(Exception, match="not valid"):
        preferences.read_token(preferences.unsubscribe_token(staff[0].id, MessageKind.INVITATION))


def test_announcements_need_a_published_outcome_and_list_each_one(make_conversation, staff, smtp_server: Mailbox) -> None:
    conversation = make_conversation()
    with pytest.raises(NotAllowedNow, match="Publish at least one"):
        broadcasts.schedule_message(conversation, Request("announcement", True, False, "now"))
    assert broadcasts.messages(conversation) == []  # refused: nothing written
    publish(conversation)
    broadcasts.schedule_message(conversation, Request("announcement", True, False, "now"))
    sent = smtp_server.messages[0][1]
    text = sent.get_body(("plain",)).get_content()
    assert "You said: Parking is hard to find after 8pm" in text and "We will: Open the staff car park overnight" in text
    assert f"/conversations/{conversation.id}/outcomes" in text


def test_teams_gets_an_adaptive_card_with_title_dates_and_link(make_conversation, staff, smtp_server: Mailbox,
                                                               teams_channel: TeamsChannel) -> None:
    conversation = make_conversation(title="Night shift food")
    with pytest.raises(InvalidInput, match="Teams channel address first"):
        broadcasts.schedule_message(conversation, Request("invitation", False, True, "now"))
    broadcasts.set_teams_webhook(conversation, teams_channel.url)
    message = broadcasts.schedule_message(conversation, Request("invitation", False, True, "now"))
    assert message.status == "sent" and message.teams_posted and smtp_server.messages == []
    [post] = teams_channel.posts
    card = post["attachments"][0]
    assert card["contentType"] == "application/vnd.microsoft.card.adaptive"
    body = card["content"]["body"]
    assert body[0]["text"] == "Have your say: Night shift food"
    facts = {f["title"]: f["value"] for f in body[2]["facts"]}
    assert "Closes" in facts and facts["Run by"] == conversation.organisation.name
    assert card["content"]["actions"][0]["url"] == f"http://chorus.test/conversations/{conversation.id}"


def test_a_failing_teams_webhook_keeps_the_message_and_retries(make_conversation, staff, teams_channel: TeamsChannel) -> None:
    conversation = make_conversation()
    broadcasts.set_teams_webhook(conversation, teams_channel.url)
    teams_channel.status = 503
    message = broadcasts.schedule_message(conversation, Request("reminder", False, True, "now"))
    assert message.status == "scheduled" and message.attempts == 1 and "try again later" in message.last_error
    teams_channel.status = 200
    sending.send_message(message.id, now=message.next_attempt_at)
    db.session.refresh(message)
    assert message.status == "sent" and len(teams_channel.posts) == 1


@pytest.mark.parametrize("url, says", [
    ("not a url", "starting https://"), ("http://hooks.example.com/x", "starting https://"),
    ("https://evil.example.com/webhook", "not a Microsoft Teams"), ("http://10.0.0.5/webhook", "starting https://"),
])
def test_malformed_or_foreign_webhook_addresses_are_refused(make_conversation, url: str, says: str) -> None:
    conversation = make_conversation()
    with pytest.raises(InvalidInput, match=says):
        broadcasts.set_teams_webhook(conversation, url)
    assert broadcasts.webhook(conversation) is None
    hook = broadcasts.set_teams_webhook(conversation, "https://contoso.webhook.office.com/webhookb2/abc")
    assert hook is not None and broadcasts.masked(hook) == "https://contoso.webhook.office.com/…"


def test_a_deferred_recipient_is_retried_where_sending_stopped_and_nobody_gets_two(
        make_conversation, staff, smtp_server: Mailbox) -> None:
    conversation = make_conversation()
    ordered = sorted(staff, key=lambda u: u.id)
    smtp_server.defer.add(ordered[5].email)
    message = broadcasts.schedule_message(conversation, Request("invitation", True, False, "now"))
    assert message.status == "scheduled" and message.progress == 5 and message.sent_count == 5
    assert message.attempts == 1 and "try a recipient again later (reply 451)" in message.last_error
    assert message.next_attempt_at is not None and message.next_attempt_at > utcnow()
    assert sending.send_due() == []  # backing off: not yet
    smtp_server.defer.clear()
    time_passes(message)
    assert sending.send_due() == [message.id]
    db.session.refresh(message)
    assert message.status == "sent" and message.sent_count == 12
    assert sorted(smtp_server.recipients) == sorted(u.email for u in staff)  # each exactly once


def test_a_refused_recipient_is_counted_as_failed_and_the_rest_are_sent(make_conversation, staff, smtp_server: Mailbox) -> None:
    conversation = make_conversation()
    smtp_server.refuse.add(staff[3].email)
    message = broadcasts.schedule_message(conversation, Request("invitation", True, False, "now"))
    assert (message.status, message.sent_count, message.failed_count) == ("sent", 11, 1)
    assert message.last_error == "The mail server refused 1 recipient(s)."


def test_an_unreachable_relay_keeps_the_message_with_a_clear_reason_and_logs_no_address(
        make_conversation, staff, smtp_server: Mailbox, app, caplog: pytest.LogCaptureFixture) -> None:
    conversation = make_conversation()
    app.config["CHORUS_SMTP_PORT"] = free_port()  # nothing listens there
    with caplog.at_level(logging.INFO, logger="chorus.messages"):
        message = broadcasts.schedule_message(conversation, Request("invitation", True, False, "now"))
    assert message.status == "scheduled" and "could not be reached" in message.last_error
    assert "CHORUS_SMTP_HOST" in message.last_error and smtp_server.messages == []
    logged = caplog.text
    assert "could not be reached" in logged and not any(u.email in logged for u in staff) and "@" not in logged
    app.config["CHORUS_SMTP_PORT"] = smtp_server.port  # fixed: the next try sends everything
    sending.send_message(message.id, now=message.next_attempt_at)
    db.session.refresh(message)
    assert message.status == "sent" and message.sent_count == 12 and message.last_error == ""


def test_email_that_is_not_set_up_waits_with_the_reason(make_conversation, staff, app) -> None:
    conversation = make_conversation()
    app.config["CHORUS_SMTP_HOST"] = None
    message = broadcasts.schedule_message(conversation, Request("invitation", True, False, "now"))
    assert message.status == "scheduled" and "Email is not set up" in message.last_error


def test_a_relay_without_starttls_is_a_clear_settings_message(make_conversation, staff, app) -> None:
    app.config["CHORUS_SMTP_STARTTLS"] = True
    message = broadcasts.schedule_message(make_conversation(), Request("invitation", True, False, "now"))
    assert message.status == "scheduled" and "does not offer STARTTLS" in message.last_error


def test_scheduling_refuses_bad_requests_and_writes_nothing(make_conversation, make_org, make_user, staff) -> None:
    conversation = make_conversation()
    small = make_org("Small Trust")
    make_user(organisation=small)
    conversation.audience.append(small)
    db.session.commit()
    bad = [
        (Request("newsletter", True, False, "now"), "Choose what to send"),
        (Request("invitation", False, False, "now"), "email, Microsoft Teams or both"),
        (Request("invitation", True, False, "at"), "Enter the date and time"),
        (Request("invitation", True, False, "at", at=utcnow() - timedelta(hours=2)), "in the future"),
        (Request("reminder", True, False, "at", at=utcnow() + timedelta(days=30)), "after the conversation closes"),
        (Request("invitation", True, False, "now", organisation_ids=(small.id,)), "only those with at least 11"),
        (Request("invitation", True, False, "now", note="x" * 1001), "1,000 characters"),
    ]
    for request, says in bad:
        with pytest.raises(InvalidInput, match=says):
            broadcasts.schedule_message(conversation, request)
    assert broadcasts.messages(conversation) == []


def test_audience_filters_offer_only_groups_of_at_least_k_and_narrow_the_recipients(
        make_conversation, staff, smtp_server: Mailbox) -> None:
    from app.services.messaging import audience

    conversation = make_conversation()
    offered = audience.choices(conversation)
    assert [c.label for c in offered.organisations] == [conversation.organisation.name]
    assert [c.label for c in offered.staff_groups] == ["Nursing"]  # Medical has one person: never named
    nursing = offered.staff_groups[0].id
    assert audience.count(conversation, {"staff_group_ids": [nursing]}) == 11
    broadcasts.schedule_message(conversation, Request("invitation", True, False, "now", staff_group_ids=(nursing,)))
    assert sorted(smtp_server.recipients) == sorted(u.email for u in staff[:11])


def test_a_closed_conversation_takes_only_announcements_and_cancels_due_reminders(make_conversation, staff) -> None:
    from app.services.conversations import lifecycle

    conversation = make_conversation()
    message = broadcasts.schedule_message(conversation, Request("reminder", True, False, "before_close"))
    lifecycle.close_conversation(conversation)
    sending.send_message(message.id, now=message.due_hour)
    db.session.refresh(message)
    assert message.status == "cancelled" and "closed before it was due" in message.last_error
    with pytest.raises(NotAllowedNow, match="only “You said, we did”"):
        broadcasts.schedule_message(conversation, Request("reminder", True, False, "now"))


def test_cancel_only_while_scheduled(make_conversation, staff) -> None:
    conversation = make_conversation()
    message = broadcasts.schedule_message(conversation, Request("reminder", True, False, "before_close"))
    assert broadcasts.cancel_message(conversation, message.id).status == "cancelled"
    with pytest.raises(NotAllowedNow):
        broadcasts.cancel_message(conversation, message.id)
    assert sending.send_message(message.id, now=message.due_hour) is None


def test_wrong_relay_credentials_are_a_clear_message_and_the_right_ones_send(make_conversation, staff, app) -> None:
    from tests.messaging_servers import PASSWORD, USERNAME

    with smtp_running(auth=True) as relay:
        app.config.update(CHORUS_SMTP_PORT=relay.port, CHORUS_SMTP_USERNAME=USERNAME, CHORUS_SMTP_PASSWORD="wrong")
        message = broadcasts.schedule_message(make_conversation(), Request("invitation", True, False, "now"))
        assert message.status == "scheduled" and "did not accept the username and password" in message.last_error
        assert "wrong" not in message.last_error and relay.messages == []
        app.config["CHORUS_SMTP_PASSWORD"] = PASSWORD
        sending.send_message(message.id, now=message.next_attempt_at)
        db.session.refresh(message)
        assert message.status == "sent" and len(relay.recipients) == 12


def test_mail_settings_are_checked_at_start_up() -> None:
    import config

    assert config.setting_errors({"CHORUS_SMTP_HOST": "send.nhs.net"}) == [
        "CHORUS_SMTP_HOST is set but CHORUS_MAIL_FROM is not: set the address messages come from."]
    errors = " ".join(config.setting_errors({
        "CHORUS_SMTP_PORT": "70000", "CHORUS_SMTP_STARTTLS": "maybe", "CHORUS_MAIL_FROM": "chorus",
        "CHORUS_SMTP_USERNAME": "someone@nhs.net", "CHORUS_PUBLIC_URL": "chorus.nhs.uk"}))
    for says in ("CHORUS_SMTP_PORT='70000' is out of range", "CHORUS_SMTP_STARTTLS='maybe' is not valid",
                 "CHORUS_MAIL_FROM='chorus' is not an email address", "must be set together",
                 "CHORUS_PUBLIC_URL='chorus.nhs.uk' is not valid"):
        assert says in errors
    assert config.setting_errors({"CHORUS_SMTP_HOST": "send.nhs.net", "CHORUS_MAIL_FROM": "Chorus <chorus@nhs.net>",
                                  "CHORUS_SMTP_USERNAME": "chorus@nhs.net", "CHORUS_SMTP_PASSWORD": "x"}) == []


def test_the_scheduler_tick_sends_due_messages_and_releases_a_dead_workers_claim(make_conversation, staff,
                                                                                  smtp_server: Mailbox) -> None:
    from app.services.schedule import run_scheduled_work

    conversation = make_conversation()
    message = broadcasts.schedule_message(conversation, Request("reminder", True, False, "before_close"))
    message.status, message.claimed_at = "sending", utcnow() - timedelta(hours=1)  # a worker died mid-send
    db.session.commit()
    time_passes(message)
    run_scheduled_work()
    db.session.refresh(message)
    assert message.status == "sent" and message.sent_count == 12 and message.claimed_at is None


def test_an_unexpected_error_leaves_the_message_scheduled_not_claimed(make_conversation, staff, app,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from app.services.messaging import bodies

    def broken(*args: object) -> None:
        raise RuntimeError("template missing")

    monkeypatch.setattr(bodies, "body", broken)
    message = broadcasts.schedule_message(make_conversation(), Request("invitation", True, False, "now"))
    assert message.status == "scheduled" and message.attempts == 1 and message.claimed_at is None
    assert "unexpected error" in message.last_error


def test_notes_and_titles_cannot_inject_html_or_headers(make_conversation, staff, smtp_server: Mailbox) -> None:
    conversation = make_conversation(title="Better shifts\r\nBcc: everyone@example.com")
    broadcasts.schedule_message(conversation, Request("invitation", True, False, "now", note="<script>alert(1)</script>"))
    sent = smtp_server.messages[0][1]
    assert sent["Bcc"] is None and "\n" not in sent["Subject"] and len(smtp_server.recipients) == 12
    html = sent.get_body(("html",)).get_content()
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_starttls_with_a_certificate_checked_against_the_ca_and_then_sign_in(make_conversation, staff, app,
                                                                              tmp_path) -> None:
    from tests.messaging_servers import PASSWORD, USERNAME, tls_files

    ca, cert, key = tls_files(tmp_path)
    with smtp_running(auth=True, tls=(cert, key)) as relay:
        app.config.update(CHORUS_SMTP_PORT=relay.port, CHORUS_SMTP_STARTTLS=True, CHORUS_SMTP_USERNAME=USERNAME,
                          CHORUS_SMTP_PASSWORD=PASSWORD)
        conversation = make_conversation()
        untrusted = broadcasts.schedule_message(conversation, Request("invitation", True, False, "now"))
        assert untrusted.status == "scheduled" and "certificate" in untrusted.last_error and relay.messages == []
        app.config["CHORUS_SMTP_CA_FILE"] = str(tmp_path / "missing.pem")
        sending.send_message(untrusted.id, now=untrusted.next_attempt_at)
        db.session.refresh(untrusted)
        assert "CHORUS_SMTP_CA_FILE could not be read" in untrusted.last_error
        app.config["CHORUS_SMTP_CA_FILE"] = ca
        sending.send_message(untrusted.id, now=untrusted.next_attempt_at)
        db.session.refresh(untrusted)
        assert untrusted.status == "sent" and len(relay.recipients) == 12
