"""data/mail.py: SMTP settings from a URL, real delivery to a loopback server, the log when unset."""

from __future__ import annotations

import logging

import pytest

from data.mail import Mail, MailConfigError, Mailer, SmtpSettings, parse_smtp_url

MAIL = Mail(
    to="ivy@example.test",
    subject="Ivy, you are invited",
    body="Open https://kiki.example/invite/SECRET-TOKEN to join.\n",
    message_id="<invitation.1.abc@example.test>",
)


@pytest.mark.parametrize(
    "url, settings",
    [
        ("smtp://127.0.0.1:8025", SmtpSettings("127.0.0.1", 8025, "none")),
        ("smtp://mail.example", SmtpSettings("mail.example", 25, "none")),
        (
            "smtp://u%40x:p%3Aw@mail.example?starttls=1",
            SmtpSettings("mail.example", 587, "starttls", "u@x", "p:w"),
        ),
        (
            "smtps://u:p@mail.example",
            SmtpSettings("mail.example", 465, "ssl", "u", "p"),
        ),
    ],
)
def test_smtp_urls(url, settings):
    assert parse_smtp_url(url) == settings


@pytest.mark.parametrize(
    "url", ["http://x", "smtp://", "mail.example:25", "smtp://h:port"]
)
def test_bad_smtp_urls_are_refused(url):
    with pytest.raises(MailConfigError):
        parse_smtp_url(url)


def test_a_mail_reaches_a_real_smtp_server(smtp_sink):
    mailer = Mailer(
        parse_smtp_url(smtp_sink.url), "KIKI Analytics <no-reply@kiki.test>"
    )
    mailer.send(MAIL)
    received = smtp_sink.to(MAIL.to)[-1]
    assert received["From"] == "KIKI Analytics <no-reply@kiki.test>"
    assert received["Subject"] == MAIL.subject
    assert received["Message-ID"] == MAIL.message_id and received["Date"]
    assert received.get_content().replace("\r\n", "\n") == MAIL.body


def test_unset_the_demo_logs_the_whole_mail_production_only_who(caplog):
    caplog.set_level(logging.INFO, logger="data.mail")
    Mailer(None, "a@b.test", log_bodies=True).send(MAIL)
    assert "SECRET-TOKEN" in caplog.text
    caplog.clear()
    Mailer(None, "a@b.test").send(MAIL)
    assert MAIL.to in caplog.text and "SECRET-TOKEN" not in caplog.text
