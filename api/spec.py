"""The one description of the JSON API: endpoints and parameters (schemas: api/schemas.py)."""

from __future__ import annotations

from dataclasses import dataclass

from data.filters import GRANULARITIES, MAX_SEARCH_LENGTH, SORTABLE_COLUMNS
from data.models import CAMPAIGN_STATUSES, PLATFORMS

API_PREFIX = "/api/v1"
MAX_PAGE_SIZE = 500
DEFAULT_PAGE_SIZE = 100
MAX_PAGE = 1_000_000
MAX_ID = 2**31 - 1
EARLIEST_DATE, LATEST_DATE = "1970-01-01", "2999-12-31"


def _query(schema: dict, description: str, **extra) -> dict:
    return {"in": "query", "description": description, "schema": schema, **extra}


def amount_query(description: str) -> dict:
    """A query parameter holding an amount or ratio from 0 to 10**12."""
    return _query({"type": "number", "minimum": 0, "maximum": 10**12}, description)


def _list_of(values: tuple[str, ...], description: str) -> dict:
    schema = {"type": "array", "items": {"enum": list(values)}, "uniqueItems": True}
    return _query(schema, description, style="form", explode=False)


PARAMETERS = {
    "start": _query(
        {"type": "string", "format": "date"},
        f"First day of the range (YYYY-MM-DD, {EARLIEST_DATE} to {LATEST_DATE}). "
        "Default: 29 days before `end`.",
    ),
    "end": _query(
        {"type": "string", "format": "date"},
        "Last day of the range, inclusive (YYYY-MM-DD). Default: today. "
        "A range spans at most 731 days.",
    ),
    "platform": _list_of(PLATFORMS, "Comma-separated platforms; empty means all."),
    "granularity": _query(
        {"type": "string", "enum": list(GRANULARITIES), "default": "day"},
        "Trend buckets: days, or Monday-start weeks clipped to the range.",
    ),
    "page": _query(
        {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
        "Page number, starting at 1.",
    ),
    "page_size": _query(
        {
            "type": "integer",
            "minimum": 1,
            "maximum": MAX_PAGE_SIZE,
            "default": DEFAULT_PAGE_SIZE,
        },
        f"Rows per page (at most {MAX_PAGE_SIZE}).",
    ),
    "sort": _query(
        {"type": "string", "enum": list(SORTABLE_COLUMNS), "default": "revenue"},
        "Column to sort by; ties are broken by campaign id.",
    ),
    "order": _query(
        {"type": "string", "enum": ["asc", "desc"], "default": "desc"},
        "Sort direction. Rows with no value for a ratio sort last.",
    ),
    "search": _query(
        {
            "type": "string",
            "maxLength": MAX_SEARCH_LENGTH,
            "pattern": "^[^\\u0000-\\u001f\\u007f]*$",
        },
        "Case-insensitive text contained in the campaign name.",
    ),
    "status": _list_of(CAMPAIGN_STATUSES, "Comma-separated campaign statuses."),
    "min_spend": amount_query(
        "Only campaigns that spent at least this much in the range."
    ),
    "roas_min": amount_query(
        "Only campaigns whose ROAS is at least this (campaigns without spend drop out)."
    ),
    "roas_max": amount_query("Only campaigns whose ROAS is at most this."),
    "campaign_id": {
        "in": "path",
        "required": True,
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
        "description": "A campaign of the caller's organization.",
    },
}

RANGE = ("start", "end", "platform")


def flask_rule(path: str) -> str:
    """An OpenAPI path below API_PREFIX as a Flask rule (ids are whole numbers 1 to MAX_ID)."""
    return path.replace("{campaign_id}", f"<int(min=1, max={MAX_ID}):campaign_id>")


PAGING = ("page", "page_size")


@dataclass(frozen=True)
class Endpoint:
    name: str  # the Flask endpoint and the OpenAPI operationId
    path: str  # OpenAPI form, below API_PREFIX
    summary: str
    params: tuple[str, ...]
    schema: str  # the item schema (lists) or the object schema
    is_list: bool = True
    not_found: bool = False

    @property
    def flask_rule(self) -> str:
        return flask_rule(self.path)

    @property
    def query_params(self) -> tuple[str, ...]:
        return tuple(p for p in self.params if PARAMETERS[p]["in"] == "query")


ENDPOINTS = (
    Endpoint(
        "summary",
        "/summary",
        "KPIs of the range and of the previous period of equal length",
        RANGE,
        "Summary",
        is_list=False,
    ),
    Endpoint(
        "revenue_trend",
        "/revenue-trend",
        "Revenue, spend, profit and every metric per day or week",
        (*RANGE, "granularity", *PAGING),
        "TrendRow",
    ),
    Endpoint(
        "platforms",
        "/platforms",
        "Metrics per ad platform",
        (*RANGE, *PAGING),
        "PlatformRow",
    ),
    Endpoint(
        "campaigns",
        "/campaigns",
        "Campaigns with their metrics for the range: filtered, sorted and paged",
        (
            *RANGE,
            *PAGING,
            "sort",
            "order",
            "search",
            "status",
            "min_spend",
            "roas_min",
            "roas_max",
        ),
        "CampaignRow",
    ),
    Endpoint(
        "campaign",
        "/campaigns/{campaign_id}",
        "One campaign: its record, totals and platform deployments for the range",
        ("campaign_id", *RANGE),
        "Campaign",
        is_list=False,
        not_found=True,
    ),
    Endpoint(
        "campaign_metrics",
        "/campaigns/{campaign_id}/metrics",
        "A campaign's daily metrics per platform",
        ("campaign_id", *RANGE, *PAGING),
        "DailyRow",
        not_found=True,
    ),
    Endpoint(
        "campaign_variants",
        "/campaigns/{campaign_id}/variants",
        "A/B comparison of a campaign's ad-copy variants (Wilson 95 % intervals, z-test)",
        ("campaign_id", "start", "end", *PAGING),
        "VariantRow",
        not_found=True,
    ),
    Endpoint(
        "ltv",
        "/ltv",
        "The newest LTV prediction per acquisition campaign",
        PAGING,
        "LtvRow",
    ),
    Endpoint(
        "ltv_campaigns",
        "/ltv/campaigns",
        "LTV, CAC, LTV:CAC and payback per acquisition campaign for the range (the /ltv page's "
        "table; cohorts too young to judge count in customers and spend only)",
        (*RANGE, *PAGING),
        "LtvCampaignRow",
    ),
    Endpoint(
        "ltv_cohorts",
        "/ltv/cohorts",
        "LTV, CAC, LTV:CAC and payback per monthly acquisition cohort for the range (the /ltv "
        "page's table; too_young marks cohorts with fewer than 3 months of value)",
        (*RANGE, *PAGING),
        "LtvCohortRow",
    ),
)
ENDPOINTS_BY_NAME = {endpoint.name: endpoint for endpoint in ENDPOINTS}
