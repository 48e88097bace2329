"""The API's query parameters, validated with data/filters, and frames turned into JSON values."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

import numpy as np
import pandas as pd
from flask import request

from api.schemas import EXTRA_MONEY_COLUMNS
from api.spec import (
    DEFAULT_PAGE_SIZE,
    EARLIEST_DATE,
    LATEST_DATE,
    MAX_PAGE,
    MAX_PAGE_SIZE,
    Endpoint,
)
from data.clock import today
from data.filters import (
    DEFAULT_PRESET,
    CampaignFilters,
    DateRange,
    InvalidFilter,
    parse_campaign_filters,
    parse_date,
    parse_granularity,
    parse_platforms,
    parse_range,
    preset_range,
)
from data.metric_definitions import MONEY_COLUMNS

MONEY = frozenset(MONEY_COLUMNS) | frozenset(EXTRA_MONEY_COLUMNS)
BOUNDS = (dt.date.fromisoformat(EARLIEST_DATE), dt.date.fromisoformat(LATEST_DATE))


def check_known(endpoint: Endpoint) -> None:
    """Refuse a query parameter the endpoint does not take (a typo should not pass silently)."""
    for name in request.args:
        if name not in endpoint.query_params:
            raise InvalidFilter(name[:40], f"Unknown parameter {name[:40]!r}.")


def _text(name: str) -> str | None:
    """One value: repeated parameters are joined with commas (``platform=meta&platform=google``)."""
    values = request.args.getlist(name)
    return ",".join(values) if values else None


def date_range() -> DateRange:
    """``start``/``end``; either may be left out (default: the 30 days ending today)."""
    start, end = _text("start"), _text("end")
    if not start and not end:
        return preset_range(DEFAULT_PRESET, today())
    if not end:
        end = max(parse_date(start, "start"), today()).isoformat()
    if not start:
        start = (parse_date(end, "end") - dt.timedelta(days=29)).isoformat()
    rng = parse_range(start, end)
    for name, day in (("start", rng.start), ("end", rng.end)):
        if not BOUNDS[0] <= day <= BOUNDS[1]:
            raise InvalidFilter(
                name, f"{name}: use a date from {EARLIEST_DATE} to {LATEST_DATE}."
            )
    return rng


def platforms() -> tuple[str, ...]:
    return parse_platforms(_text("platform"))


def granularity() -> str:
    return parse_granularity(_text("granularity"))


def _integer(name: str, default: int, maximum: int) -> int:
    text = _text(name)
    if text is None or text == "":
        return default
    try:
        value = int(text.strip())
    except ValueError:
        raise InvalidFilter(name, f"{name}: expected a whole number.") from None
    if not 1 <= value <= maximum:
        raise InvalidFilter(name, f"{name}: use a number from 1 to {maximum}.")
    return value


def paging() -> tuple[int, int]:
    """(page starting at 1, page size)."""
    return (
        _integer("page", 1, MAX_PAGE),
        _integer("page_size", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE),
    )


def campaign_filters() -> CampaignFilters:
    order = (_text("order") or "desc").lower()
    if order not in ("asc", "desc"):
        raise InvalidFilter("order", "order: use asc or desc.")
    search = _text("search")
    if search and any(ord(ch) < 32 or ord(ch) == 127 for ch in search):
        raise InvalidFilter("search", "search: control characters are not allowed.")
    return parse_campaign_filters(
        search=search,
        statuses=_text("status"),
        platforms=_text("platform"),
        min_spend=_text("min_spend"),
        roas_min=_text("roas_min"),
        roas_max=_text("roas_max"),
        sort_by=_text("sort"),
        descending=order == "desc",
    )


def money_text(value) -> str:
    """Exact decimal text with at least two decimals: "3021.95", "604.39", "0.136974"."""
    whole, _, fraction = format(Decimal(value), "f").partition(".")
    return f"{whole}.{fraction.rstrip('0').ljust(2, '0')}"


def json_value(column: str, value):
    """One cell as JSON: money as text, no value as null, numpy scalars as Python numbers."""
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if column in MONEY:
        return money_text(value)
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, float | np.floating):
        return None if math.isnan(value) else float(value)
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, pd.Timestamp | dt.datetime):
        stamp = pd.Timestamp(value)
        return (stamp if stamp.tzinfo else stamp.tz_localize("UTC")).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def records(frame: pd.DataFrame, columns: list[str]) -> list[dict]:
    """Rows of ``frame`` as JSON objects with exactly ``columns``, in order."""
    return [
        {name: json_value(name, value) for name, value in zip(columns, row)}
        for row in frame[columns].itertuples(index=False, name=None)
    ]


def platform_list(text: str) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()]
