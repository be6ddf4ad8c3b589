"""Email through an SMTP relay (NHSmail or any other): the standard library's smtplib and email, adapted.

Settings come from the environment (config.py). Every failure is sorted into one of three kinds, each with a
message safe to show on the facilitator's page and to log: the settings are wrong or the relay is away
(`SettingsProblem`: the message waits and is tried again), the relay asks to try later (`Transient`), or it
refuses one recipient for good (`Refused`). No message names an address (rule A7): server replies are reduced to
their status code, because a reply such as "550 <name@nhs.net> unknown" would carry one.
"""

from __future__ import annotations

import smtplib
import socket
import ssl
from ssl import SSLContext
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, make_msgid, parseaddr
from types import TracebackType

from flask import current_app


class MailProblem(Exception):
    """Base class: `message` is safe to show and log."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class SettingsProblem(MailProblem):
    """Email cannot be sent at all with these settings right now; nothing is lost, the message waits."""


class Transient(MailProblem):
    """The relay asked to try later (a 4xx reply or a dropped connection)."""


class Refused(MailProblem):
    """The relay refused this one recipient for good (a 5xx reply)."""


@dataclass(frozen=True)
class SmtpSettings:
    host: str | None
    port: int
    starttls: bool
    ssl: bool
    username: str | None
    password: str | None
    sender: str | None
    timeout: float
    ca_file: str | None = None

    @classmethod
    def from_app(cls) -> SmtpSettings:
        c = current_app.config
        return cls(c.get("CHORUS_SMTP_HOST"), int(c.get("CHORUS_SMTP_PORT", 587)), bool(c.get("CHORUS_SMTP_STARTTLS", True)),
                   bool(c.get("CHORUS_SMTP_SSL", False)), c.get("CHORUS_SMTP_USERNAME"), c.get("CHORUS_SMTP_PASSWORD"),
                   c.get("CHORUS_MAIL_FROM"), float(c.get("CHORUS_SMTP_TIMEOUT", 30)), c.get("CHORUS_SMTP_CA_FILE"))

    def tls(self) -> SSLContext:
        """Certificate and host name checked, against the system's CAs or CHORUS_SMTP_CA_FILE."""
        return ssl.create_default_context(cafile=self.ca_file)

    @property
    def configured(self) -> bool:
        return bool(self.host and self.sender)

    def describe(self) -> str:
        """What an administrator may see: never the password."""
        if not self.configured:
            return "Email is not set up (CHORUS_SMTP_HOST and CHORUS_MAIL_FROM)."
        security = "STARTTLS" if self.starttls else ("TLS" if self.ssl else "no encryption")
        login = "signs in as the configured account" if self.username else "no sign-in (relay trusts this server)"
        return f"{self.host} port {self.port}, {security}, {login}, from {self.sender}"


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    text: str
    html: str
    unsubscribe_url: str | None = None


def build(settings: SmtpSettings, email: Email) -> EmailMessage:
    """A plain-text message with an HTML alternative, and a List-Unsubscribe header where one applies."""
    message = EmailMessage()
    name, address = parseaddr(settings.sender or "")
    message["From"] = formataddr((name, address))
    message["To"] = email.to
    message["Subject"] = " ".join(email.subject.split())  # a title can never start a new header line
    message["Message-ID"] = make_msgid(domain=address.rpartition("@")[2] or None)
    message["Auto-Submitted"] = "auto-generated"
    if email.unsubscribe_url:
        message["List-Unsubscribe"] = f"<{email.unsubscribe_url}>"
    message.set_content(email.text)
    message.add_alternative(email.html, subtype="html")
    return message


def _reply_code(error: smtplib.SMTPResponseException) -> int:
    return int(error.smtp_code)


class Connection:
    """One signed-in SMTP session, used as a context manager; `send` delivers one email."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> Connection:
        s = self.settings
        if not s.configured or s.host is None:
            raise SettingsProblem("Email is not set up: ask your administrator to set CHORUS_SMTP_HOST and "
                                  "CHORUS_MAIL_FROM (docs/operations.md).")
        where = f"{s.host} port {s.port}"
        try:
            context = s.tls() if (s.ssl or s.starttls) else None
        except (OSError, ssl.SSLError):
            raise SettingsProblem("The CA file in CHORUS_SMTP_CA_FILE could not be read.") from None
        try:
            if s.ssl:
                self._smtp = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=context)
            else:
                self._smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
            self._smtp.ehlo()
            if s.starttls:
                self._smtp.starttls(context=context)
                self._smtp.ehlo()
            if s.username and s.password:
                self._smtp.login(s.username, s.password)
        except smtplib.SMTPAuthenticationError as error:
            self._close()
            raise SettingsProblem(f"The mail server at {where} did not accept the username and password "
                                  f"(reply {_reply_code(error)}). Check CHORUS_SMTP_USERNAME and CHORUS_SMTP_PASSWORD.") from None
        except smtplib.SMTPNotSupportedError:
            self._close()
            raise SettingsProblem(f"The mail server at {where} does not offer STARTTLS (or sign-in). "
                                  "Check CHORUS_SMTP_PORT and CHORUS_SMTP_STARTTLS.") from None
        except ssl.SSLError:
            self._close()
            raise SettingsProblem(f"A secure connection to {where} could not be made (the certificate or TLS settings "
                                  "were not accepted).") from None
        except smtplib.SMTPResponseException as error:
            self._close()
            raise SettingsProblem(f"The mail server at {where} refused the connection (reply {_reply_code(error)}).") from None
        except (socket.gaierror, ConnectionRefusedError, TimeoutError, OSError, smtplib.SMTPException) as error:
            self._close()
            reason = "the name was not found" if isinstance(error, socket.gaierror) else (
                "it did not answer in time" if isinstance(error, TimeoutError) else "it could not be reached")
            raise SettingsProblem(f"The mail server at {where} could not be reached: {reason}. "
                                  "Check CHORUS_SMTP_HOST and CHORUS_SMTP_PORT.") from None
        return self

    def send(self, email: Email) -> None:
        assert self._smtp is not None
        try:
            refused = self._smtp.send_message(build(self.settings, email))
        except smtplib.SMTPRecipientsRefused as error:
            code = next(iter(error.recipients.values()))[0] if error.recipients else 550
            if 400 <= code < 500:
                raise Transient(f"The mail server asked to try a recipient again later (reply {code}).") from None
            raise Refused(f"The mail server refused a recipient (reply {code}).") from None
        except smtplib.SMTPSenderRefused as error:
            raise SettingsProblem(f"The mail server refused the sender address (reply {_reply_code(error)}). "
                                  "Check CHORUS_MAIL_FROM.") from None
        except smtplib.SMTPServerDisconnected:
            raise Transient("The mail server closed the connection; sending carries on at the next try.") from None
        except smtplib.SMTPResponseException as error:
            code = _reply_code(error)
            if 400 <= code < 500:
                raise Transient(f"The mail server asked to try again later (reply {code}).") from None
            raise Refused(f"The mail server refused a message (reply {code}).") from None
        except OSError:
            raise Transient("The connection to the mail server was lost; sending carries on at the next try.") from None
        if refused:
            raise Refused("The mail server refused a recipient.")

    def _close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                self._smtp.close()
            self._smtp = None

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        self._close()


def check(settings: SmtpSettings) -> str:
    """Connect, secure and sign in without sending anything; the settings' description, or SettingsProblem."""
    with Connection(settings):
        pass
    return settings.describe()
