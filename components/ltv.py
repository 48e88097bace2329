"""The LTV page's builders: its two tables, the cohort heatmap, the payback curves and the
definitions (frames from data/reads/ltv.py; words from data/ltv_definitions.py)."""

from __future__ import annotations

import math

import dash_bootstrap_components as dbc
import pandas as pd
from dash import html

from components.figures import THEMES, chart_layout, empty_figure
from components.format import money
from components.tables import metrics_table
from data.ltv_definitions import DEFINITIONS, MIN_COHORT_MONTHS

NO_COHORTS = "No customers or spend in this period."
YOUNG = "too young"
CURVE_COLORS = ["#2f6fde", "#e8833a", "#2a9d6f", "#9b59b6", "#d9534f", "#17a2b8"]
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


def month_label(month) -> str:
    return month.strftime("%b %Y")


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


def cohort_heatmap_figure(frame: pd.DataFrame, theme: str = "light") -> dict:
    """Cumulative value per customer: a row per acquisition month (young ones named so), a
    column per month since acquisition."""
    if frame.empty:
        return empty_figure("No cohort values for this period.", theme)
    months = sorted(frame["key"].unique())
    width = int(frame["months_since"].max()) + 1
    young = dict(zip(frame["key"], frame["too_young"]))
    labels = [f"{month_label(m)}{' (too young)' if young[m] else ''}" for m in months]
    grid = {m: [None] * width for m in months}
    for row in frame.itertuples():
        grid[row.key][row.months_since] = round(
            float(row.cumulative_value_per_customer), 2
        )
    layout = chart_layout(
        "Cumulative value per customer by cohort",
        theme,
        "Acquisition month",
        "Months since acquisition",
    )
    layout["yaxis"].update(
        tickprefix="", autorange="reversed", type="category", showgrid=False
    )
    layout["xaxis"].update(
        dtick=1, showgrid=False, zeroline=False, range=[-0.6, width - 0.4]
    )
    layout.update(hovermode="closest", margin={**layout["margin"], "l": 130})
    oldest = months[0]
    last = grid[oldest][-1]
    layout["meta"] = {
        "summary": (
            f"{len(months)} monthly cohorts; the oldest ({month_label(oldest)}) reached "
            f"{money(last)} per customer after {width - 1} months since acquisition. "
            f"Cohorts marked too young have fewer than {MIN_COHORT_MONTHS} months of value."
        )
    }
    # Tiles: plotly's basic bundle (web/scripts.py) has no heatmap trace; each square carries
    # its value as text too, so the colour is never the only way to read it.
    cells = [(m, k, v) for m in months for k, v in enumerate(grid[m]) if v is not None]
    top = max(v for *_, v in cells) or 1
    ink = THEMES.get(theme, THEMES["light"])["font"]
    data = [
        {
            "type": "scatter",
            "mode": "markers+text",
            "meta": "grid",  # components/chart_text.py reads it as rows of a table
            "name": "Cumulative value per customer",
            "x": [k for _, k, _ in cells],
            "y": [labels[months.index(m)] for m, *_ in cells],
            "text": [f"${v:,.0f}" for *_, v in cells],
            "textfont": {
                "size": 11,
                "color": [ink if v < top * 0.55 else "#ffffff" for *_, v in cells],
            },
            "marker": {
                "symbol": "square",
                "size": 44,
                "color": [v for *_, v in cells],
                "colorscale": "Blues",
                "cmin": 0,
                "showscale": False,
            },
            "hovertemplate": "%{y}, month %{x}: %{marker.color:$,.2f}<extra></extra>",
        }
    ]
    return {"data": data, "layout": layout}


def payback_curves_figure(
    frame: pd.DataFrame, theme: str = "light", most: int = 6
) -> dict:
    """Each campaign's cumulative value per customer (solid) and its CAC (dashed, same colour),
    for the ``most`` campaigns with the most months of value, then the most value."""
    if frame.empty:
        return empty_figure("No campaign has a cohort old enough to judge.", theme)
    spans = frame.groupby("key")["months_since"].max()
    keys = list(spans.sort_values(ascending=False, kind="stable").index[:most])
    data, caught_up = [], 0
    for index, key in enumerate(keys):
        rows = frame[frame["key"] == key]
        name, color = (
            str(rows["label"].iloc[0]),
            CURVE_COLORS[index % len(CURVE_COLORS)],
        )
        x = [int(k) for k in rows["months_since"]]
        values = [round(float(v), 2) for v in rows["cumulative_value_per_customer"]]
        data.append(_line(f"{name}: value", x, values, color, "solid"))
        cac = float(rows["cac"].iloc[0])
        if not math.isnan(cac):
            data.append(
                _line(f"{name}: CAC", x, [round(cac, 2)] * len(x), color, "dash")
            )
            caught_up += values[-1] >= cac
    title = "Payback curves" + (
        f" (the {len(keys)} longest-running campaigns)" if len(spans) > most else ""
    )
    layout = chart_layout(
        title, theme, "Cumulative value per customer (USD)", "Months since acquisition"
    )
    layout["xaxis"].update(dtick=1)
    layout.update(hovermode="closest", legend={"orientation": "h", "y": -0.25})
    layout["meta"] = {
        "summary": (
            f"{caught_up} of {len(keys)} campaigns shown have paid back their CAC: their "
            "solid value line reaches their dashed CAC line."
        )
    }
    return {"data": data, "layout": layout}


def _line(name, x, y, color, dash) -> dict:
    return {
        "type": "scatter",
        "mode": "lines+markers" if dash == "solid" else "lines",
        "name": name,
        "x": x,
        "y": y,
        "line": {"color": color, "dash": dash, "width": 2},
        "hovertemplate": "%{y:$,.2f}",
    }


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
