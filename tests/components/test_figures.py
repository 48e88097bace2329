"""Figure dicts: what a chart shows, and where its title sits."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from components.figures import empty_figure, platform_breakdown_figure


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
