"""Organization settings: the performance-fee rate, changed by admins with an audit row."""

from __future__ import annotations

import re
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from data.cache import invalidate_on_commit
from data.errors import Invalid
from data.models import Organization
from data.scope import Scope
from data.writes.audit import record_event

HUNDRED = Decimal(100)
# ASCII digits only (Decimal would also take "２０", "1e1", "NaN"); trailing zeros are fine.
PERCENT = re.compile(r"[0-9]{1,3}(\.[0-9]{1,2}0*)?")


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
    match = PERCENT.fullmatch(text)
    percent = Decimal(text) if match else None
    if percent is None or percent > HUNDRED:
        raise Invalid("Enter a fee rate from 0 to 100 % with at most two decimals.")
    return percent.quantize(Decimal("0.01"))


def set_fee_rate(
    session: Session, scope: Scope, percent, *, ip_address: str | None = None
) -> Decimal:
    """Set the organization's fee rate from a percentage; returns the new rate (a fraction).

    Admin only; ValueError on bad input. Adds the audit row and expires the organization's
    cached reads once the caller commits.
    """
    scope.require("admin")
    new_rate = (parse_fee_percent(percent) / HUNDRED).quantize(Decimal("0.0001"))
    org = session.get(Organization, scope.organization_id)
    old_rate = Decimal(org.fee_rate)
    org.fee_rate = new_rate
    record_event(
        session,
        scope.actor(ip_address),
        "fee_rate_changed",
        target_type="organization",
        target_id=scope.organization_id,
        details={"from": str(old_rate), "to": str(new_rate)},
    )
    session.flush()
    invalidate_on_commit(session, scope.organization_id)
    return new_rate
