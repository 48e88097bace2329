"""The repository reproduces the golden figures (computed independently) exactly, on both databases."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest

from data.filters import CampaignFilters, parse_range
from data.metric_definitions import MONEY_COLUMNS, RATIO_COLUMNS
from data.reads.campaign_list import campaign_list
from data.reads.overview import kpi_summary, platform_breakdown, revenue_trend
from data.scope import Scope
from tests.golden import expected_cases

CASES = expected_cases()
COUNT_COLUMNS = ["impressions", "clicks", "conversions"]


def assert_figures(actual, expected: dict, where: str) -> None:
    for name in MONEY_COLUMNS:
        assert Decimal(actual[name]) == Decimal(expected[name]), f"{where}: {name}"
    for name in COUNT_COLUMNS:
        assert int(actual[name]) == expected[name], f"{where}: {name}"
    for name in RATIO_COLUMNS:
        value, want = actual[name], expected[name]
        if want is None:
            assert value is None or math.isnan(value), (
                f"{where}: {name} should have no value, got {value}"
            )
        else:
            assert math.isclose(value, want, rel_tol=1e-9, abs_tol=1e-9), (
                f"{where}: {name} {value} != {want}"
            )


def _case_id(case: dict) -> str:
    return f"{case['organization_slug']}-{case['start']}-{case['end']}"


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_kpi_summary_matches_golden(session, golden, case):
    scope = Scope(golden["orgs"][case["organization_slug"]], "viewer")
    frame = kpi_summary(
        session, scope, parse_range(case["start"], case["end"])
    ).set_index("period")
    assert_figures(frame.loc["current"], case["summary"], "current")
    previous = case["previous_period"]
    assert frame.loc["previous", "start"].isoformat() == previous["start"]
    assert frame.loc["previous", "end"].isoformat() == previous["end"]
    assert_figures(frame.loc["previous"], previous["summary"], "previous")
    assert frame.loc["current", "campaigns_total"] == case["campaigns_total"]
    assert frame.loc["current", "campaigns_active"] == case["campaigns_active"]


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_platform_breakdown_matches_golden(session, golden, case):
    scope = Scope(golden["orgs"][case["organization_slug"]], "viewer")
    frame = platform_breakdown(
        session, scope, parse_range(case["start"], case["end"])
    ).set_index("platform")
    assert sorted(frame.index) == sorted(case["by_platform"])
    for platform, expected in case["by_platform"].items():
        assert_figures(frame.loc[platform], expected, platform)


@pytest.mark.parametrize("granularity", ["day", "week"])
@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_revenue_trend_matches_golden(session, golden, case, granularity):
    scope = Scope(golden["orgs"][case["organization_slug"]], "viewer")
    frame = revenue_trend(
        session, scope, parse_range(case["start"], case["end"]), granularity
    )
    expected = case["daily" if granularity == "day" else "weekly"]
    assert [d.isoformat() for d in frame["bucket"]] == list(expected)
    for _, row in frame.iterrows():
        assert_figures(
            row, expected[row["bucket"].isoformat()], f"{granularity} {row['bucket']}"
        )


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_campaign_list_matches_golden(session, golden, case):
    scope = Scope(golden["orgs"][case["organization_slug"]], "viewer")
    frame, total = campaign_list(
        session,
        scope,
        parse_range(case["start"], case["end"]),
        CampaignFilters(),
        page=0,
        page_size=100,
    )
    golden_ids = {db_id: golden_id for golden_id, db_id in golden["campaigns"].items()}
    assert total == len(case["by_campaign"])
    assert sorted(golden_ids[int(i)] for i in frame["campaign_id"]) == sorted(
        case["by_campaign"]
    )
    for _, row in frame.iterrows():
        assert_figures(
            row,
            case["by_campaign"][golden_ids[int(row["campaign_id"])]],
            f"campaign {row['name']}",
        )


def test_platform_filter_narrows_every_figure(session, golden):
    """With only Google selected, the summary equals the golden Google breakdown."""
    case = CASES[0]
    scope = Scope(golden["orgs"][case["organization_slug"]], "viewer")
    rng = parse_range(case["start"], case["end"])
    frame = kpi_summary(session, scope, rng, ("google",)).set_index("period")
    assert_figures(frame.loc["current"], case["by_platform"]["google"], "google only")
    trend = revenue_trend(session, scope, rng, "day", ("google",))
    assert sum(trend["revenue"]) == Decimal(case["by_platform"]["google"]["revenue"])


def test_other_organization_sees_none_of_these_rows(session, golden):
    acme, globex = golden["orgs"]["acme"], golden["orgs"]["globex"]
    rng = parse_range("2026-10-05", "2026-11-01")
    frame, _ = campaign_list(
        session, Scope(globex, "admin"), rng, CampaignFilters(), page_size=100
    )
    acme_ids = {golden["campaigns"][i] for i in ("1", "2", "3", "4")}
    assert acme_ids.isdisjoint(set(frame["campaign_id"]))
    assert acme != globex


def test_filters_refuse_dates_outside_the_calendar_and_control_characters():
    from data.filters import InvalidFilter, parse_range, parse_search

    for start, end in (("0001-01-05", "0001-01-06"), ("2026-10-01", "9999-12-31")):
        with pytest.raises(InvalidFilter):
            parse_range(start, end)
    with pytest.raises(InvalidFilter) as caught:
        parse_search("a\x00b")
    assert caught.value.param == "search"


def test_weekly_buckets_of_a_mid_week_range_break_on_mondays(session, golden):
    """Wed 21 Oct – Mon 26 Oct: the week of Mon 19 Oct holds only Wed–Sun (golden daily
    revenue 198.01 + 443.18 + 190.30 + 119.88 + 219.14), the week of Mon 26 Oct one day;
    the first bucket is clipped to the range's first day (the API's documented contract)."""
    scope = Scope(golden["orgs"]["acme"], "viewer")
    frame = revenue_trend.uncached(
        session, scope, parse_range("2026-10-21", "2026-10-26"), "week"
    )
    assert [d.isoformat() for d in frame["bucket"]] == ["2026-10-21", "2026-10-26"]
    assert [Decimal(v) for v in frame["revenue"]] == [
        Decimal("1170.51"),
        Decimal("88.69"),
    ]
