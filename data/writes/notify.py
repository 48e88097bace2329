"""Notifications and outbox rows, written in the caller's transaction with the change they report.

A change that rolls back leaves no notification and no outbox row; one that commits has both
(delivery after commit: data/outbox.py). Per-user mutes are honoured here, at write time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from data.errors import Invalid, row_id
from data.models import Notification, NotificationMute, OutboxEntry, User

# Every kind a notification can have (mutes name one of these).
KINDS = (
    "campaign_submitted",
    "campaign_withdrawn",
    "budget_auto_approved",
    "budget_approved",
    "budget_rejected",
    "alert_firing",  # an alert rule fired (data/alerts/evaluate.py)
    "alert_reminder",  # ... and is still firing after its reminder_hours
    "alert_resolved",  # ... and is ok again
)


def admin_ids(session: Session, organization_id: int) -> list[int]:
    """The organization's active admins."""
    return list(
        session.scalars(
            sa.select(User.id)
            .where(
                User.organization_id == organization_id,
                User.role == "admin",
                User.is_active.is_(True),
            )
            .order_by(User.id)
        )
    )


def notify(
    session: Session,
    organization_id: int,
    user_ids: Iterable[int | None],
    kind: str,
    title: str,
    *,
    body: str = "",
    link: str = "",
    exclude: int | None = None,
    dedupe: str | None = None,
) -> list[int]:
    """Add one notification of ``kind`` per recipient (not ``exclude``, not muted); their ids.

    ``dedupe``: each notification's ``dedupe_key`` is ``f"{dedupe}:{user_id}"``, so the same
    notification can never be written twice for a user (the database refuses the second)."""
    recipients = sorted({uid for uid in user_ids if uid and uid != exclude})
    if not recipients:
        return []
    muted = set(
        session.scalars(
            sa.select(NotificationMute.user_id).where(
                NotificationMute.kind == kind,
                NotificationMute.user_id.in_(recipients),
            )
        )
    )
    sent = [uid for uid in recipients if uid not in muted]
    for uid in sent:
        session.add(
            Notification(
                organization_id=organization_id,
                user_id=uid,
                kind=kind,
                title=title[:200],
                body=body[:500],
                link=link[:300],
                dedupe_key=None if dedupe is None else f"{dedupe}:{uid}",
            )
        )
    return sent


def enqueue(
    session: Session,
    organization_id: int | None,
    kind: str,
    payload: dict,
    *,
    dedupe_key: str | None = None,
) -> None:
    """Add an outbox row (ids and amounts only: the payload is not personal data); a
    ``dedupe_key`` makes a second row with the same key impossible (the database refuses it)."""
    session.add(
        OutboxEntry(
            organization_id=organization_id,
            kind=kind,
            payload=payload,
            dedupe_key=dedupe_key,
        )
    )


def mark_read(
    session: Session, user_id: int, notification_id: int | None = None
) -> int:
    """Mark one of the user's notifications (or all of them) read; the number changed."""
    query = sa.update(Notification).where(
        Notification.user_id == user_id, Notification.read_at.is_(None)
    )
    if notification_id is not None:
        number = row_id(notification_id, "No such notification.")
        query = query.where(Notification.id == number)
    result = session.execute(
        query.values(read_at=dt.datetime.now(dt.UTC)).execution_options(
            synchronize_session=False
        )
    )
    return result.rowcount


def set_muted(session: Session, user_id: int, kind: str, muted: bool) -> None:
    """Mute (or unmute) one kind of notification for the user."""
    if kind not in KINDS:
        raise Invalid(f"Choose a kind from {', '.join(KINDS)}.")
    exists = session.get(NotificationMute, (user_id, kind))
    if muted and exists is None:
        session.add(NotificationMute(user_id=user_id, kind=kind))
    elif not muted and exists is not None:
        session.delete(exists)
    session.flush()
