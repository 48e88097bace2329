"""The LTV page's charts: the cohort heatmap (tiles drawn as bars) and the payback curves
(frames from data/reads/ltv.py ltv_cohort_heatmap and ltv_payback_curves)."""

from __future__ import annotations

import math

import pandas as pd

from components.figures import chart_layout, empty_figure
from components.format import money
from data.ltv_definitions import MIN_COHORT_MONTHS

CURVE_COLORS = ["#2f6fde", "#e8833a", "#2a9d6f", "#9b59b6", "#d9534f", "#17a2b8"]


def month_label(month) -> str:
    return month.strftime("%b %Y")


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
        "Value per customer by cohort",
        theme,
        "",  # the rows name their months
        "Months since acquisition",
    )
    rows = len(months)
    layout["yaxis"].update(
        tickprefix="",
        tickmode="array",
        tickvals=list(range(rows)),
        ticktext=labels,
        range=[rows - 0.5, -0.5],  # the oldest cohort on top
        showgrid=False,
        zeroline=False,
    )
    layout["xaxis"].update(
        dtick=1, showgrid=False, zeroline=False, range=[-0.5, width - 0.5]
    )
    layout.update(
        hovermode="closest",
        height=max(360, 150 + 34 * rows),
        barmode="overlay",
        bargap=0.06,
        uniformtext={
            "minsize": 8,
            "mode": "hide",
        },  # a value that does not fit is left out
    )
    oldest = months[0]
    last = grid[oldest][-1]
    layout["meta"] = {
        "summary": (
            f"{len(months)} monthly cohorts; the oldest ({month_label(oldest)}) reached "
            f"{money(last)} per customer after {width - 1} months since acquisition. "
            f"Cohorts marked too young have fewer than {MIN_COHORT_MONTHS} months of value."
        )
    }
    # Tiles as bars (plotly's basic bundle, web/scripts.py, has no heatmap trace): one bar a
    # cell, from row - 0.5 to row + 0.5, so the tiles follow the card's width on any screen.
    # Each carries its value as text, so the colour is never the only way to read it.
    cells = [
        (r, k, v)
        for r, m in enumerate(months)
        for k, v in enumerate(grid[m])
        if v is not None
    ]
    top = max(v for *_, v in cells) or 1
    data = [
        {
            "type": "bar",
            "meta": "grid",  # components/chart_text.py: x columns, customdata rows
            "name": "Cumulative value per customer",
            "x": [k for _, k, _ in cells],
            "y": [1] * len(cells),
            "base": [r - 0.5 for r, *_ in cells],
            "customdata": [labels[r] for r, *_ in cells],
            "text": [f"${v:,.0f}" for *_, v in cells],
            "textposition": "inside",
            "insidetextanchor": "middle",
            "textangle": 0,
            "textfont": {
                "size": 12,
                # white from the mid blues on: dark ink on them read poorly
                "color": ["#212529" if v < top * 0.3 else "#ffffff" for *_, v in cells],
            },
            "marker": {
                "color": [v for *_, v in cells],
                "colorscale": "Blues",
                "reversescale": True,  # plotly's Blues runs dark to light: more value, darker
                "cmin": 0,
                "cmax": top,
                "line": {"width": 0},
            },
            "hovertemplate": "%{customdata}, month %{x}: %{marker.color:$,.2f}<extra></extra>",
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
            _short(str(rows["label"].iloc[0])),
            CURVE_COLORS[index % len(CURVE_COLORS)],
        )
        x = [int(k) for k in rows["months_since"]]
        values = [round(float(v), 2) for v in rows["cumulative_value_per_customer"]]
        data.append(_line(name, x, values, color, "solid"))
        cac = float(rows["cac"].iloc[0])
        if not math.isnan(cac):
            data.append(
                _line(f"{name}: CAC", x, [round(cac, 2)] * len(x), color, "dash")
            )
            caught_up += values[-1] >= cac
    title = "Payback curves (dashed: CAC)"
    layout = chart_layout(
        title, theme, "Value per customer (USD)", "Months since acquisition"
    )
    layout["xaxis"].update(dtick=1)
    layout.update(
        hovermode="closest",
        legend={
            "orientation": "h",
            "yanchor": "top",
            "y": -0.3,
        },
    )
    layout["meta"] = {
        "summary": (
            f"{caught_up} of {len(keys)} campaigns shown have paid back their CAC: their "
            "solid value line reaches their dashed CAC line."
            + (
                f" Shown: the {len(keys)} longest-running of {len(spans)} campaigns."
                if len(spans) > most
                else ""
            )
        )
    }
    return {"data": data, "layout": layout}


def _short(name: str, most: int = 34) -> str:
    """A legend entry that fits a phone's card; the tables carry the whole name."""
    return name if len(name) <= most else name[: most - 1].rstrip() + "…"


def _line(name, x, y, color, dash) -> dict:
    """A campaign's value (solid, in the legend) or its CAC (dashed, grouped with it)."""
    return {
        "type": "scatter",
        "mode": "lines+markers" if dash == "solid" else "lines",
        "name": name,
        "legendgroup": name.removesuffix(": CAC"),
        "showlegend": dash == "solid",
        "x": x,
        "y": y,
        "line": {"color": color, "dash": dash, "width": 2},
        "hovertemplate": "%{y:$,.2f}",
    }
