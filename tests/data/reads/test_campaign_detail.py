"""A/B statistics against published values, and the campaign-detail reads against the golden data."""

from __future__ import annotations

import math
from decimal import Decimal

from data.filters import parse_range
from data.reads.campaign_detail import (
    campaign_daily,
    campaign_deployments,
    campaign_info,
)
from data.reads.ltv import latest_ltv
from data.reads.stats import two_proportion_p_value, wilson_interval
from data.scope import Scope
from tests.golden import expected_cases


def test_wilson_interval_matches_the_textbook_value():
    low, high = wilson_interval(10, 100)  # Newcombe (1998): 0.0552 to 0.1744
    assert math.isclose(low, 0.0552, abs_tol=1e-4) and math.isclose(
        high, 0.1744, abs_tol=1e-4
    )
    assert wilson_interval(0, 0) is None


def test_two_proportion_p_value_by_hand():
    # pooled 0.04, se = sqrt(0.04*0.96*0.002) = 0.0087636, z = 2.2822 -> p = 0.0225
    assert math.isclose(
        two_proportion_p_value(50, 1000, 30, 1000), 0.0225, abs_tol=2e-4
    )
    assert two_proportion_p_value(0, 100, 0, 100) is None


def test_deployments_of_a_campaign_add_up_to_its_golden_figures(session, golden):
    case = expected_cases()[0]
    scope = Scope(golden["orgs"]["acme"], "viewer")
    rng = parse_range(case["start"], case["end"])
    frame = campaign_deployments(session, scope, golden["campaigns"]["1"], rng)
    assert sorted(frame["platform"]) == ["google", "meta"]
    expected = case["by_campaign"]["1"]
    assert sum(frame["revenue"]) == Decimal(expected["revenue"])
    assert sum(frame["spend"]) == Decimal(expected["spend"])
    assert int(frame["conversions"].sum()) == expected["conversions"]


def test_daily_trend_has_every_day_for_every_platform(session, golden):
    scope = Scope(golden["orgs"]["acme"], "viewer")
    rng = parse_range("2026-10-19", "2026-11-01")
    frame = campaign_daily(session, scope, golden["campaigns"]["2"], rng)
    # Campaign 2 (paused) has no rows from 2026-10-19 on: zero-filled, ratios without value.
    assert len(frame) == 14 and set(frame["platform"]) == {"tiktok"}
    assert sum(frame["spend"]) == 0 and frame["roas"].isna().all()


def test_another_organizations_campaign_reads_as_missing(session, golden):
    acme = Scope(golden["orgs"]["acme"], "admin")
    globex_campaign = golden["campaigns"]["5"]
    assert campaign_info(session, acme, globex_campaign).empty
    rng = parse_range("2026-10-05", "2026-11-01")
    assert campaign_deployments(session, acme, globex_campaign, rng).empty
    assert campaign_daily(session, acme, globex_campaign, rng).empty
    assert latest_ltv(session, acme, globex_campaign).empty
    assert not campaign_info(
        session, Scope(golden["orgs"]["globex"], "viewer"), globex_campaign
    ).empty
