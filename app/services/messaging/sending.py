"""Sending broadcasts: the `messages.send` job and the scheduler tick's share.

A send claims its message (scheduled -> sending, one UPDATE, so two workers never send it twice), walks the
recipients in user-id order from where the last try stopped, and records counts only. Wrong settings or an away
relay leave the message scheduled with the reason shown on the page and a retry after a backoff; nothing is lost.
Log lines name the message id and counts, never an address or a person (rule A7).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from app import jobs
from app.extensions import db
from app.jobs import outbox as job_outbox
from app.models import Conversation, ConversationStatus, MessageKind, MessageStatus, OutreachMessage
from app.models.base import this_hour, utcnow
from app.services.messaging import audience, bodies, mailer, teams
from app.services.messaging.broadcasts import SEND_JOB, readiness, webhook
from app.services.messaging.preferences import unsubscribe_token

log = logging.getLogger("chorus.messages")
BATCH = 200
STALE_CLAIM = timedelta(minutes=30)
WAIT_CHECK = timedelta(minutes=10)  # a message waiting for its conversation to open looks again this often


def backoff(attempts: int) -> timedelta:
    """1, 2, 4 … minutes between tries, at most an hour."""
    return timedelta(minutes=min(60, 2 ** max(0, attempts - 1)))


def _claim(message_id: int, now: datetime) -> bool:
    claimed = db.session.execute(sa.update(OutreachMessage).where(
        OutreachMessage.id == message_id, OutreachMessage.status == MessageStatus.SCHEDULED.value,
        OutreachMessage.due_hour <= now,
        sa.or_(OutreachMessage.next_attempt_at.is_(None), OutreachMessage.next_attempt_at <= now),
    ).values(status=MessageStatus.SENDING.value, claimed_at=now).execution_options(synchronize_session=False))
    db.session.commit()
    return bool(getattr(claimed, "rowcount", 0))


def _send_email(message: OutreachMessage, conversation: Conversation) -> None:
    """Email everyone not yet reached; raises a MailProblem where it stops (progress so far is committed)."""
    kind = MessageKind(message.kind)
    shared = bodies.body(message, conversation)
    settings = mailer.SmtpSettings.from_app()
    max_attempts = int(current_app.config.get("CHORUS_MESSAGE_MAX_ATTEMPTS", 8))
    with mailer.Connection(settings) as connection:
        while batch := audience.recipients(conversation, message.audience_filter, kind, message.progress, BATCH):
            for user_id, address in batch:
                link = (bodies.public_url("messages.unsubscribe", token=unsubscribe_token(user_id, kind))
                        if kind.can_unsubscribe else None)
                text, html = shared.render(link)
                try:
                    connection.send(mailer.Email(address, shared.subject, text, html, link))
                    message.sent_count += 1
                except mailer.Refused:
                    message.failed_count += 1
                except mailer.Transient:
                    if message.attempts + 1 < max_attempts:
                        raise
                    message.failed_count += 1  # deferred on every try: counted as failed, and sending moves on
                message.progress += 1
            db.session.commit()  # a crash from here on resends nobody already reached


def _finish(message: OutreachMessage, problem: mailer.MailProblem | None, now: datetime, *, tried: bool = True) -> None:
    """Record the outcome of a try: sent (with counts), or scheduled again after a backoff with the reason shown."""
    message.claimed_at = None
    if problem is not None:
        message.attempts += tried
        message.status = MessageStatus.SCHEDULED.value
        message.next_attempt_at = now + (backoff(message.attempts) if tried else WAIT_CHECK)
        message.last_error = problem.message[:500]
        log.warning("outreach message %s not finished (try %s): %s", message.id, message.attempts, problem.message)
    else:
        message.sent_hour = this_hour()
        message.next_attempt_at = None
        if message.by_email and message.sent_count == 0 and message.failed_count > 0:
            message.status = MessageStatus.FAILED.value
            message.last_error = "The mail server refused every recipient: nobody was emailed."
        else:
            message.status = MessageStatus.SENT.value
            message.last_error = (f"The mail server refused {message.failed_count} recipient(s)."
                                  if message.failed_count else "")
        log.info("outreach message %s sent: %s emailed, %s failed, teams %s", message.id, message.sent_count,
                 message.failed_count, "posted" if message.teams_posted else "not used")
    db.session.commit()


@jobs.job(SEND_JOB)
def send_message(message_id: int, now: datetime | None = None) -> OutreachMessage | None:
    """Send one due message (email and/or Teams), carrying on where the last try stopped; None if not due."""
    now = now or utcnow()
    if not _claim(message_id, now):
        return None
    try:
        return _send_claimed(message_id, now)
    except Exception as error:  # noqa: BLE001  (a bug or a database blip must not leave the message claimed)
        db.session.rollback()
        log.error("outreach message %s stopped by an unexpected %s", message_id, type(error).__name__)
        message = db.session.get(OutreachMessage, message_id)
        if message is not None:
            _finish(message, mailer.MailProblem("An unexpected error stopped sending; it is tried again later."), now)
        return message


def _send_claimed(message_id: int, now: datetime) -> OutreachMessage:
    message = db.session.get(OutreachMessage, message_id)
    assert message is not None
    conversation = db.session.get(Conversation, message.conversation_id)
    assert conversation is not None
    kind = MessageKind(message.kind)
    if kind is not MessageKind.ANNOUNCEMENT and conversation.status == ConversationStatus.CLOSED:
        message.status, message.claimed_at = MessageStatus.CANCELLED.value, None
        message.last_error = "Not sent: the conversation closed before it was due."
        db.session.commit()
        return message
    waiting = readiness(conversation, kind)
    if waiting is not None:
        _finish(message, mailer.SettingsProblem(waiting), now, tried=False)
        return message
    problems: list[mailer.MailProblem] = []
    if message.attempts == 0:
        message.recipients = audience.count(conversation, message.audience_filter, kind)
    if message.by_teams and not message.teams_posted:
        hook = webhook(conversation)
        try:
            if hook is None:
                raise mailer.SettingsProblem("The Teams channel address was removed: set it again, or cancel.")
            teams.post(hook.url, bodies.teams_card(message, conversation), mailer.SmtpSettings.from_app().timeout)
            message.teams_posted = True
            db.session.commit()
        except mailer.MailProblem as error:
            problems.append(error)
    if message.by_email:
        try:
            _send_email(message, conversation)
        except mailer.MailProblem as error:
            problems.append(error)
    _finish(message, mailer.MailProblem(" ".join(p.message for p in problems)) if problems else None, now)
    return message


def send_due(now: datetime | None = None) -> list[int]:
    """The scheduler tick: release stale claims, queue every message that is due; returns their ids."""
    now = now or utcnow()
    db.session.execute(sa.update(OutreachMessage).where(
        OutreachMessage.status == MessageStatus.SENDING.value, OutreachMessage.claimed_at < now - STALE_CLAIM,
    ).values(status=MessageStatus.SCHEDULED.value, claimed_at=None).execution_options(synchronize_session=False))
    due = list(db.session.scalars(sa.select(OutreachMessage.id).where(
        OutreachMessage.status == MessageStatus.SCHEDULED.value, OutreachMessage.due_hour <= now,
        sa.or_(OutreachMessage.next_attempt_at.is_(None), OutreachMessage.next_attempt_at <= now),
    ).order_by(OutreachMessage.id)))
    for message_id in due:
        job_outbox.defer(SEND_JOB, message_id)
    db.session.commit()
    job_outbox.dispatch()
    return due
