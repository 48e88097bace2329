"""Figure dicts: what a chart shows, and where its title sits."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pandas as pd

from components.figures import (
    NO_ACTIVITY,
    NO_DEPLOYMENTS,
    campaign_daily_figure,
    empty_figure,
    platform_breakdown_figure,
)


def _platforms() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "platform": ["meta", "tiktok"],
            "spend": [Decimal("200.00"), Decimal("0.00")],
            "revenue": [Decimal("470.00"), Decimal("15.50")],
            "roas": [2.35, None],
        }
    )


def test_each_platform_reads_its_roas_under_its_name_and_a_dash_without_spend():
    figure = platform_breakdown_figure(_platforms())
    xaxis = figure["layout"]["xaxis"]
    assert xaxis["tickvals"] == ["Meta", "TikTok"]
    assert xaxis["ticktext"] == ["Meta<br>ROAS 2.35×", "TikTok<br>ROAS —"]
    spend, revenue = figure["data"]
    assert (spend["name"], spend["y"]) == ("Spend", [200.0, 0.0])
    assert (revenue["name"], revenue["y"]) == ("Revenue", [470.0, 15.5])
    assert "text" not in revenue  # bar text is shrunk to the bar's width


def test_titles_sit_below_the_toolbar_band_on_every_chart():
    for figure in (platform_breakdown_figure(_platforms()), empty_figure("No data")):
        layout = figure["layout"]
        title = layout["title"]
        assert (title["yref"], title["y"], title["yanchor"]) == ("paper", 1, "bottom")
        assert layout["margin"]["t"] >= 72


def _daily(spend: list[str], revenue: list[str]) -> pd.DataFrame:
    days = [dt.date(2026, 10, 30) + dt.timedelta(days=n) for n in range(len(spend))]
    return pd.DataFrame(
        {
            "date": days,
            "platform": ["tiktok"] * len(days),
            "spend": [Decimal(v) for v in spend],
            "revenue": [Decimal(v) for v in revenue],
        }
    )


def _message(figure: dict) -> str | None:
    notes = figure["layout"].get("annotations") or []
    return notes[0]["text"] if notes else None


def test_a_campaign_with_activity_draws_revenue_and_spend_per_platform():
    figure = campaign_daily_figure(_daily(["0.00", "12.50"], ["0.00", "0.00"]))
    assert [t["name"] for t in figure["data"]] == ["TikTok revenue", "TikTok spend"]
    assert figure["data"][1]["y"] == [0.0, 12.5]
    assert _message(figure) is None


def test_a_range_without_spend_or_revenue_says_so_instead_of_flat_lines():
    figure = campaign_daily_figure(_daily(["0.00", "0.00"], ["0.00", "0.00"]))
    assert figure["data"] == [] and _message(figure) == NO_ACTIVITY


def test_a_campaign_on_no_platform_says_it_has_no_deployments():
    figure = campaign_daily_figure(_daily([], []))
    assert figure["data"] == [] and _message(figure) == NO_DEPLOYMENTS
