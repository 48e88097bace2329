"""The API's numbers are the pages' numbers: the golden figures, and the repository's frames."""

from __future__ import annotations

import csv
import io
import math
from decimal import Decimal

import pandas as pd
import pytest

from data.db import get_database
from data.filters import CampaignFilters, parse_range
from data.reads.ab_variants import variant_comparison
from data.reads.campaign_detail import (
    campaign_daily,
    campaign_deployments,
    campaign_info,
)
from data.reads.campaign_list import CAMPAIGN_COLUMNS, campaign_list
from data.reads.ltv import latest_ltv
from data.scope import Scope
from tests.api.conftest import bearer
from tests.golden import expected_cases

CASES = expected_cases()
MONEY = {"spend", "revenue", "profit", "fee", "budget_daily"}
MONEY |= {"predicted_ltv", "acquisition_cost", "judged_spend"}
COUNTS = {"impressions", "clicks", "conversions"}
RATIOS = {"roas", "roi", "cpa", "cpc", "cpm", "ctr", "cvr"}


def _case_id(case: dict) -> str:
    return f"{case['organization_slug']}-{case['start']}-{case['end']}"


def assert_same(actual, expected, where: str) -> None:
    """One value from the API against one from the golden file or a frame."""
    if expected is None or (isinstance(expected, float) and math.isnan(expected)):
        assert actual is None, f"{where}: expected no value, got {actual!r}"
    elif isinstance(expected, float):
        assert isinstance(actual, int | float), f"{where}: {actual!r} is not a number"
        assert math.isclose(actual, expected, rel_tol=1e-12, abs_tol=1e-12), where
    elif hasattr(expected, "isoformat"):
        stamp, want = pd.Timestamp(actual), pd.Timestamp(expected)
        if type(expected).__name__ == "date":
            assert len(actual) == 10, f"{where}: {actual!r} is not a date"
        elif want.tzinfo is None:  # SQLite hands back naive UTC
            want = want.tz_localize("UTC")
        assert stamp == want, f"{where}: {actual!r} != {expected!r}"
    else:
        assert actual == expected, f"{where}: {actual!r} != {expected!r}"


def assert_figures(row: dict, expected: dict, where: str) -> None:
    """Money as exact text (compared as decimals), counts as integers, ratios as floats or null."""
    for name in MONEY & set(expected):
        assert isinstance(row[name], str), f"{where}: {name} must be text"
        assert Decimal(row[name]) == Decimal(str(expected[name])), f"{where}: {name}"
    for name in COUNTS & set(expected):
        assert row[name] == int(expected[name]), f"{where}: {name}"
    for name in RATIOS & set(expected):
        assert_same(row[name], expected[name], f"{where}: {name}")


def assert_frame(rows: list[dict], frame: pd.DataFrame, where: str) -> None:
    """API rows equal the repository's frame, row by row and column by column."""
    assert len(rows) == len(frame), where
    for index, (row, (_, expected)) in enumerate(zip(rows, frame.iterrows())):
        for name in row:
            value = expected[name]
            if name in MONEY:
                assert Decimal(row[name]) == Decimal(value), f"{where}[{index}].{name}"
            elif isinstance(value, Decimal):
                assert math.isclose(row[name], float(value)), f"{where}[{index}].{name}"
            else:
                assert_same(row[name], value, f"{where}[{index}].{name}")


def read_frame(app, function, *args):
    """Call a repository read in the app's database, as a page's callback would."""
    with app.server.app_context(), get_database().session_scope() as session:
        return function(session, *args)


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_summary_equals_the_golden_figures(api, token_for, case):
    headers = bearer(token_for(case["organization_slug"], "viewer"))
    response = api.get(
        f"/api/v1/summary?start={case['start']}&end={case['end']}", headers=headers
    )
    assert response.status_code == 200, response.json
    data = response.json["data"]
    assert_figures(data["current"], case["summary"], "current")
    previous = case["previous_period"]
    assert (data["previous"]["start"], data["previous"]["end"]) == (
        previous["start"],
        previous["end"],
    )
    assert_figures(data["previous"], previous["summary"], "previous")
    assert data["current"]["campaigns_total"] == case["campaigns_total"]
    assert data["current"]["campaigns_active"] == case["campaigns_active"]


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_platform_breakdown_equals_the_golden_figures(api, token_for, case):
    headers = bearer(token_for(case["organization_slug"], "viewer"))
    response = api.get(
        f"/api/v1/platforms?start={case['start']}&end={case['end']}", headers=headers
    )
    rows = {row["platform"]: row for row in response.json["data"]}
    assert sorted(rows) == sorted(case["by_platform"])
    for platform, expected in case["by_platform"].items():
        assert_figures(rows[platform], expected, platform)


@pytest.mark.parametrize("granularity", ["day", "week"])
@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_revenue_trend_equals_the_golden_figures(api, token_for, case, granularity):
    headers = bearer(token_for(case["organization_slug"], "viewer"))
    response = api.get(
        f"/api/v1/revenue-trend?start={case['start']}&end={case['end']}"
        f"&granularity={granularity}",
        headers=headers,
    )
    expected = case["daily" if granularity == "day" else "weekly"]
    rows = response.json["data"]
    assert [row["bucket"] for row in rows] == list(expected)
    assert response.json["total"] == len(expected)
    for row in rows:
        assert_figures(row, expected[row["bucket"]], f"{granularity} {row['bucket']}")


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_campaign_list_and_each_campaign_equal_the_golden_figures(
    api, token_for, world, case
):
    headers = bearer(token_for(case["organization_slug"], "viewer"))
    query = f"start={case['start']}&end={case['end']}"
    response = api.get(f"/api/v1/campaigns?{query}", headers=headers)
    golden_ids = {db_id: golden_id for golden_id, db_id in world["campaigns"].items()}
    rows = response.json["data"]
    assert response.json["total"] == len(case["by_campaign"])
    assert sorted(golden_ids[row["campaign_id"]] for row in rows) == sorted(
        case["by_campaign"]
    )
    for row in rows:
        expected = case["by_campaign"][golden_ids[row["campaign_id"]]]
        assert_figures(row, expected, row["name"])
        one = api.get(
            f"/api/v1/campaigns/{row['campaign_id']}?{query}", headers=headers
        )
        assert one.status_code == 200
        assert one.json["data"]["name"] == row["name"]
        assert_figures(one.json["data"]["totals"], expected, f"detail {row['name']}")


def test_platform_filter_narrows_the_summary_to_that_platform(api, token_for):
    case = CASES[0]
    headers = bearer(token_for(case["organization_slug"], "analyst"))
    response = api.get(
        f"/api/v1/summary?start={case['start']}&end={case['end']}&platform=google",
        headers=headers,
    )
    assert_figures(
        response.json["data"]["current"], case["by_platform"]["google"], "google"
    )
    assert response.json["filters"]["platform"] == ["google"]


FILTERED_QUERIES = [
    {"sort": "name", "order": "asc"},
    {"sort": "roas", "order": "desc", "page_size": "2", "page": "2"},
    {"status": "active,paused", "min_spend": "100"},
    {"platform": "tiktok", "roas_max": "5"},
    {"search": "tent"},
    {"roas_min": "0.5", "sort": "cpa", "order": "asc"},
]


@pytest.mark.parametrize("query", FILTERED_QUERIES, ids=lambda q: "&".join(q))
def test_filtered_sorted_paged_list_equals_the_campaigns_page_read(
    app, api, token_for, world, query
):
    """The same filters through the API and through campaign_list (the campaigns page's read)."""
    params = {"start": "2026-10-05", "end": "2026-11-01", **query}
    response = api.get(
        "/api/v1/campaigns",
        query_string=params,
        headers=bearer(token_for("acme", "viewer")),
    )
    assert response.status_code == 200, response.json
    filters = CampaignFilters(
        search=query.get("search", ""),
        statuses=tuple(query.get("status", "").split(",")) if "status" in query else (),
        platforms=(query["platform"],) if "platform" in query else (),
        min_spend=Decimal(query["min_spend"]) if "min_spend" in query else None,
        roas_min=float(query["roas_min"]) if "roas_min" in query else None,
        roas_max=float(query["roas_max"]) if "roas_max" in query else None,
        sort_by=query.get("sort", "revenue"),
        descending=query.get("order", "desc") == "desc",
    )
    size = int(query.get("page_size", 100))
    frame, total = read_frame(
        app,
        campaign_list,
        Scope(world["orgs"]["acme"], "viewer"),
        parse_range(params["start"], params["end"]),
        filters,
        int(query.get("page", 1)) - 1,
        size,
    )
    assert response.json["total"] == total
    rows = response.json["data"]
    assert [row["campaign_id"] for row in rows] == list(frame["campaign_id"])
    for row in rows:
        row["platforms"] = ", ".join(row["platforms"])
    assert_frame(rows, frame[CAMPAIGN_COLUMNS], "campaigns")


def test_pages_of_a_list_join_into_the_whole_list_in_a_stable_order(api, token_for):
    headers = bearer(token_for("acme", "viewer"))
    base = "/api/v1/campaigns?start=2026-10-05&end=2026-11-01&sort=status&order=asc"
    whole = api.get(base, headers=headers).json["data"]
    pieces = []
    for page in (1, 2, 3):
        body = api.get(f"{base}&page={page}&page_size=2", headers=headers).json
        pieces += body["data"]
        assert body["total"] == len(whole)
    assert [r["campaign_id"] for r in pieces] == [r["campaign_id"] for r in whole]


def test_campaign_detail_endpoints_equal_the_detail_page_reads(app, api, lab):
    """One campaign, its daily metrics, its variants and LTV: the same frames the detail page shows."""
    headers = bearer(lab["token"])
    scope = Scope(lab["org"], "analyst")
    campaign_id = lab["campaigns"][0]
    query = "start=2026-10-19&end=2026-11-01"
    rng = parse_range("2026-10-19", "2026-11-01")

    one = api.get(f"/api/v1/campaigns/{campaign_id}?{query}", headers=headers).json
    info = read_frame(app, campaign_info, scope, campaign_id)
    assert one["data"]["name"] == info.loc[0, "name"] == "Lab Split Test"
    assert Decimal(one["data"]["budget_daily"]) == info.loc[0, "budget_daily"]
    deployments = read_frame(app, campaign_deployments, scope, campaign_id, rng)
    assert_frame(one["data"]["deployments"], deployments, "deployments")
    assert one["data"]["platforms"] == ["meta", "google"]
    assert Decimal(one["data"]["totals"]["spend"]) == sum(deployments["spend"])

    daily = api.get(
        f"/api/v1/campaigns/{campaign_id}/metrics?{query}&page_size=500",
        headers=headers,
    ).json
    frame = read_frame(app, campaign_daily, scope, campaign_id, rng)
    assert daily["total"] == len(frame) == 28
    assert_frame(daily["data"], frame, "daily")

    variants = api.get(
        f"/api/v1/campaigns/{campaign_id}/variants?{query}", headers=headers
    ).json
    frame = read_frame(app, variant_comparison, scope, campaign_id, rng)
    assert [row["variant_label"] for row in variants["data"]] == ["A", "B"]
    assert variants["data"][0]["verdict"] == "control"
    assert_frame(variants["data"], frame, "variants")

    ltv = api.get("/api/v1/ltv", headers=headers).json
    frame = read_frame(app, latest_ltv, scope)
    assert [row["model_version"] for row in ltv["data"]] == ["v2", "v2"]
    assert_frame(ltv["data"], frame, "ltv")


def test_money_keeps_every_decimal_of_the_exact_fee(api, lab):
    """The lab's fee rate has four decimals: the fee text carries all of its digits."""
    body = api.get(
        "/api/v1/platforms?start=2026-10-19&end=2026-11-01&platform=meta",
        headers=bearer(lab["token"]),
    ).json
    row = body["data"][0]
    assert Decimal(row["fee"]) == Decimal(row["revenue"]) * Decimal("0.1250")
    assert row["revenue"].split(".")[1].__len__() == 2


def test_csv_of_the_campaign_list_holds_every_matching_row(api, token_for):
    headers = bearer(token_for("acme", "analyst"))
    query = "/api/v1/campaigns?start=2026-10-05&end=2026-11-01&page_size=1"
    json_rows = api.get(query.replace("page_size=1", "page_size=100"), headers=headers)
    response = api.get(query, headers={**headers, "Accept": "text/csv"})
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    table = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(table) == json_rows.json["total"] == 4  # all rows, paging ignored
    for line, row in zip(table, json_rows.json["data"]):
        assert int(line["campaign_id"]) == row["campaign_id"]
        assert Decimal(line["revenue"]) == Decimal(row["revenue"])
        assert (line["roas"] == "") == (row["roas"] is None)
