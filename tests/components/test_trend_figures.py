"""Charts that cannot mislead: partial weeks, a one-day range, an empty range, no "-0.00×"."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pandas as pd

from components.figures import (
    NO_ACTIVITY,
    campaign_daily_figure,
    platform_breakdown_figure,
    revenue_trend_figure,
)
from components.format import money, percent, ratio
from data.filters import DateRange


def _trend(
    buckets: list[dt.date], revenue: list[str], spend: list[str]
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "bucket": buckets,
            "revenue": [Decimal(v) for v in revenue],
            "spend": [Decimal(v) for v in spend],
            "profit": [Decimal(r) - Decimal(s) for r, s in zip(revenue, spend)],
        }
    )


# Wednesday 4 Nov 2026 to Monday 16 Nov 2026: 5 days of the week of Mon 2 Nov (its bucket
# clipped to Wed 4 Nov), the whole week of Mon 9 Nov, and 1 day of the week of Mon 16 Nov.
WEEKS = DateRange(dt.date(2026, 11, 4), dt.date(2026, 11, 16))
BUCKETS = [dt.date(2026, 11, 4), dt.date(2026, 11, 9), dt.date(2026, 11, 16)]
MONDAYS = [dt.date(2026, 11, 2), dt.date(2026, 11, 9)]


def _weekly() -> dict:
    trend = _trend(BUCKETS, ["500", "700", "90"], ["400", "300", "80"])
    return revenue_trend_figure(trend, "light", "week", WEEKS)


def test_weekly_buckets_are_drawn_at_their_first_day_in_the_range():
    revenue = _weekly()["data"][0]
    assert revenue["x"] == ["2026-11-04", "2026-11-09", "2026-11-16"]


def test_a_partial_first_and_last_week_are_marked_in_hover_bar_and_note():
    figure = _weekly()
    revenue, _spend, profit = figure["data"]
    assert revenue["customdata"] == [
        "Partial week: 5 of 7 days (Nov 4–Nov 8)",
        "Whole week",
        "Partial week: 1 of 7 days (Nov 16)",
    ]
    assert profit["marker"]["opacity"] == [0.3, 0.75, 0.3]
    assert revenue["marker"]["symbol"] == ["circle-open", "circle", "circle-open"]
    notes = [a["text"] for a in figure["layout"]["annotations"]]
    assert any("2 of 3 weeks are partial" in n for n in notes)


def test_whole_weeks_carry_no_partial_note():
    rng = DateRange(dt.date(2026, 11, 2), dt.date(2026, 11, 15))
    trend = _trend(MONDAYS, ["500", "700"], ["400", "300"])
    figure = revenue_trend_figure(trend, "light", "week", rng)
    assert figure["data"][0]["customdata"] == ["Whole week", "Whole week"]
    assert not figure["layout"].get("annotations")


def test_a_one_day_range_draws_one_bar_on_a_date_axis_with_a_day_tick():
    day = dt.date(2026, 11, 4)
    trend = _trend([day], ["120.50"], ["100"])
    figure = revenue_trend_figure(trend, "light", "day", DateRange(day, day))
    xaxis = figure["layout"]["xaxis"]
    assert xaxis["type"] == "date"
    assert xaxis["tickvals"] == ["2026-11-04"]
    assert xaxis["ticktext"] == ["Nov 4, 2026"]
    assert xaxis["range"] == ["2026-11-03", "2026-11-05"]
    profit = figure["data"][2]
    assert profit["x"] == ["2026-11-04"] and profit["y"] == [20.5]


def test_a_one_day_campaign_chart_has_a_day_tick_not_a_time_of_day():
    daily = pd.DataFrame(
        {
            "date": [dt.date(2026, 11, 4)],
            "platform": ["meta"],
            "spend": [Decimal(3)],
            "revenue": [Decimal(9)],
        }
    )
    xaxis = campaign_daily_figure(daily)["layout"]["xaxis"]
    assert (xaxis["type"], xaxis["tickvals"]) == ("date", ["2026-11-04"])
    assert xaxis["range"] == ["2026-11-03", "2026-11-05"]


def _message(figure: dict) -> str | None:
    notes = figure["layout"].get("annotations") or []
    return notes[0]["text"] if notes else None


def test_a_range_without_data_says_so_on_the_overview_charts_with_no_axes():
    days = [dt.date(2026, 11, 2), dt.date(2026, 11, 3)]
    trend = _trend(days, ["0", "0"], ["0", "0"])
    rng = DateRange(days[0], days[1])
    figure = revenue_trend_figure(trend, "light", "day", rng)
    assert figure["data"] == [] and _message(figure) == NO_ACTIVITY
    assert figure["layout"]["yaxis"]["visible"] is False  # no "$-1" ticks
    platforms = pd.DataFrame(
        {
            "platform": ["meta", "google"],
            "spend": [Decimal(0), Decimal(0)],
            "revenue": [Decimal(0), Decimal(0)],
            "roas": [None, None],
        }
    )
    breakdown = platform_breakdown_figure(platforms)
    assert breakdown["data"] == [] and _message(breakdown) == NO_ACTIVITY


def test_values_that_round_to_zero_never_show_a_minus_sign():
    assert ratio(-0.001) == "0.00×"
    assert ratio(-0.0) == "0.00×"
    assert money(Decimal("-0.004")) == "$0.00"
    assert percent(-0.00001) == "0.00%"
    assert ratio(-0.5) == "-0.50×" and money(Decimal("-1.5")) == "-$1.50"
