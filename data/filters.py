"""Validated filters shared by pages, exports and the API; parsing raises ValueError with a clear message."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation

from data.errors import Invalid
from data.models import CAMPAIGN_STATUSES, PLATFORMS

MAX_RANGE_DAYS = 731
MAX_SEARCH_LENGTH = 100
# Bounded so the previous period and week arithmetic never leave the calendar.
MIN_DATE, MAX_DATE = dt.date(1970, 1, 1), dt.date(2999, 12, 31)
GRANULARITIES = ("day", "week")
SORTABLE_COLUMNS = (
    "name",
    "status",
    "budget_daily",
    "impressions",
    "clicks",
    "conversions",
    "spend",
    "revenue",
    "profit",
    "fee",
    "roas",
    "roi",
    "cpa",
    "cpc",
    "cpm",
    "ctr",
    "cvr",
)


class InvalidFilter(Invalid):
    """A filter value was rejected; ``param`` names the offending parameter."""

    def __init__(self, param: str, message: str) -> None:
        super().__init__(message)
        self.param = param
        self.message = message


@dataclass(frozen=True)
class DateRange:
    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> DateRange:
        """The period of equal length that ends the day before this one starts."""
        end = self.start - dt.timedelta(days=1)
        return DateRange(end - dt.timedelta(days=self.days - 1), end)


@dataclass(frozen=True)
class CampaignFilters:
    search: str = ""
    statuses: tuple[str, ...] = ()
    platforms: tuple[str, ...] = ()
    min_spend: Decimal | None = None
    roas_min: float | None = None
    roas_max: float | None = None
    sort_by: str = "revenue"
    descending: bool = True
    extra: dict = field(default_factory=dict, compare=False)

    def with_sort(self, sort_by: str, descending: bool) -> CampaignFilters:
        return replace(self, sort_by=parse_sort(sort_by), descending=descending)


def parse_date(value, param: str) -> dt.date:
    """A date from a ``date`` or ISO ``YYYY-MM-DD`` text."""
    if isinstance(value, dt.date):
        return value
    text = str(value or "")
    try:
        if len(text) == 10:
            day = dt.date.fromisoformat(text)
            if MIN_DATE <= day <= MAX_DATE:
                return day
    except ValueError:
        pass
    raise InvalidFilter(
        param, f"{param}: expected a date as YYYY-MM-DD between 1970 and 2999."
    )


def parse_range(start, end) -> DateRange:
    """Validate a start/end pair: both dates, start <= end, at most MAX_RANGE_DAYS long."""
    rng = DateRange(parse_date(start, "start"), parse_date(end, "end"))
    if rng.start > rng.end:
        raise InvalidFilter("end", "The end date is before the start date.")
    if rng.days > MAX_RANGE_DAYS:
        raise InvalidFilter("start", f"A range can span at most {MAX_RANGE_DAYS} days.")
    return rng


def _choices(
    values, allowed: tuple[str, ...], param: str, hint: str
) -> tuple[str, ...]:
    """Distinct lower-cased choices from a list or comma-separated text, all in ``allowed``."""
    if values is None or values == "":
        return ()
    if isinstance(values, str):
        values = values.split(",")
    if not isinstance(values, (list, tuple)) or not all(
        isinstance(v, str) for v in values
    ):
        raise InvalidFilter(param, f"{param}: expected a list of names.")
    cleaned = tuple(
        dict.fromkeys(str(v).strip().lower() for v in values if str(v).strip())
    )
    unknown = [v for v in cleaned if v not in allowed]
    if unknown:
        raise InvalidFilter(param, f"Unknown {param}: {unknown[0][:20]!r}{hint}.")
    return cleaned


def parse_platforms(values) -> tuple[str, ...]:
    """Platforms from a list or comma-separated text; empty (or all three) means all."""
    cleaned = _choices(values, PLATFORMS, "platform", " (use meta, google or tiktok)")
    return () if set(cleaned) == set(PLATFORMS) else cleaned


def parse_statuses(values) -> tuple[str, ...]:
    """Campaign statuses from a list or comma-separated text; empty means any."""
    return _choices(values, CAMPAIGN_STATUSES, "status", "")


def parse_granularity(value) -> str:
    value = value or "day"
    if not isinstance(value, str) or value.lower() not in GRANULARITIES:
        raise InvalidFilter("granularity", "granularity: use day or week.")
    return value.lower()


def parse_sort(value) -> str:
    value = value or "revenue"
    if not isinstance(value, str) or value not in SORTABLE_COLUMNS:
        raise InvalidFilter("sort", f"Cannot sort by {str(value)[:30]!r}.")
    return value


def parse_search(value) -> str:
    if value is not None and not isinstance(value, str):
        raise InvalidFilter("search", "The search text must be text.")
    value = (value or "").strip()
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        raise InvalidFilter(
            "search", "The search text cannot contain control characters."
        )
    if len(value) > MAX_SEARCH_LENGTH:
        raise InvalidFilter(
            "search", f"The search text can be at most {MAX_SEARCH_LENGTH} characters."
        )
    return value


MAX_AMOUNT = 10**12


def parse_finite(value, param: str) -> Decimal:
    """A finite number from text or a JSON number, parsed exactly.

    Strict: no NaN, sNaN or infinity (Decimal('sNaN') raises on comparison), no bools, no
    exponents beyond what a real amount needs (1e999999999 is refused, not expanded).
    """
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise InvalidFilter(param, f"{param}: expected a number.")
    try:
        number = Decimal(value.strip() if isinstance(value, str) else value)
    except (InvalidOperation, ValueError):
        raise InvalidFilter(param, f"{param}: expected a number.") from None
    if not number.is_finite():
        raise InvalidFilter(param, f"{param}: expected a finite number.")
    if number and not -15 <= number.adjusted() <= 15:
        raise InvalidFilter(param, f"{param}: the number is too large or too small.")
    return number if number else Decimal(0)  # not 0E-99999999


def parse_non_negative(value, param: str, kind=float):
    """None for no value; else a finite number from 0 to 10**12 (as ``kind``: float or Decimal)."""
    if value is None or value == "":
        return None
    number = parse_finite(value, param)
    if number < 0 or number > MAX_AMOUNT:
        raise InvalidFilter(param, f"{param}: expected a number of 0 or more.")
    return number if kind is Decimal else kind(number)


def parse_campaign_filters(
    search=None,
    statuses=None,
    platforms=None,
    min_spend=None,
    roas_min=None,
    roas_max=None,
    sort_by=None,
    descending=True,
) -> CampaignFilters:
    """Validate every campaign-list filter at once."""
    filters = CampaignFilters(
        search=parse_search(search),
        statuses=parse_statuses(statuses),
        platforms=parse_platforms(platforms),
        min_spend=parse_non_negative(min_spend, "min_spend", Decimal),
        roas_min=parse_non_negative(roas_min, "roas_min"),
        roas_max=parse_non_negative(roas_max, "roas_max"),
        sort_by=parse_sort(sort_by),
        descending=bool(descending),
    )
    if (
        filters.roas_min is not None
        and filters.roas_max is not None
        and filters.roas_min > filters.roas_max
    ):
        raise InvalidFilter("roas_max", "The ROAS maximum is below the minimum.")
    return filters


def campaign_filters_from(args) -> CampaignFilters:
    """The campaign list's filters from its query parameters (a mapping with ``.get``)."""
    return parse_campaign_filters(
        search=args.get("search"),
        statuses=args.get("status"),
        platforms=args.get("platform"),
        min_spend=args.get("min_spend"),
        roas_min=args.get("roas_min"),
        roas_max=args.get("roas_max"),
        sort_by=args.get("sort"),
        descending=args.get("desc", "1") != "0",
    )


def campaign_list_filters(args) -> tuple[DateRange, CampaignFilters]:
    """(range, CampaignFilters) from the list's query parameters (raises InvalidFilter)."""
    return parse_range(args.get("start"), args.get("end")), campaign_filters_from(args)


PRESETS = {
    "last_7": "Last 7 days",
    "last_30": "Last 30 days",
    "last_90": "Last 90 days",
    "month_to_date": "Month to date",
    "previous_month": "Previous month",
    "custom": "Custom",
}
DEFAULT_PRESET = "last_30"


def preset_range(name: str, today: dt.date) -> DateRange:
    """The range a preset names, ending today (inclusive) for the rolling ones."""
    if name in ("last_7", "last_30", "last_90"):
        days = int(name.split("_")[1])
        return DateRange(today - dt.timedelta(days=days - 1), today)
    if name == "month_to_date":
        return DateRange(today.replace(day=1), today)
    if name == "previous_month":
        end = today.replace(day=1) - dt.timedelta(days=1)
        return DateRange(end.replace(day=1), end)
    raise InvalidFilter("preset", f"Unknown date preset {str(name)[:20]!r}.")


def matching_preset(rng: DateRange, today: dt.date) -> str:
    """The preset that names exactly ``rng`` today, or "custom"."""
    for name in PRESETS:
        if name != "custom" and preset_range(name, today) == rng:
            return name
    return "custom"


def resolve_preset_change(
    preset: str, start, end, preset_changed: bool, today: dt.date
) -> tuple[str | None, str | None, str | None]:
    """What a date-range control pair should show after a change: (start, end, preset).

    Choosing a preset sets the dates; editing the dates selects the matching preset or "custom".
    None means "leave as it is".
    """
    # A preset is a key: anything else (a list, a dict) is no preset at all.
    known = isinstance(preset, str) and preset in PRESETS
    if preset_changed and known and preset != "custom":
        rng = preset_range(preset, today)
        return rng.start.isoformat(), rng.end.isoformat(), None
    try:
        return None, None, matching_preset(parse_range(start, end), today)
    except InvalidFilter:
        return None, None, "custom"
