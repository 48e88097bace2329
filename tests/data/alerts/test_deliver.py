"""Alert deliveries through the app's outbox, to real receivers: the e-mail in the SMTP sink
(its recipients and body), and the webhook to a local HTTP server that verifies the Standard
Webhooks signature with the standardwebhooks package, answering 500 (retried with backoff,
each attempt logged) until it answers 200 (delivered once)."""

from __future__ import annotations

import base64
import datetime as dt
import secrets
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session
from standardwebhooks import Webhook

from data import outbox
from data.alerts.evaluate import evaluate_due
from data.db import get_database
from data.errors import Forbidden
from data.models import OutboxEntry, User, WebhookAttempt
from data.protocols import app_cipher
from data.reads.webhook_attempts import ATTEMPT_COLUMNS, webhook_attempts
from data.scope import Scope
from tests.data.alerts.conftest import add_endpoint, add_metrics, add_rule, make_org

NOW = dt.datetime.now(dt.UTC)


class Receiver:
    """A webhook endpoint on loopback answering the statuses in ``answers`` in turn."""

    def __init__(self, answers):
        self.answers = list(answers)
        self.requests = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                headers = {k.lower(): v for k, v in self.headers.items()}
                receiver.requests.append((headers, body.decode()))
                status = receiver.answers.pop(0) if receiver.answers else 200
                self.send_response(status)
                if 300 <= status < 400:  # a redirect to another of its own paths
                    self.send_header("Location", "/hooks/elsewhere")
                self.end_headers()

            def log_message(self, *_args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/kiki"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def breaching_org(engine):
    org = make_org(engine, people=("analyst", "admin", "viewer"))
    add_metrics(
        engine, org, NOW.date() - dt.timedelta(days=1), spend="100", revenue="150"
    )
    return org


def test_the_email_reaches_the_rules_active_recipients(
    alerts_app, alerts_engine, make_session, smtp_sink
):
    org = breaching_org(alerts_engine)
    other = make_org(alerts_engine)
    analyst, admin, viewer = org["users"]
    with Session(alerts_engine) as session:
        session.get(User, viewer).is_active = False
        emails = dict(session.execute(sa.select(User.id, User.email)).all())
        session.commit()
    rule_id = add_rule(
        alerts_engine,
        org,
        name="Winter ROAS",
        channels=["email"],
        recipient_ids=[analyst, admin, viewer, other["users"][0]],
    )
    with alerts_app.app_context():
        assert evaluate_due(get_database().sessionmaker) == 1
    for uid in (analyst, admin):
        (mail,) = smtp_sink.to(emails[uid])
        assert mail["Subject"] == "[KIKI alert] Winter ROAS is firing"
        body = mail.get_content()
        assert 'The alert rule "Winter ROAS" of' in body and "is firing" in body
        assert "Value: 1.5000" in body and "Threshold: 2.0000" in body
        assert "ROAS 1.50× below 2.00×" in body
        assert "https://kiki.example/alerts" in body
    for uid in (viewer, other["users"][0]):  # inactive, another organization's
        assert smtp_sink.to(emails[uid], timeout=0.2) == []
    with Session(alerts_engine) as session:
        row = session.scalar(
            sa.select(OutboxEntry).where(OutboxEntry.organization_id == org["org_id"])
        )
    assert row.delivered_at is not None and row.attempts == 1
    assert row.payload["rule_id"] == rule_id


def test_a_webhook_is_signed_retried_with_backoff_and_logged(
    alerts_app, alerts_engine, make_session
):
    org = breaching_org(alerts_engine)
    secret = "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()
    receiver = Receiver([500, 500, 200])
    try:
        with alerts_app.app_context():
            sealed = app_cipher().encrypt(secret).decode()
            endpoint = add_endpoint(alerts_engine, org, receiver.url, sealed)
            add_rule(alerts_engine, org, channels=["webhook"])
            evaluate_due(get_database().sessionmaker)  # delivered after its commit: 500
            waits = []
            for _ in range(2):
                with Session(alerts_engine) as session:
                    row = session.scalar(
                        sa.select(OutboxEntry).where(
                            OutboxEntry.organization_id == org["org_id"]
                        )
                    )
                assert row.delivered_at is None and row.last_error == (
                    "WebhookFailed: HTTP 500"
                )
                waits.append(row.available_at.replace(tzinfo=dt.UTC))
                assert outbox.deliver_pending(get_database().engine) == 0  # backing off
                with alerts_engine.begin() as conn:  # the backoff has passed
                    conn.execute(
                        sa.update(OutboxEntry)
                        .where(OutboxEntry.id == row.id)
                        .values(available_at=dt.datetime.now(dt.UTC))
                    )
                outbox.deliver_pending(get_database().engine)
            assert outbox.deliver_pending(get_database().engine) == 0  # delivered once
    finally:
        receiver.close()
    assert len(receiver.requests) == 3
    ids = {headers["webhook-id"] for headers, _body in receiver.requests}
    assert len(ids) == 1  # one message, retried: the receiver can drop a repeat
    for headers, body in receiver.requests:
        event = Webhook(secret).verify(body, headers)
        assert event["type"] == "alert.firing"
        assert event["data"]["value"] == "1.5000"
        assert event["data"]["organization_id"] == org["org_id"]
    with pytest.raises(Exception, match="signature"):
        Webhook("whsec_" + base64.b64encode(b"x" * 24).decode()).verify(body, headers)
    with Session(alerts_engine) as session:
        attempts = session.execute(
            sa.select(WebhookAttempt.attempt, WebhookAttempt.status_code)
            .where(WebhookAttempt.endpoint_id == endpoint)
            .order_by(WebhookAttempt.id)
        ).all()
        row = session.scalar(
            sa.select(OutboxEntry).where(OutboxEntry.organization_id == org["org_id"])
        )
        admin = Scope(org["org_id"], "admin", org["users"][1])
        frame = webhook_attempts(session, admin)
        with pytest.raises(Forbidden):
            webhook_attempts(session, Scope(org["org_id"], "analyst"))
    assert attempts == [(1, 500), (2, 500), (3, 200)]
    assert row.delivered_at is not None and row.attempts == 3
    assert list(frame.columns) == ATTEMPT_COLUMNS
    assert list(frame["ok"]) == [True, False, False]  # newest first
    assert list(frame["endpoint_url"].unique()) == [receiver.url]


def test_a_receiver_that_does_not_answer_is_an_attempt_too(
    alerts_app, alerts_engine, make_session
):
    org = breaching_org(alerts_engine)
    with alerts_app.app_context():
        sealed = app_cipher().encrypt("whsec_" + "A" * 32).decode()
        endpoint = add_endpoint(alerts_engine, org, "http://127.0.0.1:9/closed", sealed)
        add_rule(alerts_engine, org, channels=["webhook"])
        evaluate_due(get_database().sessionmaker)
    with Session(alerts_engine) as session:
        attempt = session.scalar(
            sa.select(WebhookAttempt).where(WebhookAttempt.endpoint_id == endpoint)
        )
    assert attempt.status_code is None and attempt.attempt == 1
    assert "Connection refused" in attempt.error or "URLError" in attempt.error


def test_a_webhook_to_this_machine_is_refused_unless_local_receivers_are_allowed(
    alerts_app, alerts_engine, make_session
):
    """Server-side request forgery: with KIKI_WEBHOOK_ALLOW_LOCAL off (production's default) an
    endpoint that resolves to loopback is never called; the attempt says why."""
    org = breaching_org(alerts_engine)
    receiver = Receiver([200])
    try:
        with alerts_app.app_context():
            alerts_app.config["KIKI_WEBHOOK_ALLOW_LOCAL"] = False
            sealed = app_cipher().encrypt("whsec_" + "A" * 32).decode()
            url = receiver.url.replace("127.0.0.1", "localhost")  # a name, resolved
            endpoint = add_endpoint(alerts_engine, org, url, sealed)
            add_rule(alerts_engine, org, channels=["webhook"])
            evaluate_due(get_database().sessionmaker)
    finally:
        alerts_app.config["KIKI_WEBHOOK_ALLOW_LOCAL"] = True
        receiver.close()
    assert receiver.requests == []
    with Session(alerts_engine) as session:
        attempt = session.scalar(
            sa.select(WebhookAttempt).where(WebhookAttempt.endpoint_id == endpoint)
        )
    assert attempt.status_code is None
    assert "is not a public internet address" in attempt.error


def test_a_redirect_is_an_answer_never_followed(
    alerts_app, alerts_engine, make_session
):
    """A 302 to elsewhere is logged as the receiver's answer and retried later, not followed
    (a redirect could lead to an address the target check refuses)."""
    org = breaching_org(alerts_engine)
    receiver = Receiver([302])
    try:
        with alerts_app.app_context():
            sealed = app_cipher().encrypt("whsec_" + "A" * 32).decode()
            endpoint = add_endpoint(alerts_engine, org, receiver.url, sealed)
            add_rule(alerts_engine, org, channels=["webhook"])
            evaluate_due(get_database().sessionmaker)
    finally:
        receiver.close()
    assert len(receiver.requests) == 1
    with Session(alerts_engine) as session:
        attempt = session.scalar(
            sa.select(WebhookAttempt).where(WebhookAttempt.endpoint_id == endpoint)
        )
    assert (attempt.status_code, attempt.error) == (302, "HTTP 302")
