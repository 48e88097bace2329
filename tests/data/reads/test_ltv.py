"""The LTV page's frames against figures worked out by hand on tests/ltv_world.py (never with
the code under test): cohorts without spend or customers, young cohorts left out, tenancy, and
the totals reconciling with the overview's KPIs."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

import pytest

from data.filters import parse_range
from data.ltv_definitions import median_payback
from data.reads.ltv import (
    CAMPAIGN_COLUMNS,
    COHORT_COLUMNS,
    CURVE_COLUMNS,
    MONTH_COLUMNS,
    SUMMARY_COLUMNS,
    ltv_by_campaign,
    ltv_by_month,
    ltv_cohort_heatmap,
    ltv_cohorts,
    ltv_payback_curves,
    ltv_totals,
)
from data.reads.overview import kpi_summary
from data.scope import Scope
from tests.ltv_world import END, START, load_ltv_world

N = math.nan
RANGE = parse_range(START, END)
# (campaign, month): customers, spend, CAC, LTV, LTV:CAC, months, value to date, payback, young
COHORTS = [
    ("Alpha", "2026-06-01", 20, "400.00", 20.0, 120.0, 6.0, 4, 28.0, 2.0, False),
    ("Beta", "2026-06-01", 0, "80.00", N, 40.0, N, 3, 12.0, N, False),  # no customers
    ("Alpha", "2026-07-01", 5, "250.00", 50.0, 120.0, 2.4, 3, 55.0, 2.0, False),
    ("Beta", "2026-07-01", 8, "0.00", N, 40.0, N, 3, 13.0, N, False),  # no spend
    ("Gamma", "2026-08-01", 2, "60.00", 30.0, N, N, 0, N, N, True),
    ("Alpha", "2026-09-01", 4, "100.00", 25.0, 120.0, 4.8, 1, 12.0, N, True),
]
# cohorts, young, customers, spend, judged customers, judged spend, CAC, LTV, LTV:CAC,
# payback of the weighted curve, median payback
CAMPAIGNS = {
    # judged Jun (20) + Jul (5): CAC 650/25 = 26; LTV:CAC 120*25/650; curve k2 = (24*20+55*5)/25
    # = 30.2 >= 26
    "Alpha": (3, 1, 29, "750.00", 25, "650.00", 26.0, 120.0, 3000 / 650, 2.0, 2.0),
    # weights 0 and 8: curve 6, 10, 13 against CAC 80/8 = 10; no cohort has its own CAC
    "Beta": (2, 0, 8, "80.00", 8, "80.00", 10.0, 40.0, 4.0, 1.0, N),
    "Gamma": (1, 1, 2, "60.00", 0, "0.00", N, N, N, N, N),
}
MONTHS = {
    # Alpha 20 customers (120), Beta none: LTV 120, LTV:CAC 2400/480; curve Alpha's (weight 0)
    "2026-06-01": (False, 2, 0, 20, "480.00", 20, "480.00", 24.0, 120.0, 5.0, 2.0, 2.0),
    # Alpha 5 x 120 + Beta 8 x 40 = 920 over 13 and over 250.00; curve k1 = (45*5+10*8)/13
    "2026-07-01": (
        False,
        2,
        0,
        13,
        "250.00",
        13,
        "250.00",
        250 / 13,
        920 / 13,
        3.68,
        1.0,
        2.0,
    ),
    "2026-08-01": (True, 1, 1, 2, "60.00", 2, "60.00", 30.0, N, N, N, N),
    "2026-09-01": (True, 1, 1, 4, "100.00", 4, "100.00", 25.0, 120.0, 4.8, N, N),
}
# Judged: Alpha Jun and Jul, Beta Jun and Jul: 33 customers, 730.00; value 2400+600+0+320;
# curve k2 = (24*20+55*5+12*0+13*8)/33 = 859/33 >= 730/33
TOTALS = (6, 2, 39, "890.00", 33, "730.00", 730 / 33, 3320 / 33, 3320 / 730, 2.0, 2.0)


@pytest.fixture
def world(session):
    return load_ltv_world(session)


def _scope(world, slug="ltv-a"):
    return Scope(world["orgs"][slug], "viewer")


def _same(actual, expected, what):
    if isinstance(expected, str):
        assert Decimal(actual) == Decimal(expected), what
    elif isinstance(expected, float) and math.isnan(expected):
        assert math.isnan(actual), f"{what}: {actual} is not 'no value'"
    else:
        assert actual == pytest.approx(expected), what


def _check(row, columns, expected, what):
    for name, value in zip(columns, expected, strict=True):
        _same(row[name], value, f"{what} {name}")


def test_cohorts_equal_the_hand_computation(session, world):
    frame = ltv_cohorts(session, _scope(world), RANGE)
    assert list(frame.columns) == COHORT_COLUMNS
    assert [
        (r.campaign_name, r.cohort_month.isoformat()) for r in frame.itertuples()
    ] == [(c[0], c[1]) for c in COHORTS]
    for (_, row), expected in zip(frame.iterrows(), COHORTS, strict=True):
        _check(row, COHORT_COLUMNS[3:], expected[2:], f"{expected[:2]}")


def test_campaigns_leave_young_cohorts_out(session, world):
    frame = ltv_by_campaign(session, _scope(world), RANGE)
    assert list(frame.columns) == CAMPAIGN_COLUMNS
    assert list(frame["campaign_name"]) == list(CAMPAIGNS)
    for _, row in frame.iterrows():
        _check(
            row, SUMMARY_COLUMNS, CAMPAIGNS[row["campaign_name"]], row["campaign_name"]
        )
        assert row["campaign_id"] == world["campaigns"][row["campaign_name"]]


def test_months_mark_young_cohorts(session, world):
    frame = ltv_by_month(session, _scope(world), RANGE)
    assert list(frame.columns) == MONTH_COLUMNS
    assert [m.isoformat() for m in frame["cohort_month"]] == list(MONTHS)
    for _, row in frame.iterrows():
        _check(row, MONTH_COLUMNS[1:], MONTHS[row["cohort_month"].isoformat()], "month")


def test_totals_average_judged_cohorts_only(session, world):
    frame = ltv_totals(session, _scope(world), RANGE)
    assert list(frame.columns) == SUMMARY_COLUMNS and len(frame) == 1
    _check(frame.iloc[0], SUMMARY_COLUMNS, TOTALS, "totals")


def test_heatmap_and_payback_curves(session, world):
    heat = ltv_cohort_heatmap(session, _scope(world), RANGE)
    assert list(heat.columns) == CURVE_COLUMNS
    june = heat[heat["key"] == dt.date(2026, 6, 1)]
    assert list(june["cumulative_value_per_customer"]) == pytest.approx(
        [10, 18, 24, 28]
    )
    july = heat[heat["key"] == dt.date(2026, 7, 1)]
    assert list(july["cumulative_value_per_customer"]) == pytest.approx(
        [198 / 13, 305 / 13, 379 / 13]
    )
    september = heat[heat["key"] == dt.date(2026, 9, 1)]
    assert list(september["cumulative_value_per_customer"]) == [12.0]
    assert list(september["too_young"]) == [True] and not june["too_young"].any()
    assert set(heat["label"]) == {
        "Jun 2026",
        "Jul 2026",
        "Sep 2026",
    }  # Aug has no values

    curves = ltv_payback_curves(session, _scope(world), RANGE)
    alpha = curves[curves["label"] == "Alpha"]
    assert list(alpha["cumulative_value_per_customer"]) == pytest.approx(
        [14, 23.4, 30.2, 28]
    )
    assert set(alpha["cac"]) == {26.0}
    beta = curves[curves["label"] == "Beta"]
    assert list(beta["cumulative_value_per_customer"]) == pytest.approx([6, 10, 13])
    assert "Gamma" not in set(curves["label"])  # no judged cohort


def test_another_organization_never_appears(session, world):
    scope = _scope(world)
    for read in (ltv_cohorts, ltv_by_campaign, ltv_payback_curves):
        labels = read(session, scope, RANGE).filter(regex="name|label")
        assert "Other org campaign" not in set(labels.stack())
    other = ltv_totals(session, _scope(world, "ltv-b"), RANGE).iloc[0]
    assert (other["customers"], other["spend"]) == (50, Decimal("500.00"))


@pytest.mark.parametrize(
    "platforms, customers, spend",
    [
        ((), 39, "890.00"),
        (("meta",), 27, "730.00"),
        (("google", "tiktok"), 12, "160.00"),
    ],
)
def test_totals_reconcile_with_the_overview(
    session, world, platforms, customers, spend
):
    totals = ltv_totals(session, _scope(world), RANGE, platforms).iloc[0]
    kpis = kpi_summary(session, _scope(world), RANGE, platforms).set_index("period")
    assert totals["customers"] == kpis.loc["current", "conversions"] == customers
    assert totals["spend"] == kpis.loc["current", "spend"] == Decimal(spend)


def test_an_empty_range_keeps_its_columns(session, world):
    rng = parse_range("2025-01-01", "2025-01-31")
    assert ltv_cohorts(session, _scope(world), rng).empty
    assert list(ltv_by_month(session, _scope(world), rng).columns) == MONTH_COLUMNS
    totals = ltv_totals(session, _scope(world), rng).iloc[0]
    assert totals["customers"] == 0 and math.isnan(totals["cac"])


@pytest.mark.parametrize(
    "paybacks, expected",
    [
        ([], N),
        ([3.0], 3.0),
        ([1.0, N, N], N),
        ([1.0, 3.0, N, N], 3.0),
        ([4.0, 1.0], 1.0),
    ],
)
def test_median_payback_counts_not_yet_as_longest(paybacks, expected):
    _same(median_payback(paybacks), expected, str(paybacks))
