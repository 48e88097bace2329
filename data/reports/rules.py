"""A report subscription's input, validated: every refusal is an InvalidField naming its field,
and the view's filters are stored as query parameters with relative ranges kept relative."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from data.campaign_rules import InvalidField, clean_text
from data.errors import Invalid
from data.filters import (
    PRESETS,
    InvalidFilter,
    campaign_filters_from,
    parse_granularity,
    parse_platforms,
    parse_range,
    preset_range,
)
from data.models import (
    LAST_DAY,
    REPORT_FREQUENCIES,
    REPORT_VIEWS,
)
from data.reports.schedule import Schedule
from data.scope import Scope
from data.writes.alert_rules import parse_campaign, parse_people

WEEKDAYS = (
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
)
# The campaign list's filters a subscription keeps (the /export/campaigns.pdf parameters).
LIST_FILTERS = ("status", "search", "min_spend", "roas_min", "roas_max", "sort", "desc")


@dataclass(frozen=True)
class SubscriptionInput:
    name: str
    view: str
    campaign_id: int | None
    params: dict
    schedule: Schedule
    include_csv: bool
    recipient_ids: tuple[int, ...]


def _whole(field: str, value, low: int, high: int) -> int:
    message = f"Enter a whole number from {low} to {high}."
    if isinstance(value, bool) or value is None or value == "":
        raise InvalidField(field, message)
    if isinstance(value, float) and not value.is_integer():
        raise InvalidField(field, message)
    try:
        number = int(value) if isinstance(value, int | float) else int(str(value))
    except (TypeError, ValueError):
        raise InvalidField(field, message) from None
    if not low <= number <= high:
        raise InvalidField(field, message)
    return number


def parse_schedule(raw: dict) -> Schedule:
    frequency = raw.get("frequency")
    if not isinstance(frequency, str) or frequency not in REPORT_FREQUENCIES:
        raise InvalidField("frequency", "Choose daily, weekly or monthly.")
    hour = _whole("hour", raw.get("hour"), 0, 23)
    weekday = month_day = None
    if frequency == "weekly":
        weekday = _whole("weekday", raw.get("weekday"), 0, 6)
    elif frequency == "monthly":
        day = raw.get("month_day")
        if day in ("last", LAST_DAY, str(LAST_DAY)):
            month_day = LAST_DAY
        else:
            try:
                month_day = _whole("month_day", day, 1, 28)
            except InvalidField:
                raise InvalidField(
                    "month_day", "Choose a day from 1 to 28, or the last day."
                ) from None
    return Schedule(frequency, hour, weekday, month_day)


def _range_params(raw: dict) -> dict:
    preset = raw.get("range") or "last_7"
    if not isinstance(preset, str) or preset not in PRESETS:
        raise InvalidField("range", "Choose a period.")
    if preset != "custom":
        return {"range": preset}
    try:
        rng = parse_range(raw.get("start"), raw.get("end"))
    except InvalidFilter as exc:
        raise InvalidField("range", exc.message) from None
    return {"start": rng.start.isoformat(), "end": rng.end.isoformat()}


def _filter_params(view: str, raw: dict) -> dict:
    """The view's own filters as the export route's query parameters (validated)."""
    params: dict = {}
    try:
        if view in ("overview", "campaigns"):
            platforms = parse_platforms(raw.get("platform"))
            if platforms:
                params["platform"] = ",".join(platforms)
        if view == "overview":
            params["granularity"] = parse_granularity(raw.get("granularity"))
        if view == "campaigns":
            extra = raw.get("filters") or {}
            if not isinstance(extra, dict):
                raise InvalidField("filters", "The list's filters are not readable.")
            kept = {
                k: str(v)[:200]
                for k, v in extra.items()
                if k in LIST_FILTERS and v not in (None, "")
            }
            campaign_filters_from({**kept, "platform": params.get("platform")})
            params.update(kept)
    except InvalidFilter as exc:
        raise InvalidField("filters", exc.message) from None
    return params


def parse_recipients(session: Session, scope: Scope, value) -> tuple[int, ...]:
    """Active users of the caller's organization: at least one (at most 50)."""
    if not isinstance(value, list | tuple) or not value:
        raise InvalidField("recipient_ids", "Choose at least one person.")
    return parse_people(session, scope, value)


def parse_subscription(session: Session, scope: Scope, raw: dict) -> SubscriptionInput:
    """Validate a raw subscription (the page's form values) for the caller's organization."""
    if not isinstance(raw, dict):
        raise Invalid("Send the subscription's fields.")
    name = clean_text("name", raw.get("name"), limit=120, required=True)
    view = raw.get("view")
    if not isinstance(view, str) or view not in REPORT_VIEWS:
        raise InvalidField(
            "view", "Choose the overview, the campaign list or a campaign."
        )
    campaign_id = (
        parse_campaign(session, scope, raw.get("campaign_id"))
        if view == "campaign"
        else None
    )
    params = {**_range_params(raw), **_filter_params(view, raw)}
    return SubscriptionInput(
        name=name,
        view=view,
        campaign_id=campaign_id,
        params=params,
        schedule=parse_schedule(raw),
        include_csv=raw.get("include_csv") in (True, "1", "true", "on", ["on"], [True]),
        recipient_ids=parse_recipients(session, scope, raw.get("recipient_ids")),
    )


def resolved_params(params: dict, today: dt.date) -> dict:
    """The export route's query parameters for ``params`` on ``today`` (the organization's
    day): a relative range becomes the dates it names today; the rest is kept."""
    query = {k: str(v) for k, v in params.items() if k != "range"}
    if "range" in params:
        rng = preset_range(params["range"], today)
        query["start"], query["end"] = rng.start.isoformat(), rng.end.isoformat()
    return query


def schedule_words(frequency: str, hour: int, weekday, month_day) -> str:
    """ "Every Monday at 09:00", "Daily at 07:00", "Monthly on the last day at 06:00"."""
    at = f"at {hour:02d}:00"
    if frequency == "weekly" and weekday is not None:
        return f"Every {WEEKDAYS[int(weekday)]} {at}"
    if frequency == "monthly":
        day = "the last day" if month_day == LAST_DAY else f"day {month_day}"
        return f"Monthly on {day} {at}"
    return f"Daily {at}"
