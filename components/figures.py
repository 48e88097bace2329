"""Figure builders: plain plotly figure dicts (no go.Figure: a tenth of the CPU), themed light or dark."""

from __future__ import annotations

import pandas as pd

from components.date_axis import (
    PARTIAL_OPACITY,
    WHOLE_OPACITY,
    bar_width_ms,
    date_axis,
    partial_week_note,
    week_coverage,
)
from components.format import ratio
from components.labels import platform_label
from data.filters import DateRange

COLORS = {
    "revenue": "#2f6fde",
    "spend": "#e8833a",
    "profit": "#2a9d6f",
    "loss": "#d9534f",
}
THEMES = {
    "light": {"bg": "rgba(0,0,0,0)", "font": "#212529", "grid": "#e5e7eb"},
    "dark": {"bg": "rgba(0,0,0,0)", "font": "#dee2e6", "grid": "#3a3f44"},
}


def _layout(title: str, theme: str, yaxis_title: str, xaxis_title: str) -> dict:
    colors = THEMES.get(theme, THEMES["light"])
    axis = {
        "gridcolor": colors["grid"],
        "zerolinecolor": colors["grid"],
        "automargin": True,
    }
    return {
        # The title sits at the foot of a 72 px top margin, below the band where plotly draws its
        # toolbar while the pointer is over the chart, so the toolbar never covers the title,
        # however narrow the card or wide the title is in the browser's font.
        "title": {
            "text": title,
            "x": 0,
            "xanchor": "left",
            "y": 1,
            "yref": "paper",
            "yanchor": "bottom",
            "pad": {"b": 14},
            "font": {"size": 16},
        },
        "paper_bgcolor": colors["bg"],
        "plot_bgcolor": colors["bg"],
        "font": {
            "color": colors["font"],
            "family": "system-ui, -apple-system, Segoe UI, sans-serif",
        },
        "margin": {"l": 60, "r": 20, "t": 72, "b": 50},
        "legend": {"orientation": "h", "y": -0.2},
        "hovermode": "x unified",
        "modebar": {
            "bgcolor": "rgba(0,0,0,0)",
            "color": colors["grid"],
            "activecolor": "#2f6fde",
        },
        "xaxis": {**axis, "title": {"text": xaxis_title}},
        "yaxis": {
            **axis,
            "title": {"text": yaxis_title},
            "tickprefix": "$",
            "separatethousands": True,
        },
    }


chart_layout = (
    _layout  # the same title, fonts, margins and theme for other modules' charts
)


# dcc.Graph's config for every chart: no plotly logo, and only the tools these charts use
# (download, zoom, pan, reset). With all of plotly's buttons the toolbar was ~250 px wide and
# covered the title of a chart in a third-width card. Nothing leaves for Plotly's cloud: no
# "send to Chart Studio" button or "Edit in Chart Studio" link, and no server URL to send to.
# The PNG download stays for every role: it is the chart the user already sees, saved locally
# (docs/SECURITY.md).
GRAPH_CONFIG = {
    "displaylogo": False,
    "showSendToCloud": False,
    "showEditInChartStudio": False,
    "showLink": False,
    "sendData": False,
    "plotlyServerURL": "",
    "modeBarButtonsToRemove": [
        "select2d",
        "lasso2d",
        "zoomIn2d",
        "zoomOut2d",
        "autoScale2d",
        "sendDataToCloud",
        "editInChartStudio",
    ],
}


def _floats(values) -> list[float]:
    return [float(v) for v in values]


def _has_activity(frame: pd.DataFrame) -> bool:
    return bool(len(frame) and (frame["spend"].any() or frame["revenue"].any()))


def revenue_trend_figure(
    trend: pd.DataFrame,
    theme: str = "light",
    granularity: str = "day",
    rng: DateRange | None = None,
) -> dict:
    """Revenue, spend and profit per bucket of a revenue_trend frame; weeks that ``rng`` covers
    only in part get open markers, lighter bars, a hover line and a note under the chart."""
    if not _has_activity(trend):
        return empty_figure(NO_ACTIVITY, theme)
    weekly = granularity == "week"
    step = 7 if weekly else 1
    buckets = list(trend["bucket"])
    x = [d.isoformat() for d in buckets]
    coverage = (
        [week_coverage(b, rng.start, rng.end) for b in buckets]
        if weekly and rng is not None
        else ["Whole week" if weekly else "Day"] * len(buckets)
    )
    partial = [c.startswith("Partial") for c in coverage]
    hover = "%{y:$,.2f}<br>%{customdata}" if weekly else "%{y:$,.2f}"
    symbols = ["circle-open" if p else "circle" for p in partial]
    data = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": name,
            "x": x,
            "y": _floats(trend[column]),
            "line": {"color": COLORS[column], "width": 2},
            "marker": {"symbol": symbols, "size": 8},
            "customdata": coverage,
            "hovertemplate": hover,
        }
        for name, column in (("Revenue", "revenue"), ("Spend", "spend"))
    ]
    data.append(
        {
            "type": "bar",
            "name": "Profit",
            "x": x,
            "y": _floats(trend["profit"]),
            "width": [bar_width_ms(step)] * len(x),
            "marker": {
                "color": [
                    COLORS["profit"] if p >= 0 else COLORS["loss"]
                    for p in trend["profit"]
                ],
                "opacity": [PARTIAL_OPACITY if p else WHOLE_OPACITY for p in partial],
            },
            "customdata": coverage,
            "hovertemplate": hover,
        }
    )
    unit = "Week starting (Monday, or the range's first day)" if weekly else "Day"
    title = f"Revenue, spend and profit by {'week' if weekly else 'day'}"
    layout = _layout(title, theme, "Amount (USD)", unit)
    layout["xaxis"].update(date_axis(buckets, step))
    note = partial_week_note(coverage) if weekly else None
    if note:
        layout["margin"]["b"] = 90
        layout["annotations"] = [
            {
                "text": note,
                "showarrow": False,
                "xref": "paper",
                "yref": "paper",
                "x": 0,
                "xanchor": "left",
                "y": -0.38,
                "yanchor": "top",
                "font": {"size": 12},
            }
        ]
    return {"data": data, "layout": layout}


def platform_breakdown_figure(platforms: pd.DataFrame, theme: str = "light") -> dict:
    """Spend and revenue per platform, each platform's ROAS written under its name.

    The ROAS goes in the axis label, not as text on a bar: plotly shrinks a bar's text to the
    bar's width, which in the overview's narrow card made it a few pixels high."""
    if not _has_activity(platforms):
        return empty_figure(NO_ACTIVITY, theme)
    names = [platform_label(p) for p in platforms["platform"]]
    data = [
        {
            "type": "bar",
            "name": name,
            "x": names,
            "y": _floats(platforms[column]),
            "marker": {"color": COLORS[column]},
            "hovertemplate": "%{y:$,.2f}",
        }
        for name, column in (("Spend", "spend"), ("Revenue", "revenue"))
    ]
    layout = _layout("Spend and revenue by platform", theme, "Amount (USD)", "Platform")
    layout["xaxis"].update(
        tickangle=0,  # rotated, the two-line labels ran into the legend
        tickmode="array",
        tickvals=names,
        ticktext=[
            f"{name}<br>ROAS {ratio(roas)}"
            for name, roas in zip(names, platforms["roas"], strict=True)
        ],
    )
    layout.update(barmode="group", hovermode="closest")
    return {"data": data, "layout": layout}


def empty_figure(message: str, theme: str = "light") -> dict:
    layout = _layout("", theme, "", "")
    layout.update(
        xaxis={"visible": False},
        yaxis={"visible": False},
        annotations=[{"text": message, "showarrow": False, "font": {"size": 14}}],
    )
    return {"data": [], "layout": layout}


NO_DEPLOYMENTS = "No deployments yet."
NO_ACTIVITY = "No spend or revenue in this period."


def campaign_daily_figure(daily: pd.DataFrame, theme: str = "light") -> dict:
    """Revenue (solid) and spend (dotted) per day for each platform of a campaign_daily frame;
    a message instead when the campaign runs on no platform, or spent and earned nothing in the
    range (flat lines at zero on a -$1 to $1 axis said less than the words)."""
    if daily.empty:
        return empty_figure(NO_DEPLOYMENTS, theme)
    if not _has_activity(daily):
        return empty_figure(NO_ACTIVITY, theme)
    palette = {"meta": "#2f6fde", "google": "#2a9d6f", "tiktok": "#c2410c"}
    data = []
    for platform, rows in daily.groupby("platform", sort=True):
        x = [d.isoformat() for d in rows["date"]]
        label = platform_label(platform)
        color = palette.get(platform, "#6c757d")
        data.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": f"{label} revenue",
                "x": x,
                "y": _floats(rows["revenue"]),
                "line": {"color": color, "width": 2},
                "hovertemplate": "%{y:$,.2f}",
            }
        )
        data.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": f"{label} spend",
                "x": x,
                "y": _floats(rows["spend"]),
                "line": {"color": color, "width": 1.5, "dash": "dot"},
                "hovertemplate": "%{y:$,.2f}",
            }
        )
    layout = _layout(
        "Daily revenue and spend by platform", theme, "Amount (USD)", "Day"
    )
    layout["xaxis"].update(date_axis(sorted(set(daily["date"]))))
    return {"data": data, "layout": layout}
