"""The LTV page's builders: its two tables, the cohort heatmap, the payback curves and the
definitions (frames from data/reads/ltv.py; words from data/ltv_definitions.py)."""

from __future__ import annotations

import math

import dash_bootstrap_components as dbc
import pandas as pd
from dash import html

from components.kpi import kpi_card
from components.ltv_figures import month_label
from components.tables import metrics_table
from data.ltv_definitions import DEFINITIONS

NO_COHORTS = "No customers or spend in this period."
YOUNG = "too young"
SUMMARY = [
    ("customers", "Customers"),
    ("spend", "Spend"),
    ("cac", "CAC"),
    ("ltv_per_customer", "Predicted LTV"),
    ("ltv_cac", "LTV:CAC"),
    ("payback", "Payback"),
]


def _nan(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def payback_text(months, cac) -> str:
    """ "—" without a CAC, "not yet" when the value has not reached it, else the months."""
    if _nan(cac):
        return "—"
    if _nan(months):
        return "not yet"
    months = int(months)
    return "same month" if months == 0 else f"{months} month{'s' * (months != 1)}"


def ltv_kpi_cards(totals: pd.Series) -> list:
    """Six cards (two rows of three) from a data/reads/ltv.py ltv_totals row."""
    judged = int(totals["cohorts"]) - int(totals["young_cohorts"])
    young = f"{int(totals['young_cohorts']):,} of {int(totals['cohorts']):,} cohorts too young"
    cards = [
        kpi_card("ltv-kpi-customers", "Customers", "customers", int(totals["customers"]), note=young),
        kpi_card("ltv-kpi-spend", "Spend", "spend", totals["spend"], note="all cohorts"),
        kpi_card("ltv-kpi-cac", "CAC", "cac", _value(totals["cac"]), note=f"{judged:,} judged cohorts"),
        kpi_card(
            "ltv-kpi-ltv", "Predicted LTV per customer", "ltv_per_customer",
            _value(totals["ltv_per_customer"]), note="newest prediction per campaign",
        ),
        kpi_card("ltv-kpi-ratio", "LTV:CAC", "ltv_cac", _value(totals["ltv_cac"]), note="judged cohorts"),
        kpi_card(
            "ltv-kpi-payback", "Median payback", "payback",
            payback_text(totals["median_payback_months"], totals["cac"]),
            note="judged cohorts with a CAC",
        ),
    ]  # fmt: skip
    for card in cards:
        card.md, card.xl = 4, 4
    return cards


def _value(value):
    return None if _nan(value) else value


def campaign_ltv_table(frame: pd.DataFrame, table_id: str) -> html.Div:
    """One row per acquisition campaign; how many of its cohorts were too young to judge."""
    shown = frame.assign(
        payback=[
            payback_text(m, c) for m, c in zip(frame["payback_months"], frame["cac"])
        ],
        young=[
            f"{int(y)} of {int(n)}" if y else "none"
            for y, n in zip(frame["young_cohorts"], frame["cohorts"])
        ],
    )
    columns = [("campaign_name", "Campaign"), *SUMMARY, ("young", "Young cohorts")]
    return metrics_table(shown, columns, table_id, NO_COHORTS)


def cohort_ltv_table(frame: pd.DataFrame, table_id: str) -> html.Div:
    """One row per acquisition month; a month too young to judge says so in words."""
    shown = frame.assign(
        month=[month_label(m) for m in frame["cohort_month"]],
        payback=[
            payback_text(m, c) for m, c in zip(frame["payback_months"], frame["cac"])
        ],
        judged=[YOUNG if young else "judged" for young in frame["too_young"]],
    )
    columns = [("month", "Cohort"), ("judged", "Status"), *SUMMARY]
    table = metrics_table(shown, columns, table_id, NO_COHORTS)
    if isinstance(table, dbc.Table):
        for row, young in zip(table.children[1].children, frame["too_young"]):
            if young:
                row.className = "ltv-young"
    return table


def definitions_section() -> html.Section:
    """ "How these are computed": every term of the page and the rule for young cohorts."""
    return html.Section(
        [
            html.H2("How these are computed", className="h5"),
            html.Dl(
                [
                    part
                    for term, text in DEFINITIONS
                    for part in (html.Dt(term), html.Dd(text, className="mb-2"))
                ],
                className="mb-0 ltv-definitions",
            ),
        ],
        className="mt-3",
    )
