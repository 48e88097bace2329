"""Webhook endpoints (admins): add one (its signing secret is shown once, stored encrypted with
the app's cipher) and remove one, each with its audit row. Delivery: data/alerts/deliver.py."""

from __future__ import annotations

import base64
import ipaddress
import secrets
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.orm import Session

from data.campaign_rules import InvalidField, clean_text
from data.errors import Invalid, NotFound, row_id
from data.models import WebhookEndpoint
from data.protocols import Cipher, app_cipher
from data.scope import Scope
from data.webhook_targets import RefusedTarget, check_literal, local_allowed
from data.writes.audit import record_event

SECRET_PREFIX = (
    "whsec_"  # the Standard Webhooks secret format: whsec_ + base64 of the key
)
SECRET_BYTES = 24
MAX_ENDPOINTS = 10
LOOPBACK_HOSTS = ("localhost",)


def new_secret() -> str:
    """A Standard Webhooks signing secret: whsec_ and the base64 of 24 random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def _is_loopback(host: str) -> bool:
    if host in LOOPBACK_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def parse_url(value, *, allow_local: bool | None = None) -> str:
    """An https URL to a public address (http only to this machine, when local receivers are
    allowed: KIKI_WEBHOOK_ALLOW_LOCAL), at most 500 characters."""
    allow_local = local_allowed() if allow_local is None else allow_local
    url = clean_text("url", value, limit=500, required=True)
    parts = urlsplit(url)
    try:
        host, _port = parts.hostname or "", parts.port
    except ValueError:
        raise InvalidField("url", "The port is not a number from 1 to 65535.") from None
    if parts.scheme not in ("https", "http") or not host:
        raise InvalidField(
            "url", "Enter a full address, e.g. https://example.com/hooks."
        )
    if parts.scheme == "http" and not _is_loopback(host):
        raise InvalidField(
            "url", "Use https: webhooks carry your numbers (http only to localhost)."
        )
    if parts.username or parts.password:
        raise InvalidField("url", "Leave credentials out of the address.")
    try:
        check_literal(host, allow_local)
    except RefusedTarget as refused:
        raise InvalidField("url", str(refused)) from None
    return url


def create_endpoint(
    session: Session,
    scope: Scope,
    url,
    description="",
    *,
    cipher: Cipher | None = None,
    ip_address: str | None = None,
    allow_local: bool | None = None,
) -> tuple[WebhookEndpoint, str]:
    """Add an endpoint (admin); returns it and its secret, which is never shown again."""
    scope.require("admin")
    address = parse_url(url, allow_local=allow_local)
    words = clean_text("description", description, limit=200, required=False) or ""
    count = session.scalar(
        sa.select(sa.func.count(WebhookEndpoint.id)).where(
            WebhookEndpoint.organization_id == scope.organization_id
        )
    )
    if count >= MAX_ENDPOINTS:
        raise Invalid(f"An organization can have at most {MAX_ENDPOINTS} webhooks.")
    secret = new_secret()
    endpoint = WebhookEndpoint(
        organization_id=scope.organization_id,
        url=address,
        description=words,
        secret_encrypted=(cipher or app_cipher()).encrypt(secret).decode(),
        created_by_id=scope.user_id,
    )
    session.add(endpoint)
    session.flush()
    record_event(
        session,
        scope.actor(ip_address),
        "webhook.create",
        target_type="webhook_endpoint",
        target_id=endpoint.id,
        details={"url": address},
    )
    return endpoint, secret


def delete_endpoint(
    session: Session, scope: Scope, endpoint_id, *, ip_address: str | None = None
) -> None:
    """Remove an endpoint (admin); its logged attempts stay, without it."""
    scope.require("admin")
    number = row_id(endpoint_id, "No such webhook.")
    endpoint = session.scalar(
        sa.select(WebhookEndpoint).where(
            WebhookEndpoint.id == number,
            WebhookEndpoint.organization_id == scope.organization_id,
        )
    )
    if endpoint is None:
        raise NotFound("No such webhook.")
    record_event(
        session,
        scope.actor(ip_address),
        "webhook.delete",
        target_type="webhook_endpoint",
        target_id=endpoint.id,
        details={"url": endpoint.url},
    )
    session.delete(endpoint)
    session.flush()
