"""What an alert event delivers after its commit, as outbox handlers (data/outbox.py): the e-mail
to the rule's recipients and the signed webhook POST to one endpoint.

Payloads hold ids and amounts; names and addresses are read here, when the message is written.
A handler that raises is retried with backoff by the outbox. Webhooks are signed with the
Standard Webhooks scheme by its own package (``standardwebhooks``: HMAC-SHA256 over
"id.timestamp.body", headers webhook-id / webhook-timestamp / webhook-signature); the id is
fixed per outbox row, so a receiver can drop a retry it already processed. Every attempt,
answered or not, is a WebhookAttempt row (data/reads/webhook_attempts.py shows them).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import http.client
import json
import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Flask, current_app
from sqlalchemy.orm import Session
from standardwebhooks import Webhook

from data import outbox
from data.alerts.evaluate import EMAIL_KIND, LINK, WEBHOOK_KIND, recipients
from data.db import get_database
from data.mail import Mail, app_mailer, sender_domain
from data.models import AlertRule, Organization, User, WebhookAttempt, WebhookEndpoint
from data.protocols import app_cipher
from data.webhook_targets import check_resolved, local_allowed

WEBHOOK_TIMEOUT = 5  # seconds: a slow receiver must not hold the outbox
USER_AGENT = "KIKI-Analytics-Webhooks/1"
SUBJECTS = {
    "firing": "[KIKI alert] {name} is firing",
    "reminder": "[KIKI alert] {name} is still firing",
    "resolved": "[KIKI alert] {name} is resolved",
}


class WebhookFailed(RuntimeError):
    """The endpoint did not answer 2xx (the outbox retries the row later)."""


def alerts_link() -> str:
    base = (current_app.config.get("KIKI_PUBLIC_URL") or "").rstrip("/")
    return f"{base}{LINK}"


def alert_mail(
    payload: dict, rule_name: str, organization: str, to: str, user_id: int, sender: str
) -> Mail:
    """The e-mail of one alert event for one recipient (its Message-ID fixed per event and
    recipient: a retried delivery is the same message)."""
    event = payload["event"]
    value = payload.get("value")
    tag = hashlib.sha256(f"{payload['key']}:{user_id}".encode()).hexdigest()[:16]
    body = (
        f'The alert rule "{rule_name}" of {organization} is {event}'
        f"{' (still firing)' if event == 'reminder' else ''}.\n\n"
        f"Value: {value if value is not None else 'no value'}\n"
        f"Threshold: {payload['threshold']}\n"
        f"{payload.get('message', '')}\n\n"
        f"See the rule and its history: {alerts_link()}\n"
    )
    return Mail(
        to=to,
        subject=SUBJECTS.get(event, SUBJECTS["firing"]).format(name=rule_name),
        body=body,
        message_id=f"<alert.{payload['episode_id']}.{tag}@{sender_domain(sender)}>",
    )


def deliver_alert_email(payload: dict) -> None:
    """Outbox handler: one e-mail per active recipient of the organization."""
    mailer = app_mailer()
    with Session(get_database().engine) as session:
        rule = session.get(AlertRule, int(payload["rule_id"]))
        if rule is None:
            return  # the rule was deleted: nothing to tell
        organization = session.scalar(
            sa.select(Organization.name).where(Organization.id == rule.organization_id)
        )
        people = session.execute(
            sa.select(User.id, User.email)
            .where(User.id.in_(recipients(session, rule)))
            .order_by(User.id)
        ).all()
        mails = [
            alert_mail(payload, rule.name, organization, email, uid, mailer.sender)
            for uid, email in people
        ]
    for mail in mails:
        mailer.send(mail)


def webhook_body(payload: dict, organization_id: int, rule_name: str) -> str:
    """The JSON POSTed for one event (the Standard Webhooks envelope: type, timestamp, data)."""
    return json.dumps(
        {
            "type": f"alert.{payload['event']}",
            "timestamp": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "data": {
                "organization_id": organization_id,
                "rule_id": payload["rule_id"],
                "rule_name": rule_name,
                "episode_id": payload["episode_id"],
                "value": payload.get("value"),
                "threshold": payload["threshold"],
                "message": payload.get("message", ""),
                "link": alerts_link(),
            },
        },
        separators=(",", ":"),
    )


def signed_headers(secret: str, message_id: str, body: str) -> dict:
    """The Standard Webhooks headers for ``body``, signed with ``secret`` (whsec_…)."""
    now = dt.datetime.now(dt.UTC)
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(secret).sign(message_id, now, body),
        "content-type": "application/json",
        "user-agent": USER_AGENT,
    }


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is the receiver's answer (a 3xx, not delivered), never followed: following it
    could reach an address the target check refused (docs/SECURITY.md, "Webhooks")."""

    def redirect_request(self, *_args, **_kwargs):
        return None


NO_REDIRECTS = urllib.request.build_opener(_NoRedirect)


def post(url: str, body: str, headers: dict) -> int:
    """POST and return the status (an HTTP error's status too); raises on no answer."""
    request = urllib.request.Request(
        url, data=body.encode(), headers=headers, method="POST"
    )
    try:
        with NO_REDIRECTS.open(request, timeout=WEBHOOK_TIMEOUT) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def deliver_alert_webhook(payload: dict) -> None:
    """Outbox handler: POST the event to one endpoint, log the attempt, raise unless 2xx."""
    delivery = outbox.current_delivery()
    database = get_database()
    with Session(database.engine) as session:
        endpoint = session.get(WebhookEndpoint, int(payload["endpoint_id"]))
        rule = session.get(AlertRule, int(payload["rule_id"]))
        if endpoint is None or not endpoint.is_active or rule is None:
            return  # removed or switched off since: nothing to send
        url, organization_id = endpoint.url, endpoint.organization_id
        secret = app_cipher().decrypt(endpoint.secret_encrypted.encode("ascii"))
        rule_name = rule.name
    message_id = f"msg_{payload['key'].replace(':', '_')}"
    body = webhook_body(payload, organization_id, rule_name)
    status, error = None, ""
    started = time.perf_counter()
    try:
        parts = urlsplit(url)
        check_resolved(
            parts.hostname or "",
            parts.port or (443 if parts.scheme == "https" else 80),
            local_allowed(),
        )
        status = post(url, body, signed_headers(secret, message_id, body))
        if not 200 <= status < 300:
            error = f"HTTP {status}"
    except (OSError, ValueError, http.client.HTTPException) as exc:  # no answer
        error = f"{type(exc).__name__}: {exc}"
    duration_ms = round((time.perf_counter() - started) * 1000)
    with Session(database.engine) as session:
        session.add(
            WebhookAttempt(
                organization_id=organization_id,
                endpoint_id=int(payload["endpoint_id"]),
                outbox_id=delivery.outbox_id if delivery else None,
                message_id=message_id,
                event_type=f"alert.{payload['event']}",
                attempt=delivery.attempt if delivery else 1,
                status_code=status,
                error=error[:500],
                duration_ms=duration_ms,
            )
        )
        session.commit()
    if error:
        raise WebhookFailed(error)


def init_app(app: Flask) -> None:
    """Register the handlers (process-wide; they read the current app's mailer and cipher)."""
    outbox.HANDLERS[EMAIL_KIND] = deliver_alert_email
    outbox.HANDLERS[WEBHOOK_KIND] = deliver_alert_webhook
