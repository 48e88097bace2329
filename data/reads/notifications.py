"""A user's notifications, their unread count, and a campaign's lifecycle history (audit log)."""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import Session

from data.lifecycle import load_campaign
from data.models import AuditLog, Notification, NotificationMute, User
from data.scope import Scope

NOTIFICATION_COLUMNS = [
    "notification_id", "kind", "title", "body", "link", "created_at", "read_at", "is_read",
]  # fmt: skip
HISTORY_COLUMNS = [
    "created_at",
    "action",
    "actor_name",
    "from_status",
    "to_status",
    "details",
]
MAX_PAGE = 200


def notifications(
    session: Session,
    scope: Scope,
    *,
    unread_only: bool = False,
    before_id: int | None = None,
    limit: int = 50,
) -> pd.DataFrame:
    """The signed-in user's notifications, newest first; ``before_id`` pages back.

    Columns NOTIFICATION_COLUMNS; times UTC; is_read a bool.
    """
    query = sa.select(
        Notification.id, Notification.kind, Notification.title, Notification.body,
        Notification.link, Notification.created_at, Notification.read_at,
    ).where(
        Notification.user_id == scope.user_id,
        Notification.organization_id == scope.organization_id,
    )  # fmt: skip
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    if before_id is not None:
        query = query.where(Notification.id < int(before_id))
    limit = min(max(int(limit), 1), MAX_PAGE)
    rows = session.execute(query.order_by(Notification.id.desc()).limit(limit)).all()
    frame = pd.DataFrame(rows, columns=NOTIFICATION_COLUMNS[:-1])
    frame["is_read"] = frame["read_at"].notna().astype(bool)
    return frame


def unread_count(session: Session, scope: Scope) -> int:
    """The bell's number: the user's unread notifications."""
    return int(
        session.scalar(
            sa.select(sa.func.count())
            .select_from(Notification)
            .where(
                Notification.user_id == scope.user_id,
                Notification.organization_id == scope.organization_id,
                Notification.read_at.is_(None),
            )
        )
        or 0
    )


def muted_kinds(session: Session, scope: Scope) -> list[str]:
    """The kinds of notification the user has muted, sorted."""
    return sorted(
        session.scalars(
            sa.select(NotificationMute.kind).where(
                NotificationMute.user_id == scope.user_id
            )
        )
    )


def campaign_history(session: Session, scope: Scope, campaign_id) -> pd.DataFrame:
    """Who did what to a campaign and when, oldest first, from the audit log (any role).

    Columns HISTORY_COLUMNS; actor_name None for the system or an erased user; from/to status
    where the step changed it; details the audit row's details (dict).
    """
    campaign = load_campaign(session, scope.organization_id, campaign_id)
    rows = session.execute(
        sa.select(AuditLog.created_at, AuditLog.action, User.name, AuditLog.details)
        .outerjoin(User, User.id == AuditLog.actor_user_id)
        .where(
            AuditLog.organization_id == scope.organization_id,
            AuditLog.target_type == "campaign",
            AuditLog.target_id == str(campaign.id),
        )
        .order_by(AuditLog.id)
    ).all()
    records = [
        (
            row.created_at,
            row.action,
            row.name,
            (row.details or {}).get("from_status"),
            (row.details or {}).get("to_status"),
            row.details or {},
        )
        for row in rows
    ]
    return pd.DataFrame(records, columns=HISTORY_COLUMNS)
