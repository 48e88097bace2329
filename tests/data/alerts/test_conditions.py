"""data/alerts/conditions.py on fixed sums: each condition at, just below and just above its
threshold, zero denominators, the window's days and the organization's calendar day. Every
expected value is worked out by hand in the comment beside it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import pytest

from data.alerts.conditions import (
    Budget,
    Sums,
    judge,
    local_today,
    periods,
    shown,
    window,
)

TODAY = dt.date(2026, 11, 10)


def window_of(spend, revenue="0", conversions=0):
    return {"window": Sums(D(spend), D(revenue), conversions)}


@pytest.mark.parametrize(
    ("revenue", "breached", "value"),
    [
        ("200.00", False, D(2)),  # 200 / 100 = 2.0: at the threshold is not below it
        ("199.99", True, D("1.9999")),  # 199.99 / 100
        ("200.01", False, D("2.0001")),
    ],
)
def test_roas_below(revenue, breached, value):
    found = judge("roas_below", D("2.0"), sums=window_of("100.00", revenue))
    assert (found.value, found.breached) == (value, breached)


@pytest.mark.parametrize(
    ("spend", "breached", "value"),
    [
        ("500.00", False, D(50)),  # 500 / 10 = 50: at the threshold is not above it
        ("500.10", True, D("50.01")),
        ("499.90", False, D("49.99")),
    ],
)
def test_cpa_above(spend, breached, value):
    found = judge("cpa_above", D(50), sums=window_of(spend, "0", 10))
    assert (found.value, found.breached) == (value, breached)


def daily(amount, today_spend):
    return Budget("daily", D(amount), None, None, D(today_spend), D(9999))


def lifetime(amount, start, end, to_date):
    return Budget("lifetime", D(amount), start, end, D(1), D(to_date))


@pytest.mark.parametrize(
    ("spend", "breached", "value"),
    [
        ("80.00", False, D(80)),
        ("80.01", True, D("80.01")),
        ("79.99", False, D("79.99")),
    ],
)
def test_daily_pacing_is_todays_spend_over_the_daily_budget(spend, breached, value):
    found = judge("pacing_above", D(80), budgets=[daily("100", spend)], today=TODAY)
    assert (found.value, found.breached) == (value, breached)


NOV1, NOV30 = dt.date(2026, 11, 1), dt.date(2026, 11, 30)


@pytest.mark.parametrize(
    ("to_date", "breached"),
    # 3,000 over Nov 1-30 (30 days); on Nov 10, 10 days elapsed: 1,000 allowed so far.
    [("1000.00", False), ("1000.10", True), ("999.90", False)],
)
def test_lifetime_pacing_is_pro_rated_by_elapsed_days(to_date, breached):
    budget = lifetime("3000", NOV1, NOV30, to_date)
    found = judge("pacing_above", D(100), budgets=[budget], today=TODAY)
    assert found.value == D(to_date) / D(1000) * 100
    assert found.breached is breached


def test_lifetime_pacing_edges_of_the_campaigns_dates():
    first_day = judge(  # Nov 1: 1 of 30 days, 100 allowed; 150 spent = 150 %
        "pacing_above",
        D(120),
        budgets=[lifetime("3000", NOV1, NOV30, "150")],
        today=NOV1,
    )
    assert first_day.value == D(150) and first_day.breached
    after_end = judge(  # Dec 5: all 30 days elapsed, 3,000 allowed; 2,400 = 80 %
        "pacing_above",
        D(90),
        budgets=[lifetime("3000", NOV1, NOV30, "2400")],
        today=dt.date(2026, 12, 5),
    )
    assert after_end.value == D(80) and not after_end.breached
    before_start = judge(
        "pacing_above",
        D(90),
        budgets=[lifetime("3000", NOV1, NOV30, "0")],
        today=dt.date(2026, 10, 31),
    )
    assert before_start.value is None and not before_start.breached


def test_an_organizations_pacing_sums_its_campaigns_spend_and_allowances():
    # daily 100 with 50 spent today + lifetime 3,000 (Nov 1-30, 1,000 allowed on Nov 10)
    # with 1,000 spent: 1,050 / 1,100 = 95.4545… %
    budgets = [daily("100", "50"), lifetime("3000", NOV1, NOV30, "1000")]
    found = judge("pacing_above", D(95), budgets=budgets, today=TODAY)
    assert found.value == D(1050) / D(1100) * 100
    assert found.breached
    assert not judge("pacing_above", D("95.5"), budgets=budgets, today=TODAY).breached


@pytest.mark.parametrize(
    ("spend", "conversions", "min_spend", "breached"),
    [
        ("50.00", 0, "50", False),  # spend at the floor is not above it
        ("50.01", 0, "50", True),
        ("49.99", 0, "50", False),
        ("500.00", 1, "50", False),  # one conversion: not zero
        ("0.01", 0, None, True),  # no floor: any spend
        ("0.00", 0, None, False),  # nothing spent, nothing wasted
    ],
)
def test_zero_conversions(spend, conversions, min_spend, breached):
    found = judge(
        "zero_conversions",
        D(0),
        sums=window_of(spend, "0", conversions),
        min_spend=None if min_spend is None else D(min_spend),
    )
    assert found.breached is breached
    assert found.value == D(spend)


def drop(before, after):
    return {
        "day_before": Sums(D(1), D(before), 0),
        "yesterday": Sums(D(1), D(after), 0),
    }


@pytest.mark.parametrize(
    ("yesterday", "breached", "value"),
    [
        ("80.00", False, D(20)),  # (100 - 80) / 100 = 20 %: at the threshold
        ("79.99", True, D("20.01")),
        ("80.01", False, D("19.99")),
        ("150.00", False, D(-50)),  # a rise is a negative drop
    ],
)
def test_revenue_drop(yesterday, breached, value):
    found = judge("revenue_drop", D(20), sums=drop("100.00", yesterday))
    assert (found.value, found.breached) == (value, breached)


@pytest.mark.parametrize(
    ("condition", "kwargs", "message"),
    [
        ("roas_below", {"sums": window_of("0", "500")}, "no spend"),
        ("cpa_above", {"sums": window_of("500", "0", 0)}, "no conversions"),
        ("revenue_drop", {"sums": drop("0", "50")}, "no revenue"),
        (
            "pacing_above",
            {"budgets": [daily("0", "10")], "today": TODAY},
            "no budget",
        ),
        ("pacing_above", {"budgets": [], "today": TODAY}, "no budget"),
    ],
)
def test_a_zero_denominator_is_no_value_not_a_breach(condition, kwargs, message):
    found = judge(condition, D(1), **kwargs)
    assert found.value is None and found.breached is False
    assert found.message.startswith("no value:") and message in found.message


def test_windows_are_the_last_complete_days_before_today():
    assert window(TODAY, 7) == (dt.date(2026, 11, 3), dt.date(2026, 11, 9))
    assert window(TODAY, 1) == (dt.date(2026, 11, 9), dt.date(2026, 11, 9))
    assert periods("roas_below", TODAY, 3) == {
        "window": (dt.date(2026, 11, 7), dt.date(2026, 11, 9))
    }
    assert periods("revenue_drop", TODAY, 7) == {
        "yesterday": (dt.date(2026, 11, 9), dt.date(2026, 11, 9)),
        "day_before": (dt.date(2026, 11, 8), dt.date(2026, 11, 8)),
    }


def test_today_is_the_organizations_calendar_day():
    late_utc = dt.datetime(2026, 11, 10, 23, 30, tzinfo=dt.UTC)
    assert local_today(late_utc, ZoneInfo("UTC")) == dt.date(2026, 11, 10)
    assert local_today(late_utc, ZoneInfo("Asia/Tokyo")) == dt.date(2026, 11, 11)
    early_utc = dt.datetime(2026, 11, 10, 7, 59, tzinfo=dt.UTC)  # 23:59 in Los Angeles
    assert local_today(early_utc, ZoneInfo("America/Los_Angeles")) == dt.date(
        2026, 11, 9
    )
    eight = dt.datetime(
        2026, 11, 10, 8, 0, tzinfo=dt.UTC
    )  # midnight there (PST, UTC-8)
    assert local_today(eight, ZoneInfo("America/Los_Angeles")) == TODAY


@pytest.mark.parametrize(
    ("condition", "threshold", "kwargs", "message"),
    [
        # 150 / 100 = 1.5 against 2
        ("roas_below", "2", {"sums": window_of("100.00", "150.00")}, "ROAS 1.50× below 2.00×"),
        # 199.99 / 100 = 1.9999 rounds to the threshold's 2.00: shown to four places instead
        ("roas_below", "2", {"sums": window_of("100.00", "199.99")}, "ROAS 1.9999× below 2.00×"),
        # 1,234.5 / 3 = 411.5 -> $411.50 against $400
        ("cpa_above", "400", {"sums": window_of("1234.50", "0", 3)}, "CPA $411.50 above $400.00"),
        ("cpa_above", "500", {"sums": window_of("1234.50", "0", 3)}, "CPA $411.50 not above $500.00"),
        # (100 - 62.55) / 100 = 37.45 % -> 37.5 % (half up) against 30 %
        ("revenue_drop", "30", {"sums": drop("100.00", "62.55")},
         "Revenue fell 37.5 % day over day, above 30.0 %"),
        # a rise: (100 - 150) / 100 = -50 %
        ("revenue_drop", "30", {"sums": drop("100.00", "150.00")},
         "Revenue fell -50.0 % day over day, not above 30.0 %"),
        # today's 162.30 against a daily 100.00 = 162.3 %
        ("pacing_above", "150", {"budgets": [daily("100.00", "162.30")], "today": TODAY},
         "Spend at 162.3 % of budget, above 150.0 %"),
        ("zero_conversions", "0", {"sums": window_of("1250.00"), "min_spend": D(50)},
         "No conversions; spend $1,250.00 above $50.00"),
        ("zero_conversions", "0", {"sums": window_of("10.00", "0", 1234)},
         "1,234 conversions in the window"),
    ],
)  # fmt: skip
def test_messages_read_as_the_screen_shows_the_metric(
    condition, threshold, kwargs, message
):
    """A value is never shown to four decimals ("pacing % 0.0000"): ROAS as a multiple, money
    to the cent, percentages to one decimal, as an e-mail or the rule list shows them."""
    assert judge(condition, D(threshold), **kwargs).message == message


def test_shown_has_no_negative_zero_and_a_dash_for_no_value():
    assert shown("revenue_drop", D("-0.04")) == "0.0 %"
    assert shown("roas_below", None) == "—"
    assert shown("cpa_above", float("nan")) == "—"
