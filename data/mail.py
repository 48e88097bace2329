"""E-mail: plain-text messages (with optional file attachments) sent over SMTP (KIKI_SMTP_URL), or written to the log when unset.

Writes never send: they enqueue an outbox row (data/writes/notify.py:enqueue) whose handler,
run after the commit (data/outbox.py), builds a Mail and calls ``app_mailer().send``. Delivery
is at-least-once, so a handler gives its Mail a Message-ID fixed by what it sends: a second
delivery of one outbox row is the same message to the receiving side.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass, replace
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from urllib.parse import parse_qs, unquote, urlsplit

from flask import Flask, current_app

log = logging.getLogger(__name__)
MAILER_SLOT = "kiki_mailer"
DEFAULT_FROM = "KIKI Analytics <no-reply@localhost>"
SMTP_TIMEOUT = 10  # seconds; a hung server must not hold a request forever


class MailConfigError(ValueError):
    """KIKI_SMTP_URL cannot be used; the message says why."""


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mimetype: str  # "application/pdf", "text/csv"


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str
    message_id: str  # "<…@…>", the same for every delivery of one outbox row
    attachments: tuple[Attachment, ...] = ()
    headers: tuple[tuple[str, str], ...] = ()  # extra headers (List-Unsubscribe, ...)


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    tls: str  # "none", "starttls" or "ssl" (smtps://)
    username: str | None = None
    password: str | None = None


def parse_smtp_url(url: str) -> SmtpSettings:
    """smtp://[user:password@]host[:port][?starttls=1] or smtps://… (TLS from the start)."""
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise MailConfigError(
            "KIKI_SMTP_URL must look like smtp://host:port or smtps://user:password@host"
        )
    starttls = parse_qs(parts.query).get("starttls", ["0"])[-1] in ("1", "true", "yes")
    tls = "ssl" if parts.scheme == "smtps" else ("starttls" if starttls else "none")
    try:
        port = parts.port or (465 if tls == "ssl" else 587 if starttls else 25)
    except ValueError:
        raise MailConfigError("KIKI_SMTP_URL has a port that is not a number") from None
    return SmtpSettings(
        host=parts.hostname,
        port=port,
        tls=tls,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
    )


def sender_domain(sender: str) -> str:
    """The domain of the From address ("localhost" when it has none), for Message-IDs."""
    address = parseaddr(sender)[1]
    return address.rpartition("@")[2] or "localhost"


class Mailer:
    """Sends Mail over SMTP with ``settings``; without settings, logs it (the local demo logs
    the whole message, so its links can be followed; elsewhere only who and what, never the
    body, which may carry a secret link)."""

    def __init__(
        self, settings: SmtpSettings | None, sender: str, *, log_bodies: bool = False
    ):
        self.settings = settings
        self.sender = sender
        self.log_bodies = log_bodies

    def message(self, mail: Mail) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = mail.to
        message["Subject"] = mail.subject
        message["Date"] = formatdate(usegmt=True)
        message["Message-ID"] = mail.message_id
        for name, value in mail.headers:
            message[name] = value
        message.set_content(mail.body)
        for item in mail.attachments:
            maintype, _, subtype = item.mimetype.partition("/")
            message.add_attachment(
                item.content,
                maintype=maintype,
                subtype=subtype or "octet-stream",
                filename=item.filename,
            )
        return message

    def send(self, mail: Mail) -> None:
        message = self.message(mail)
        if self.settings is None:
            if self.log_bodies:  # attachments named, not dumped as base64
                shown = (
                    self.message(replace(mail, attachments=()))
                    if mail.attachments
                    else message
                )
                names = ", ".join(item.filename for item in mail.attachments)
                log.info(
                    "mail not sent (KIKI_SMTP_URL is not set):\n%s%s",
                    shown,
                    f"\n[attachments: {names}]" if names else "",
                )
            else:
                log.warning(
                    "mail to %s (%r) not sent: KIKI_SMTP_URL is not set",
                    mail.to,
                    mail.subject,
                )
            return
        self._smtp(message)

    def _smtp(self, message: EmailMessage) -> None:
        s = self.settings
        context = ssl.create_default_context()
        if s.tls == "ssl":
            client = smtplib.SMTP_SSL(
                s.host, s.port, timeout=SMTP_TIMEOUT, context=context
            )
        else:
            client = smtplib.SMTP(s.host, s.port, timeout=SMTP_TIMEOUT)
        with client:
            if s.tls == "starttls":
                client.starttls(context=context)
            if s.username:
                client.login(s.username, s.password or "")
            client.send_message(message)


def init_app(app: Flask) -> None:
    """Bind the app's mailer from KIKI_SMTP_URL and KIKI_MAIL_FROM (refuses a bad URL at start)."""
    url = app.config.get("KIKI_SMTP_URL")
    settings = parse_smtp_url(url) if url else None
    sender = app.config.get("KIKI_MAIL_FROM") or DEFAULT_FROM
    app.extensions[MAILER_SLOT] = Mailer(
        settings, sender, log_bodies=bool(app.config.get("KIKI_DEMO"))
    )


def app_mailer() -> Mailer:
    """The current app's mailer."""
    return current_app.extensions[MAILER_SLOT]
