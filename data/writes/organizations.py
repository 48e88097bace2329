"""Organization settings changed by admins with an audit row: the performance-fee rate and its
history, and the time zone whose calendar days alerts and schedules count in."""

from __future__ import annotations

import datetime as dt
import functools
import re
import zoneinfo
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from data.alerts.due import mark_rules_due
from data.cache import invalidate_on_commit
from data.campaign_rules import settings_of
from data.errors import Invalid
from data.models import FeeRate, Organization, OrganizationSettings
from data.scope import Scope
from data.writes.audit import record_event
from data.writes.report_subscriptions import reschedule_organization

HUNDRED = Decimal(100)
# The first history row of an organization that had one rate until its first change.
BEGINNING = dt.date(1900, 1, 1)
# ASCII digits only (Decimal would also take "２０", "1e1", "NaN"); trailing zeros are fine.
PERCENT = re.compile(r"[0-9]{1,3}(\.[0-9]{1,2}0*)?")
DECIMAL_COMMA = re.compile(r"[0-9]{1,3},[0-9]{1,2}")


def fee_rate_percent(session: Session, scope: Scope) -> Decimal:
    """The organization's fee rate as a percentage (20.00 for a 0.2000 rate)."""
    rate = session.scalar(
        sa.select(Organization.fee_rate).where(Organization.id == scope.organization_id)
    )
    return (Decimal(rate or 0) * HUNDRED).quantize(Decimal("0.01"))


def parse_fee_percent(value) -> Decimal:
    """A percentage from 0 to 100 with at most two decimals; ValueError with a message otherwise."""
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        value = str(value)
    text = value.strip().removesuffix("%").strip() if isinstance(value, str) else ""
    if DECIMAL_COMMA.fullmatch(text):  # "20,5": the decimal comma of most of Europe
        text = text.replace(",", ".")  # ("1,000" is refused: 1 or a thousand?)
    match = PERCENT.fullmatch(text)
    percent = Decimal(text) if match else None
    if percent is None or percent > HUNDRED:
        raise Invalid("Enter a fee rate from 0 to 100 % with at most two decimals.")
    return percent.quantize(Decimal("0.01"))


def parse_effective_date(value) -> dt.date | None:
    """The date picker's ISO date (None: today); Invalid for anything else."""
    if value in (None, ""):
        return None
    try:
        day = dt.date.fromisoformat(str(value)[:10]) if isinstance(value, str) else None
    except ValueError:
        day = None
    if day is None or day < BEGINNING:
        raise Invalid("Choose the date the new rate applies from.")
    return day


def rate_on(session: Session, organization_id: int, day: dt.date) -> Decimal | None:
    """The rate of the organization's history in effect on ``day``; None before its history."""
    return session.scalar(
        sa.select(FeeRate.rate)
        .where(
            FeeRate.organization_id == organization_id, FeeRate.effective_from <= day
        )
        .order_by(FeeRate.effective_from.desc())
        .limit(1)
    )


def set_fee_rate(
    session: Session,
    scope: Scope,
    percent,
    *,
    effective_from: dt.date | None = None,
    ip_address: str | None = None,
) -> Decimal:
    """Set the organization's fee rate from a percentage, from ``effective_from`` (default
    today) until the next change already in the history; returns the new rate (a fraction).

    Days before ``effective_from`` keep the fee they were charged. Admin only; Invalid on bad
    input. Adds the audit row and expires the organization's cached reads once the caller
    commits. Organization.fee_rate keeps the rate in effect today.
    """
    scope.require("admin")
    new_rate = (parse_fee_percent(percent) / HUNDRED).quantize(Decimal("0.0001"))
    today = dt.date.today()
    start = effective_from or today
    if not isinstance(start, dt.date) or start < BEGINNING:
        raise Invalid("Choose the date the new rate applies from.")
    org = session.get(Organization, scope.organization_id)
    if (
        rate_on(session, org.id, dt.date.max) is None
    ):  # no history yet: the old rate, always
        session.add(
            FeeRate(organization_id=org.id, rate=org.fee_rate, effective_from=BEGINNING)
        )
        session.flush()
    old_rate = Decimal(rate_on(session, org.id, start))
    row = session.scalar(
        sa.select(FeeRate).where(
            FeeRate.organization_id == org.id, FeeRate.effective_from == start
        )
    )
    if row is None:
        session.add(
            FeeRate(
                organization_id=org.id,
                rate=new_rate,
                effective_from=start,
                created_by=scope.user_id,
            )
        )
    else:
        row.rate, row.created_by = new_rate, scope.user_id
    session.flush()
    org.fee_rate = rate_on(session, org.id, today)
    details = {"from": str(old_rate), "to": str(new_rate)}
    if start != today:
        details["effective_from"] = start.isoformat()
    record_event(
        session,
        scope.actor(ip_address),
        "fee_rate_changed",
        target_type="organization",
        target_id=scope.organization_id,
        details=details,
    )
    session.flush()
    invalidate_on_commit(session, scope.organization_id)
    return new_rate


@functools.cache
def time_zone_names() -> tuple[str, ...]:
    """The IANA zone names this machine's zone database knows, sorted (UTC among them)."""
    return tuple(sorted(zoneinfo.available_timezones() | {"UTC"}))


def time_zone_of(session: Session, scope: Scope) -> str:
    """The organization's time zone name (UTC until an admin sets one)."""
    return settings_of(session, scope.organization_id).time_zone or "UTC"


def set_time_zone(
    session: Session, scope: Scope, name, *, ip_address: str | None = None
) -> str:
    """Set the organization's time zone (an IANA name such as "Europe/Berlin"); the name.

    Admin only; Invalid for a name the zone database does not know. Its alert rules are made
    due (their windows are whole local days, which move with the zone) and its report
    subscriptions move to their next slot in the new zone, with the audit row.
    """
    scope.require("admin")
    if not isinstance(name, str) or name.strip() not in time_zone_names():
        raise Invalid("Choose a time zone from the list, such as Europe/Berlin or UTC.")
    name = name.strip()
    row = session.get(OrganizationSettings, scope.organization_id)
    if row is None:
        row = OrganizationSettings(organization_id=scope.organization_id)
        session.add(row)
    old = row.time_zone or "UTC"
    row.time_zone = name
    row.updated_at = dt.datetime.now(dt.UTC)
    session.flush()
    if old != name:
        record_event(
            session,
            scope.actor(ip_address),
            "time_zone_changed",
            target_type="organization",
            target_id=scope.organization_id,
            details={"from": old, "to": name},
        )
        mark_rules_due(session, scope.organization_id)
        reschedule_organization(session, scope.organization_id)
        invalidate_on_commit(session, scope.organization_id)
    return name
