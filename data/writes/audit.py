"""The audit trail: rows written in the caller's transaction, and the admin's filtered reads."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import Session

from data.filters import DateRange, InvalidFilter, parse_range
from data.models import AuditLog, CampaignDeployment, Organization, User
from data.scope import Actor, Scope


def record_event(
    session: Session,
    actor: Actor,
    action: str,
    *,
    target_type: str | None = None,
    target_id=None,
    details: dict | None = None,
) -> AuditLog:
    """Add an audit row to ``session``; it commits (or rolls back) with the change it describes.

    ``actor`` is who acts (``scope.actor(ip_address)`` for a signed-in caller, SYSTEM for a
    command).
    """
    entry = AuditLog(
        organization_id=actor.organization_id,
        actor_user_id=actor.user_id,
        action=action,
        target_type=target_type,
        target_id=None if target_id is None else str(target_id),
        ip_address=(actor.ip_address or "")[:64] or None,
        details=details or {},
    )
    session.add(entry)
    return entry


AUDIT_COLUMNS = [
    "audit_id",
    "created_at",
    "action",
    "actor_email",
    "target_type",
    "target_id",
    "ip_address",
    "details",
]
MAX_ACTOR_LENGTH = 254
MAX_PAGE_SIZE = 200
# By the event's time: ids follow insertion, which a backfill or a restore can reorder.
NEWEST_FIRST = (AuditLog.created_at.desc(), AuditLog.id.desc())
# Targets shown by name: the type, and the organization's table and column that name it.
TARGET_NAMES = {
    "user": (User, User.email),
    "campaign": (CampaignDeployment, CampaignDeployment.name),
    "organization": (Organization, Organization.name),
}


@dataclass(frozen=True)
class AuditFilters:
    """Which audit rows to show: a date range (UTC days), one action, part of the actor's email."""

    range: DateRange
    action: str = ""
    actor: str = ""


def parse_audit_filters(start, end, action=None, actor=None) -> AuditFilters:
    """Validate the audit log's filters; InvalidFilter (with the parameter) otherwise."""
    rng = parse_range(start, end)
    if action is not None and not isinstance(action, str):
        raise InvalidFilter("action", "Choose an action from the list.")
    action = (action or "").strip()
    if len(action) > 64 or not all(ch.isalnum() or ch == "_" for ch in action):
        raise InvalidFilter("action", "Choose an action from the list.")
    if actor is not None and not isinstance(actor, str):
        raise InvalidFilter("actor", "Enter part of an email address.")
    actor = (actor or "").strip().lower()
    if len(actor) > MAX_ACTOR_LENGTH:
        raise InvalidFilter(
            "actor", f"The email can be at most {MAX_ACTOR_LENGTH} characters."
        )
    return AuditFilters(rng, action, actor)


def _audit_query(scope: Scope, filters: AuditFilters) -> sa.Select:
    scope.require("admin")
    start = dt.datetime.combine(filters.range.start, dt.time(), tzinfo=dt.UTC)
    end = dt.datetime.combine(
        filters.range.end + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC
    )
    query = (
        sa.select(
            AuditLog.id,
            AuditLog.created_at,
            AuditLog.action,
            User.email,
            AuditLog.target_type,
            AuditLog.target_id,
            AuditLog.ip_address,
            AuditLog.details,
        )
        .outerjoin(User, User.id == AuditLog.actor_user_id)
        .where(
            AuditLog.organization_id == scope.organization_id,
            AuditLog.created_at >= start,
            AuditLog.created_at < end,
        )
    )
    if filters.action:
        query = query.where(AuditLog.action == filters.action)
    if filters.actor:
        query = query.where(
            sa.func.lower(User.email).contains(filters.actor, autoescape=True)
        )
    return query


def _frame(rows) -> pd.DataFrame:
    records = [
        (*row[:7], json.dumps(row[7], sort_keys=True, default=str) if row[7] else "")
        for row in rows
    ]
    return pd.DataFrame(records, columns=AUDIT_COLUMNS)


def audit_entries(
    session: Session, scope: Scope, filters: AuditFilters, page: int, page_size: int
) -> tuple[pd.DataFrame, int]:
    """One page (0-based) of the organization's audit rows, newest first, and the total count.

    Admin only. Columns: AUDIT_COLUMNS — audit_id, created_at (UTC), action, actor_email (None
    for the system or a deleted user), target_type, target_id, ip_address, details (JSON text).
    """
    query = _audit_query(scope, filters)
    total = session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    page_size = min(max(int(page_size), 1), MAX_PAGE_SIZE)
    page = max(int(page), 0)
    rows = session.execute(
        query.order_by(*NEWEST_FIRST).limit(page_size).offset(page * page_size)
    ).all()
    return _frame(rows), int(total or 0)


def iter_audit_entries(
    session: Session, scope: Scope, filters: AuditFilters, chunk_size: int = 5000
) -> Iterator[pd.DataFrame]:
    """Every matching audit row, newest first, as frames of at most ``chunk_size`` rows."""
    query = _audit_query(scope, filters).order_by(*NEWEST_FIRST)
    last_id = None
    while True:
        chunk = query if last_id is None else query.where(AuditLog.id < last_id)
        rows = session.execute(chunk.limit(chunk_size)).all()
        if not rows:
            return
        yield _frame(rows)
        if len(rows) < chunk_size:
            return
        last_id = rows[-1][0]


def audit_actions(session: Session, scope: Scope) -> list[str]:
    """The actions that occur in the organization's audit log, sorted (admin only)."""
    scope.require("admin")
    return list(
        session.scalars(
            sa.select(AuditLog.action)
            .where(AuditLog.organization_id == scope.organization_id)
            .distinct()
            .order_by(AuditLog.action)
        )
    )


def audit_target_names(
    session: Session, scope: Scope, frame: pd.DataFrame
) -> dict[tuple[str, str], str]:
    """(target_type, target_id) -> a name people know (a user's e-mail, a campaign's name) for
    the targets in an audit_entries ``frame`` that still exist in the caller's organization.

    Admin only. Kept apart from audit_entries so its columns (and the CSV's) stay as they are.
    """
    scope.require("admin")
    names: dict[tuple[str, str], str] = {}
    for kind, (model, column) in TARGET_NAMES.items():
        ids = {
            int(i)
            for t, i in zip(frame["target_type"], frame["target_id"], strict=True)
            if t == kind and isinstance(i, str) and i.isdigit()
        }
        if not ids:
            continue
        owner = model.id if model is Organization else model.organization_id
        rows = session.execute(
            sa.select(model.id, column).where(
                model.id.in_(ids), owner == scope.organization_id
            )
        )
        names.update({(kind, str(i)): name for i, name in rows})
    return names
