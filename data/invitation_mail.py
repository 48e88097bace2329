"""The invitation e-mail, written after the commit by the outbox (kind "invitation_mail").

Which e-mail is decided here, when it is written, and only its recipient reads it: an address
with no account gets the link to join; an address that already has a KIKI Analytics account (in
any organization) is told so, without a link. The admin's answer was the same for both.
"""

from __future__ import annotations

import hashlib

import sqlalchemy as sa
from flask import Flask, current_app
from sqlalchemy.orm import Session

from data import outbox
from data.db import get_database
from data.mail import Mail, app_mailer, sender_domain
from data.models import Invitation, Organization, User
from data.protocols import app_cipher
from data.writes.invitations import MAIL_KIND, is_pending

PRODUCT = "KIKI Analytics"


def invitation_link(token: str) -> str:
    """The absolute link the e-mail carries (KIKI_PUBLIC_URL, the address users open)."""
    base = (current_app.config.get("KIKI_PUBLIC_URL") or "").rstrip("/")
    return f"{base}/invite/{token}"


def message_id(invitation: Invitation, sender: str) -> str:
    """Fixed per invitation (one outbox row each): a second delivery is the same message."""
    tag = hashlib.sha256(invitation.token_hash.encode()).hexdigest()[:16]
    return f"<invitation.{invitation.id}.{tag}@{sender_domain(sender)}>"


def invitation_mail(
    invitation: Invitation,
    organization: str,
    inviter: str | None,
    token: str,
    has_account: bool,
    sender: str,
) -> Mail:
    """The e-mail for ``invitation``: the link to join, or (``has_account``) the notice that
    this address already has an account, which carries no link."""
    who = inviter or "An admin"
    subject = f"{who} invited you to {organization} on {PRODUCT}"
    expires = invitation.expires_at.strftime("%Y-%m-%d %H:%M UTC")
    if has_account:
        body = (
            f"{who} at {organization} invited this address to join {organization} on "
            f"{PRODUCT}.\n\nThis address already has a {PRODUCT} account, and an address "
            f"can belong to one organization only, so there is nothing to accept and "
            f"nothing was changed. If you want to join {organization}, ask {who} to "
            "invite another of your addresses.\n\n"
            "If you did not expect this e-mail, you can ignore it.\n"
        )
    else:
        body = (
            f"{who} invited you to join {organization} on {PRODUCT}.\n\n"
            "Choose your name and password here to create your account:\n\n"
            f"{invitation_link(token)}\n\n"
            f"The link works once, until {expires}.\n\n"
            "If you did not expect this e-mail, you can ignore it.\n"
        )
    return Mail(
        to=invitation.email,
        subject=subject,
        body=body,
        message_id=message_id(invitation, sender),
    )


def deliver_invitation_mail(payload: dict) -> None:
    """Outbox handler: write the invitation's e-mail, unless it was revoked or accepted meanwhile."""
    token = app_cipher().decrypt(payload[outbox.SEALED].encode("ascii"))
    mailer = app_mailer()
    with Session(get_database().engine) as session:
        invitation = session.get(Invitation, int(payload["invitation_id"]))
        if invitation is None or not is_pending(invitation):
            return
        organization = session.scalar(
            sa.select(Organization.name).where(
                Organization.id == invitation.organization_id
            )
        )
        inviter = session.scalar(
            sa.select(User.name).where(User.id == invitation.invited_by)
        )
        has_account = session.scalar(
            sa.select(sa.func.count())
            .select_from(User)
            .where(sa.func.lower(User.email) == invitation.email)
        )
        mail = invitation_mail(
            invitation, organization, inviter, token, bool(has_account), mailer.sender
        )
    mailer.send(mail)


def init_app(app: Flask) -> None:
    """Register the outbox handler (process-wide; it reads the current app's mailer and cipher)."""
    outbox.HANDLERS[MAIL_KIND] = deliver_invitation_mail
