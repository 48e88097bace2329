"""A chart's text alternatives: its summary sentence and its table, from the figure's own data."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pandas as pd

from components.chart_text import (
    chart_figure,
    figure_summary,
    figure_table,
    figure_title,
)
from components.figures import (
    NO_ACTIVITY,
    campaign_daily_figure,
    empty_figure,
    platform_breakdown_figure,
    revenue_trend_figure,
)


def _trend() -> pd.DataFrame:
    days = [dt.date(2026, 10, d) for d in (1, 2, 3, 4)]
    return pd.DataFrame(
        {
            "bucket": days,
            "revenue": [Decimal(10), Decimal(30), Decimal(20), Decimal(25)],
            "spend": [Decimal(5)] * 4,
            "profit": [Decimal(5), Decimal(25), Decimal(15), Decimal(20)],
        }
    )


def _cells(component) -> list[list[str]]:
    body = component.children[2]
    return [[str(cell.children) for cell in row.children] for row in body.children]


def test_a_trend_says_where_revenue_started_ended_and_peaked():
    figure = revenue_trend_figure(_trend())
    assert figure_summary(figure) == (
        "Revenue rose from $10.00 on 2026-10-01 to $25.00 on 2026-10-04;"
        " peak $30.00 on 2026-10-02."
    )


def test_a_falling_and_a_one_day_trend():
    falling = _trend().iloc[::-1].assign(bucket=_trend()["bucket"].tolist())
    assert figure_summary(revenue_trend_figure(falling)).startswith(
        "Revenue fell from $25.00 on 2026-10-01 to $10.00 on 2026-10-04;"
    )
    one_day = revenue_trend_figure(_trend().head(1))
    assert figure_summary(one_day) == "Revenue was $10.00 on 2026-10-01."


def test_a_breakdown_names_the_highest_and_lowest_platform():
    platforms = pd.DataFrame(
        {
            "platform": ["meta", "tiktok", "google"],
            "spend": [Decimal(200), Decimal(10), Decimal(50)],
            "revenue": [Decimal(470), Decimal("15.5"), Decimal(90)],
            "roas": [2.35, 1.55, 1.8],
        }
    )
    summary = figure_summary(platform_breakdown_figure(platforms))
    assert summary == (
        "Revenue was highest for Meta ($470.00) and lowest for TikTok ($15.50)."
    )


def test_campaign_revenue_is_summed_over_its_platforms():
    daily = pd.DataFrame(
        {
            "date": [dt.date(2026, 10, 1), dt.date(2026, 10, 2)] * 2,
            "platform": ["meta", "meta", "google", "google"],
            "revenue": [Decimal(10), Decimal(5), Decimal(1), Decimal(1)],
            "spend": [Decimal(2)] * 4,
        }
    )
    assert figure_summary(campaign_daily_figure(daily)).startswith(
        "Revenue fell from $11.00 on 2026-10-01 to $6.00 on 2026-10-02;"
    )


def test_a_chart_without_data_says_its_message():
    assert figure_summary(empty_figure(NO_ACTIVITY)) == NO_ACTIVITY
    assert figure_title(empty_figure(NO_ACTIVITY)) == NO_ACTIVITY
    assert figure_table(empty_figure(NO_ACTIVITY)).children == NO_ACTIVITY
    assert figure_summary(None) == "No data to show."


def test_the_table_has_a_row_per_day_and_a_column_per_series():
    table = figure_table(revenue_trend_figure(_trend()))
    header = [str(cell.children) for cell in table.children[1].children.children]
    assert header == ["Day", "Revenue", "Spend", "Profit"]
    assert _cells(table)[1] == ["2026-10-02", "$30.00", "$5.00", "$25.00"]
    assert len(_cells(table)) == 4


def test_the_chart_is_a_named_figure_described_by_its_summary():
    from dash import dcc

    figure = revenue_trend_figure(_trend())
    block = chart_figure(dcc.Graph(id="g", figure=figure), "Chart: revenue", figure)
    graph, caption = block.children
    assert graph.id == "g"
    assert getattr(block, "aria-label") == "Chart: revenue"
    assert getattr(block, "aria-describedby") == "g-summary"
    summary, details = caption.children
    assert summary.id == "g-summary" and summary.children.startswith("Revenue rose")
    assert details.children[0].children == "Show as table"
    assert details.children[1].id == "g-table" and details.id == "g-details"
    assert details.children[1].children is None  # built when first opened


def test_a_kpi_change_has_a_sign_and_an_icon_not_only_a_colour():
    from components.kpi import kpi_card

    def delta(current, previous):
        card = kpi_card("k", "Revenue", "revenue", current, previous)
        return card.children.children.children[2]

    up, down = delta(Decimal(120), Decimal(100)), delta(Decimal(80), Decimal(100))
    assert up.children[0].children == "▲" and up.children[1].startswith("+$20.00")
    assert down.children[0].children == "▼" and down.children[1].startswith("−$20.00")
    assert "kpi-delta-good" in up.className and "kpi-delta-bad" in down.className
    assert getattr(up.children[0], "aria-hidden") == "true"
