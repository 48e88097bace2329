"""Alert rules: create, edit, snooze, pause and delete (analysts and admins), each in the caller's
transaction with its audit row. What a condition means is data/alerts/conditions.py; when a rule
runs, data/alerts/due.py and the scheduler.

A raw rule (from the page's form or an API body) is parsed by ``parse_rule``: every refusal is an
``InvalidField`` naming its field, and nothing is written.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from sqlalchemy.orm import Session

from data.campaign_rules import InvalidField, clean_text
from data.errors import Conflict, Invalid, NotFound, row_id
from data.models import (
    ALERT_CHANNELS,
    ALERT_CONDITIONS,
    ALERT_TARGETS,
    PLATFORMS,
    AlertRule,
    CampaignDeployment,
    User,
)
from data.scope import Scope
from data.writes.audit import record_event

MAX_RULES = 200  # per organization
MAX_WINDOW_DAYS = 90
MAX_FOR_MINUTES = 7 * 24 * 60
MAX_REMINDER_HOURS = 7 * 24
MAX_SNOOZE = dt.timedelta(days=30)
MAX_THRESHOLD = Decimal(1000000000)
# Conditions whose threshold is a percentage (0-1000 %); the others are ratios or money.
PERCENT_CONDITIONS = ("pacing_above", "revenue_drop")
# Conditions that look back over window_days (the others look at a budget or two days).
WINDOWED_CONDITIONS = ("roas_below", "cpa_above", "zero_conversions")
_NUMBER = re.compile(r"[0-9]{1,10}(\.[0-9]{1,4})?")
NOT_FOUND = "No such alert rule."


@dataclass(frozen=True)
class RuleInput:
    """A rule as stored, after parse_rule."""

    name: str
    condition: str
    target: str
    platform: str | None
    campaign_id: int | None
    threshold: Decimal
    window_days: int
    min_spend: Decimal | None
    for_minutes: int
    reminder_hours: int | None
    channels: tuple[str, ...]
    recipient_ids: tuple[int, ...]


def _choice(field: str, value, allowed: tuple[str, ...], what: str) -> str:
    if not isinstance(value, str) or value not in allowed:
        raise InvalidField(field, f"Choose {what}.")
    return value


def _number(field: str, value, *, required: bool = True) -> Decimal | None:
    """A non-negative number with at most four decimals ("1.5", 1.5, 2)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise InvalidField(field, "Enter a number, e.g. 2.5.")
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        raise InvalidField(field, "Enter a number, e.g. 2.5.")
    text = repr(value) if isinstance(value, float) else str(value).strip()
    if not _NUMBER.fullmatch(text):
        raise InvalidField(
            field, "Enter a number of zero or more with at most four decimals."
        )
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise InvalidField(field, "Enter a number, e.g. 2.5.") from None
    if number > MAX_THRESHOLD:
        raise InvalidField(field, f"At most {MAX_THRESHOLD:,}.")
    return number


def _whole(field: str, value, low: int, high: int, *, required: bool = True):
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise InvalidField(field, f"Enter a whole number from {low} to {high}.")
        return None
    if isinstance(value, bool) or isinstance(value, float) and not value.is_integer():
        raise InvalidField(field, f"Enter a whole number from {low} to {high}.")
    try:
        number = int(str(int(value)) if isinstance(value, float) else str(value))
    except (TypeError, ValueError):
        raise InvalidField(
            field, f"Enter a whole number from {low} to {high}."
        ) from None
    if not low <= number <= high:
        raise InvalidField(field, f"Enter a whole number from {low} to {high}.")
    return number


def _channels(value) -> tuple[str, ...]:
    if not isinstance(value, list | tuple) or not value:
        raise InvalidField("channels", "Choose at least one way to be told.")
    if any(not isinstance(item, str) or item not in ALERT_CHANNELS for item in value):
        raise InvalidField("channels", f"Choose from {', '.join(ALERT_CHANNELS)}.")
    return tuple(channel for channel in ALERT_CHANNELS if channel in value)


def _recipients(session: Session, scope: Scope, value) -> tuple[int, ...]:
    if value is None or value == []:
        return (scope.user_id,) if scope.user_id else ()
    return parse_people(session, scope, value)


def parse_people(session: Session, scope: Scope, value) -> tuple[int, ...]:
    """``recipient_ids``: up to 50 ids of active users of the caller's organization (also
    the report subscriptions' recipients, data/reports/rules.py)."""
    if not isinstance(value, list | tuple) or len(value) > 50:
        raise InvalidField("recipient_ids", "Choose up to 50 people.")
    wanted = set()
    for item in value:
        try:
            wanted.add(row_id(item, "unknown"))
        except NotFound:
            raise InvalidField(
                "recipient_ids", "Choose people of your organization."
            ) from None
    found = set(
        session.scalars(
            sa.select(User.id).where(
                User.id.in_(wanted),
                User.organization_id == scope.organization_id,
                User.is_active.is_(True),
            )
        )
    )
    if found != wanted:
        raise InvalidField(
            "recipient_ids", "Choose active people of your organization."
        )
    return tuple(sorted(found))


def parse_campaign(session: Session, scope: Scope, value) -> int:
    """``campaign_id``: a campaign of the caller's organization, not deleted (also a report
    subscription's, data/reports/rules.py)."""
    try:
        campaign_id = row_id(value, "unknown")
    except NotFound:
        raise InvalidField("campaign_id", "Choose a campaign.") from None
    exists = session.scalar(
        sa.select(CampaignDeployment.id).where(
            CampaignDeployment.id == campaign_id,
            CampaignDeployment.organization_id == scope.organization_id,
            CampaignDeployment.deleted_at.is_(None),
        )
    )
    if exists is None:
        raise InvalidField("campaign_id", "Choose a campaign of your organization.")
    return campaign_id


def parse_rule(session: Session, scope: Scope, raw: dict) -> RuleInput:
    """Validate a raw rule (a form's or a JSON body's values) for the caller's organization."""
    if not isinstance(raw, dict):
        raise Invalid("Send the rule's fields.")
    name = clean_text("name", raw.get("name"), limit=120, required=True)
    condition = _choice(
        "condition", raw.get("condition"), ALERT_CONDITIONS, "a condition"
    )
    target = _choice("target", raw.get("target"), ALERT_TARGETS, "what to watch")
    platform = campaign_id = None
    if target == "platform":
        platform = _choice("platform", raw.get("platform"), PLATFORMS, "a platform")
    elif target == "campaign":
        campaign_id = parse_campaign(session, scope, raw.get("campaign_id"))
    threshold = _number("threshold", raw.get("threshold"))
    if condition in PERCENT_CONDITIONS and threshold > 1000:
        raise InvalidField("threshold", "Enter a percentage from 0 to 1000.")
    window_days = (
        _whole("window_days", raw.get("window_days"), 1, MAX_WINDOW_DAYS)
        if condition in WINDOWED_CONDITIONS
        else 1
    )
    min_spend = None
    if condition == "zero_conversions":
        min_spend = _number("min_spend", raw.get("min_spend"))
    for_minutes = _whole(
        "for_minutes", raw.get("for_minutes", 0) or 0, 0, MAX_FOR_MINUTES
    )
    reminder_hours = _whole(
        "reminder_hours",
        raw.get("reminder_hours"),
        1,
        MAX_REMINDER_HOURS,
        required=False,
    )
    return RuleInput(
        name=name,
        condition=condition,
        target=target,
        platform=platform,
        campaign_id=campaign_id,
        threshold=threshold,
        window_days=window_days,
        min_spend=min_spend,
        for_minutes=for_minutes,
        reminder_hours=reminder_hours,
        channels=_channels(raw.get("channels")),
        recipient_ids=_recipients(session, scope, raw.get("recipient_ids")),
    )


def _columns(data: RuleInput) -> dict:
    return {
        "name": data.name,
        "condition": data.condition,
        "target": data.target,
        "platform": data.platform,
        "campaign_id": data.campaign_id,
        "threshold": data.threshold,
        "window_days": data.window_days,
        "min_spend": data.min_spend,
        "for_minutes": data.for_minutes,
        "reminder_hours": data.reminder_hours,
        "channels": list(data.channels),
        "recipient_ids": list(data.recipient_ids),
    }


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _audit(session, scope, action, rule_id, ip_address, **details) -> None:
    record_event(
        session,
        scope.actor(ip_address),
        action,
        target_type="alert_rule",
        target_id=rule_id,
        details=details,
    )


def load_rule(
    session: Session, scope: Scope, rule_id, *, lock: bool = False
) -> AlertRule:
    """The organization's rule ``rule_id``, or NotFound (another organization's looks absent)."""
    number = row_id(rule_id, NOT_FOUND)
    query = sa.select(AlertRule).where(
        AlertRule.id == number, AlertRule.organization_id == scope.organization_id
    )
    rule = session.scalar(query.with_for_update() if lock else query)
    if rule is None:
        raise NotFound(NOT_FOUND)
    return rule


def _check_version(rule: AlertRule, version) -> None:
    if version is not None and version != rule.version:
        raise Conflict("Someone else changed this rule: reload and try again.")


def create_rule(
    session: Session, scope: Scope, raw: dict, *, ip_address: str | None = None
) -> AlertRule:
    """Add a rule (analyst+), due at once so its state is known within the scheduler's wake-up."""
    scope.require("analyst")
    data = parse_rule(session, scope, raw)
    count = session.scalar(
        sa.select(sa.func.count(AlertRule.id)).where(
            AlertRule.organization_id == scope.organization_id
        )
    )
    if count >= MAX_RULES:
        raise Invalid(f"An organization can have at most {MAX_RULES} alert rules.")
    rule = AlertRule(
        organization_id=scope.organization_id,
        created_by_id=scope.user_id,
        next_due_at=_now(),
        **_columns(data),
    )
    session.add(rule)
    session.flush()
    _audit(session, scope, "alert_rule.create", rule.id, ip_address, name=data.name)
    return rule


def edit_rule(
    session: Session,
    scope: Scope,
    rule_id,
    raw: dict,
    *,
    version: int | None = None,
    ip_address: str | None = None,
) -> AlertRule:
    """Change a rule (analyst+). Its state starts again from "ok": the condition changed, so
    the open episode (if any) is resolved by the next evaluation like any other."""
    scope.require("analyst")
    rule = load_rule(session, scope, rule_id, lock=True)
    _check_version(rule, version)
    data = parse_rule(session, scope, raw)
    for key, value in _columns(data).items():
        setattr(rule, key, value)
    rule.version += 1
    rule.updated_at = _now()
    rule.next_due_at = _now()
    rule.breached_since = None
    session.flush()
    _audit(session, scope, "alert_rule.edit", rule.id, ip_address, name=data.name)
    return rule


def snooze_rule(
    session: Session,
    scope: Scope,
    rule_id,
    until: dt.datetime | None,
    *,
    ip_address: str | None = None,
) -> AlertRule:
    """Snooze a rule until ``until`` (evaluated, but nobody is told), or wake it (None)."""
    scope.require("analyst")
    rule = load_rule(session, scope, rule_id, lock=True)
    now = _now()
    if until is not None:
        if not isinstance(until, dt.datetime) or until.tzinfo is None:
            raise InvalidField("snoozed_until", "Choose when the snooze ends.")
        if not now < until <= now + MAX_SNOOZE:
            raise InvalidField(
                "snoozed_until", "Snooze for up to 30 days, ending in the future."
            )
    rule.snoozed_until = until
    rule.next_due_at = now
    rule.updated_at = now
    rule.version += 1
    session.flush()
    _audit(
        session,
        scope,
        "alert_rule.snooze" if until else "alert_rule.unsnooze",
        rule.id,
        ip_address,
        until=until.isoformat() if until else None,
    )
    return rule


def set_rule_active(
    session: Session,
    scope: Scope,
    rule_id,
    active: bool,
    *,
    ip_address: str | None = None,
) -> AlertRule:
    """Pause (not evaluated at all) or resume a rule."""
    scope.require("analyst")
    rule = load_rule(session, scope, rule_id, lock=True)
    rule.is_active = bool(active)
    rule.next_due_at = _now() if active else None
    rule.updated_at = _now()
    rule.version += 1
    session.flush()
    _audit(
        session,
        scope,
        "alert_rule.resume" if active else "alert_rule.pause",
        rule.id,
        ip_address,
    )
    return rule


def delete_rule(
    session: Session, scope: Scope, rule_id, *, ip_address: str | None = None
) -> None:
    """Delete a rule and its episodes (its notifications stay with their recipients)."""
    scope.require("analyst")
    rule = load_rule(session, scope, rule_id, lock=True)
    _audit(session, scope, "alert_rule.delete", rule.id, ip_address, name=rule.name)
    session.delete(rule)
    session.flush()
