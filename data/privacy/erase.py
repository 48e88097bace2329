"""Erasure of one person: what only they own is deleted, their authorship of organization data
removed, their audit rows pseudonymised (action and time kept), their sessions and tokens
revoked; the erasure is audited under the pseudonym. All in the caller's transaction."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session

from data.cache import invalidate_on_commit
from data.models import ApiToken, AuditLog, Invitation, User
from data.privacy.pseudonym import pseudonym
from data.privacy.registry import DATASETS, REMOVE_AUTHORSHIP
from data.privacy.subject import PrivacyError, Subject, mentions_condition, table
from data.scope import Actor
from data.writes.audit import record_event
from data.writes.sign_in_locks import clear_address

BATCH = 1000


@dataclass
class ErasurePlan:
    """What an erasure does (or did): rows per step, and the pseudonym left in their place."""

    pseudonym: str
    counts: dict[str, int] = field(default_factory=dict)

    def lines(self) -> list[str]:
        return [f"{step}: {rows:,}" for step, rows in self.counts.items()]


def _count(session: Session, source: sa.Table, condition) -> int:
    query = sa.select(sa.func.count()).select_from(source).where(condition)
    return int(session.scalar(query) or 0)


def _target(subject: Subject):
    return sa.and_(
        AuditLog.target_type == "user", AuditLog.target_id == str(subject.user_id)
    )


def plan_erasure(session: Session, subject: Subject, key: bytes) -> ErasurePlan:
    """Count what erase_subject would change; reads only (the dry run)."""
    _refuse_last_admin(session, subject)
    plan = ErasurePlan(pseudonym(key, subject.email))
    uid = subject.user_id
    plan.counts["delete account (users)"] = 1
    plan.counts["revoke and delete API tokens"] = _count(
        session, ApiToken.__table__, ApiToken.user_id == uid
    )
    for dataset in DATASETS:
        if dataset.erase == REMOVE_AUTHORSHIP:
            source = table(dataset.table)
            plan.counts[f"remove authorship ({dataset.table}.{dataset.link})"] = _count(
                session, source, source.c[dataset.link] == uid
            )
    plan.counts["pseudonymise audit rows they caused"] = _count(
        session, AuditLog.__table__, AuditLog.actor_user_id == uid
    )
    plan.counts["rewrite audit rows that name them"] = _count(
        session, AuditLog.__table__, mentions_condition(subject)
    )
    return plan


def _refuse_last_admin(session: Session, subject: Subject) -> None:
    if subject.role != "admin" or not subject.is_active:
        return
    others = _count(
        session,
        User.__table__,
        sa.and_(
            User.organization_id == subject.organization_id,
            User.role == "admin",
            User.is_active.is_(True),
            User.id != subject.user_id,
        ),
    )
    if not others:
        raise PrivacyError(
            "This is the organization's last active admin: make another admin first."
        )


def _scrub(value, email: re.Pattern, name: str, alias: str):
    """``value`` (JSON) with the e-mail replaced inside strings and the name as a whole value."""
    if isinstance(value, dict):
        return {k: _scrub(v, email, name, alias) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v, email, name, alias) for v in value]
    if isinstance(value, str):
        if name and value.strip().casefold() == name:
            return alias
        return email.sub(alias, value)
    return value


def _rewrite_mentions(session: Session, subject: Subject, alias: str) -> int:
    ids = list(
        session.scalars(sa.select(AuditLog.id).where(mentions_condition(subject)))
    )
    email = re.compile(re.escape(subject.email), re.IGNORECASE)
    name = subject.name.strip().casefold()
    for start in range(0, len(ids), BATCH):
        rows = session.execute(
            sa.select(
                AuditLog.id, AuditLog.actor_user_id, AuditLog.target_type,
                AuditLog.target_id, AuditLog.ip_address, AuditLog.details,
            ).where(AuditLog.id.in_(ids[start : start + BATCH]))
        ).all()  # fmt: skip
        changes = [
            {
                "id": row.id,
                "details": _scrub(row.details, email, name, alias),
                "target_id": alias
                if row.target_type == "user" and row.target_id == str(subject.user_id)
                else row.target_id,
                # No actor: an attempt in their name (a failed sign-in), from their address.
                "ip_address": row.ip_address if row.actor_user_id else None,
            }
            for row in rows
        ]
        if changes:
            session.execute(sa.update(AuditLog), changes)
    return len(ids)


def erase_subject(
    session: Session,
    subject: Subject,
    key: bytes,
    *,
    actor_user_id: int | None,
    ip_address: str | None = None,
) -> ErasurePlan:
    """Erase ``subject`` in ``session`` (the caller commits all of it, or rolls it back).

    The erasure's own audit row holds the pseudonym and the counts, never the e-mail. Cached
    reads of the organization expire on commit; purge_caches removes them and the sign-in
    limiter's keys (data/privacy/caches.py).
    """
    plan = plan_erasure(session, subject, key)
    alias, uid = plan.pseudonym, subject.user_id
    now = dt.datetime.now(dt.UTC)
    session.execute(
        sa.update(User)
        .where(User.id == uid)
        .values(session_epoch=User.session_epoch + 1, is_active=False)
    )
    session.execute(
        sa.update(ApiToken)
        .where(ApiToken.user_id == uid, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    for dataset in DATASETS:
        if dataset.erase == REMOVE_AUTHORSHIP:
            source = table(dataset.table)
            session.execute(
                source.update()
                .where(source.c[dataset.link] == uid)
                .values({dataset.link: None})
            )
    _rewrite_mentions(session, subject, alias)
    session.execute(
        sa.update(AuditLog)
        .where(AuditLog.actor_user_id == uid, _target(subject))
        .values(target_id=alias)
    )
    session.execute(
        sa.update(AuditLog)
        .where(AuditLog.actor_user_id == uid)
        .values(actor_user_id=None, ip_address=None, details={"subject": alias})
    )
    session.execute(sa.delete(ApiToken).where(ApiToken.user_id == uid))
    # Invitations of their address that never became this account (revoked, expired, or sent by
    # another organization): the address is theirs (the accepted one goes with the account).
    session.execute(
        sa.delete(Invitation).where(Invitation.email == subject.email.lower())
    )
    clear_address(session, subject.email)  # a sign-in lock on their address
    session.execute(sa.delete(User).where(User.id == uid))
    record_event(
        session,
        Actor(subject.organization_id, actor_user_id, ip_address),
        "gdpr_erased",
        target_type="user",
        target_id=alias,
        details={"subject": alias, "counts": plan.counts},
    )
    invalidate_on_commit(session, subject.organization_id)
    return plan
