"""Invitations by e-mail: invite (the same answer for every address), revoke, accept.

The admin's answer and the invitations list never depend on whether the address has an account
in another organization: that is decided only when the e-mail is written, after the commit
(data/invitation_mail.py), and only its recipient reads it. An address that is already a member
of the admin's own organization is refused plainly: the admin sees that user in the list anyway.
The token is random (``secrets.token_urlsafe(32)``); the table keeps its SHA-256, the outbox row
keeps it encrypted with the app's cipher until the e-mail is delivered (data/outbox.py drops it).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

import sqlalchemy as sa
from sqlalchemy.orm import Session

from data.errors import NotFound, row_id
from data.models import Invitation, User
from data.outbox import SEALED
from data.protocols import Cipher, PasswordHasher, app_cipher, app_hasher
from data.scope import Actor, Scope
from data.writes.audit import record_event
from data.writes.notify import enqueue
from data.writes.user_rules import UserError, clean_text, invitee_problem
from data.writes.users import insert_user, lock_organization

VALID_FOR = dt.timedelta(days=7)
MAIL_KIND = "invitation_mail"  # the outbox kind whose handler writes the e-mail
INVALID_INVITATION = "This invitation is not valid (it may have expired or been used)."
MAX_TOKEN_LENGTH = 100


class InvalidInvitation(NotFound):
    """Unknown, expired, revoked, used, or for an address that has an account: one message."""

    def __init__(self) -> None:
        super().__init__(INVALID_INVITATION)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)  # SQLite drops it


def is_pending(invitation: Invitation, now: dt.datetime | None = None) -> bool:
    return (
        invitation.accepted_at is None
        and invitation.revoked_at is None
        and _aware(invitation.expires_at) > (now or _now())
    )


def invitation_sent_message(email: str) -> str:
    """The admin's answer to every invitation that was written, whatever the address."""
    return f"Invitation sent to {email}. It is valid for {VALID_FOR.days} days."


def invite_user(
    session: Session,
    scope: Scope,
    *,
    email,
    name,
    role,
    ip_address: str | None = None,
    cipher: Cipher | None = None,
) -> Invitation:
    """Invite ``email`` to the caller's organization as ``role`` (admin only); the e-mail goes out
    after the commit. A pending invitation of the same address is replaced. UserError on bad
    input or an address that is already a member of this organization."""
    scope.require("admin")
    if problem := invitee_problem(email, name, role):
        raise UserError(problem)
    email, name = clean_text(email).lower(), clean_text(name)
    lock_organization(session, scope)
    member = session.scalar(
        sa.select(User.id).where(
            sa.func.lower(User.email) == email,
            User.organization_id == scope.organization_id,
        )
    )
    if member is not None:  # visible in the admin's own users list already
        raise UserError(f"{email} is already a member of this organization.")
    now = _now()
    session.execute(
        sa.update(Invitation)
        .where(
            Invitation.organization_id == scope.organization_id,
            Invitation.email == email,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
        )
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        organization_id=scope.organization_id,
        email=email,
        name=name,
        role=role,
        invited_by=scope.user_id,
        token_hash=token_hash(token),
        expires_at=now + VALID_FOR,
    )
    session.add(invitation)
    session.flush()
    sealed = (cipher or app_cipher()).encrypt(token).decode("ascii")
    enqueue(
        session,
        scope.organization_id,
        MAIL_KIND,
        {"invitation_id": invitation.id, SEALED: sealed},
    )
    _audit(session, scope.actor(ip_address), "user_invited", invitation)
    return invitation


def revoke_invitation(
    session: Session, scope: Scope, invitation_id, *, ip_address: str | None = None
) -> Invitation:
    """Revoke a pending invitation of the caller's organization (admin only); its link dies."""
    scope.require("admin")
    number = row_id(invitation_id, "Choose an invitation.")
    invitation = session.scalar(
        sa.select(Invitation)
        .where(
            Invitation.id == number,
            Invitation.organization_id == scope.organization_id,
        )
        .with_for_update()
    )
    if invitation is None or not is_pending(invitation):
        # The same answer for another organization's invitation as for none at all.
        raise UserError("No such pending invitation in your organization.")
    invitation.revoked_at = _now()
    _audit(session, scope.actor(ip_address), "invitation_revoked", invitation)
    return invitation


def _by_token(session: Session, token, *, lock: bool = False) -> Invitation:
    """The pending invitation of ``token``, or InvalidInvitation."""
    if not isinstance(token, str) or not 0 < len(token) <= MAX_TOKEN_LENGTH:
        raise InvalidInvitation()
    query = sa.select(Invitation).where(Invitation.token_hash == token_hash(token))
    invitation = session.scalar(query.with_for_update() if lock else query)
    if invitation is None or not is_pending(invitation):
        raise InvalidInvitation()
    return invitation


def open_invitation(session: Session, token) -> Invitation:
    """The pending invitation of ``token`` whose address has no account yet; InvalidInvitation
    otherwise (one answer for every reason). Reads only."""
    invitation = _by_token(session, token)
    if _has_account(session, invitation):
        raise InvalidInvitation()
    return invitation


def accept_invitation(
    session: Session,
    token,
    *,
    name,
    password,
    repeated,
    ip_address: str | None = None,
    hasher: PasswordHasher | None = None,
) -> User:
    """Create the invited user with this name and password and close the invitation, with an
    audit row. An address that got an account meanwhile closes the invitation and raises
    InvalidInvitation: open the transaction with ``commit_anyway=(InvalidInvitation,)``."""
    hasher = hasher or app_hasher()
    invitation = _by_token(session, token, lock=True)
    if _has_account(session, invitation):
        invitation.revoked_at = _now()
        raise InvalidInvitation()
    if not isinstance(password, str) or password != repeated:
        raise UserError("The two passwords differ.")
    user = insert_user(
        session,
        invitation.organization_id,
        email=invitation.email,
        name=name,
        role=invitation.role,
        password=password,
        hasher=hasher,
    )
    invitation.accepted_at, invitation.user_id = _now(), user.id
    actor = Actor(invitation.organization_id, user.id, ip_address)
    _audit(session, actor, "invitation_accepted", invitation, user_id=user.id)
    return user


def _has_account(session: Session, invitation: Invitation) -> bool:
    return (
        session.scalar(
            sa.select(User.id).where(sa.func.lower(User.email) == invitation.email)
        )
        is not None
    )


def _audit(
    session: Session, actor: Actor, action: str, invitation: Invitation, **details
) -> None:
    """The same details for every address: nothing here says whether it has an account."""
    record_event(
        session,
        actor,
        action,
        target_type="invitation",
        target_id=invitation.id,
        details={"email": invitation.email, "role": invitation.role, **details},
    )
