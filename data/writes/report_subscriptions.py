"""Report subscriptions: create, edit, pause, delete (analysts their own, admins any of the
organization), reassign (admins), unsubscribe (one recipient, from the e-mail's link). Each in
the caller's transaction with its audit row; the input is data/reports/rules.py's."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Session

from data.campaign_rules import InvalidField
from data.errors import Conflict, Invalid, NotFound, row_id
from data.models import ReportRecipient, ReportSubscription, User
from data.reads.alert_sums import organization_zone
from data.reports.rules import SubscriptionInput, parse_subscription
from data.reports.schedule import Schedule, next_due
from data.scope import Actor, Scope
from data.writes.audit import record_event

MAX_SUBSCRIPTIONS = 200  # per organization
NOT_FOUND = "No such report subscription."


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def schedule_of(subscription: ReportSubscription) -> Schedule:
    return Schedule(
        subscription.frequency,
        subscription.hour,
        subscription.weekday,
        subscription.month_day,
    )


def _audit(session, actor: Actor, action: str, subscription_id, **details) -> None:
    record_event(
        session,
        actor,
        action,
        target_type="report_subscription",
        target_id=subscription_id,
        details=details,
    )


def load_subscription(
    session: Session, scope: Scope, subscription_id, *, lock: bool = False
) -> ReportSubscription:
    """The subscription, if the caller may manage it (its owner, or an admin of its
    organization); NotFound otherwise (another person's or organization's looks absent)."""
    number = row_id(subscription_id, NOT_FOUND)
    query = sa.select(ReportSubscription).where(
        ReportSubscription.id == number,
        ReportSubscription.organization_id == scope.organization_id,
    )
    if not scope.allows("admin"):
        query = query.where(ReportSubscription.owner_id == scope.user_id)
    subscription = session.scalar(query.with_for_update() if lock else query)
    if subscription is None:
        raise NotFound(NOT_FOUND)
    return subscription


def _columns(
    session: Session, scope: Scope, data: SubscriptionInput, now: dt.datetime
) -> dict:
    return {
        "name": data.name,
        "view": data.view,
        "campaign_id": data.campaign_id,
        "params": data.params,
        "frequency": data.schedule.frequency,
        "hour": data.schedule.hour,
        "weekday": data.schedule.weekday,
        "month_day": data.schedule.month_day,
        "include_csv": data.include_csv,
        "next_run_at": next_due(
            data.schedule, now, organization_zone(session, scope.organization_id)
        ),
    }


def _set_recipients(session: Session, subscription_id: int, user_ids) -> None:
    session.execute(
        sa.delete(ReportRecipient).where(
            ReportRecipient.subscription_id == subscription_id
        )
    )
    session.add_all(
        ReportRecipient(subscription_id=subscription_id, user_id=user_id)
        for user_id in user_ids
    )
    session.flush()


def create_subscription(
    session: Session,
    scope: Scope,
    raw: dict,
    *,
    ip_address: str | None = None,
    now: dt.datetime | None = None,
) -> ReportSubscription:
    """Add a subscription owned by the caller (analyst+), first due at its next slot."""
    scope.require("analyst")
    data = parse_subscription(session, scope, raw)
    count = session.scalar(
        sa.select(sa.func.count(ReportSubscription.id)).where(
            ReportSubscription.organization_id == scope.organization_id
        )
    )
    if count >= MAX_SUBSCRIPTIONS:
        raise Invalid(
            f"An organization can have at most {MAX_SUBSCRIPTIONS} report subscriptions."
        )
    subscription = ReportSubscription(
        organization_id=scope.organization_id,
        owner_id=scope.user_id,
        **_columns(session, scope, data, now or _now()),
    )
    session.add(subscription)
    session.flush()
    _set_recipients(session, subscription.id, data.recipient_ids)
    _audit(
        session,
        scope.actor(ip_address),
        "report.create",
        subscription.id,
        name=data.name,
        view=data.view,
    )
    return subscription


def edit_subscription(
    session: Session,
    scope: Scope,
    subscription_id,
    raw: dict,
    *,
    version: int | None = None,
    ip_address: str | None = None,
    now: dt.datetime | None = None,
) -> ReportSubscription:
    """Change a subscription (its owner, or an admin); its next due time follows the new
    schedule."""
    scope.require("analyst")
    subscription = load_subscription(session, scope, subscription_id, lock=True)
    if version is not None and version != subscription.version:
        raise Conflict("Someone else changed this subscription: reload and try again.")
    data = parse_subscription(session, scope, raw)
    for column, value in _columns(session, scope, data, now or _now()).items():
        setattr(subscription, column, value)
    _set_recipients(session, subscription.id, data.recipient_ids)
    subscription.version += 1
    subscription.updated_at = now or _now()
    _audit(
        session, scope.actor(ip_address), "report.edit", subscription.id, name=data.name
    )
    return subscription


def set_paused(
    session: Session,
    scope: Scope,
    subscription_id,
    paused: bool,
    *,
    ip_address: str | None = None,
    now: dt.datetime | None = None,
) -> ReportSubscription:
    """Pause or resume; a resumed subscription is next due at its next slot (the slots it
    missed while paused are not sent)."""
    scope.require("analyst")
    subscription = load_subscription(session, scope, subscription_id, lock=True)
    subscription.paused = bool(paused)
    if not paused:
        subscription.next_run_at = next_due(
            schedule_of(subscription),
            now or _now(),
            organization_zone(session, scope.organization_id),
        )
    subscription.version += 1
    action = "report.pause" if paused else "report.resume"
    _audit(session, scope.actor(ip_address), action, subscription.id)
    return subscription


def delete_subscription(
    session: Session, scope: Scope, subscription_id, *, ip_address: str | None = None
) -> None:
    """Delete a subscription with its recipients and run history."""
    scope.require("analyst")
    subscription = load_subscription(session, scope, subscription_id, lock=True)
    name = subscription.name
    session.delete(subscription)
    session.flush()
    _audit(
        session,
        scope.actor(ip_address),
        "report.delete",
        int(subscription_id),
        name=name,
    )


def reassign_subscription(
    session: Session,
    scope: Scope,
    subscription_id,
    owner_id,
    *,
    ip_address: str | None = None,
) -> ReportSubscription:
    """Give a subscription to another active analyst or admin of the organization (admins)."""
    scope.require("admin")
    subscription = load_subscription(session, scope, subscription_id, lock=True)
    try:
        number = row_id(owner_id, "unknown")
    except NotFound:
        raise InvalidField("owner_id", "Choose the new owner.") from None
    owner = session.scalar(
        sa.select(User).where(
            User.id == number,
            User.organization_id == scope.organization_id,
            User.is_active.is_(True),
            User.role.in_(("analyst", "admin")),
        )
    )
    if owner is None:
        raise InvalidField(
            "owner_id", "Choose an active analyst or admin of your organization."
        )
    previous = subscription.owner_id
    subscription.owner_id = owner.id
    subscription.version += 1
    _audit(
        session, scope.actor(ip_address), "report.reassign", subscription.id,
        previous_owner_id=previous, owner_id=owner.id,
    )  # fmt: skip
    return subscription


def unsubscribe(
    session: Session,
    subscription_id: int,
    user_id: int,
    *,
    ip_address: str | None = None,
) -> bool:
    """Remove one recipient (the e-mail's unsubscribe link, already verified); False when
    they were no longer a recipient (a second click, a deleted subscription)."""
    subscription = session.get(ReportSubscription, subscription_id)
    if subscription is None:
        return False
    removed = session.execute(
        sa.delete(ReportRecipient).where(
            ReportRecipient.subscription_id == subscription_id,
            ReportRecipient.user_id == user_id,
        )
    ).rowcount
    if removed:
        actor = Actor(subscription.organization_id, user_id, ip_address)
        _audit(session, actor, "report.unsubscribe", subscription_id, user_id=user_id)
    return bool(removed)


def reschedule_organization(
    session: Session, organization_id: int, *, now: dt.datetime | None = None
) -> int:
    """Move every subscription of the organization to its next slot in the organization's
    (new) zone, after its time zone changed: "09:00" means 09:00 where the organization now
    is. In the caller's transaction; the number moved."""
    tz = organization_zone(session, organization_id)
    subscriptions = session.scalars(
        sa.select(ReportSubscription).where(
            ReportSubscription.organization_id == organization_id
        )
    ).all()
    for subscription in subscriptions:
        subscription.next_run_at = next_due(
            schedule_of(subscription), now or _now(), tz
        )
    return len(subscriptions)
