"""Charts for everyone: a chart's name, a one-sentence summary and its numbers as a table, all
read from the same figure dict the chart is drawn from (components/figures.py)."""

from __future__ import annotations

import math

from dash import dcc, html

from components.format import money

DATE_LENGTH = len("2026-01-31")


def _number(value) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
    )


def _trace(trace) -> dict | None:
    """A trace as drawn (x and y lists of one length, y numbers), or None for anything else."""
    if not isinstance(trace, dict):
        return None
    x, y = trace.get("x"), trace.get("y")
    if x is None:
        return trace if isinstance(trace.get("name", ""), str) else None
    if not (isinstance(x, list) and isinstance(y, list) and len(x) == len(y)):
        return None
    if not all(_number(v) for v in y) or not all(
        isinstance(v, str | int | float) for v in x
    ):
        return None
    return trace


def drawn_figure(figure) -> dict:
    """The figure as the builders in components/figures.py draw it: a forged or malformed one
    (the browser sends it back as a callback input) reads as an empty chart, never an error."""
    if not isinstance(figure, dict):
        return {}
    data = figure.get("data")
    layout = figure.get("layout")
    title = layout.get("title") if isinstance(layout, dict) else None
    notes = layout.get("annotations") if isinstance(layout, dict) else None
    clean_layout = {
        **(layout if isinstance(layout, dict) else {}),
        "title": title
        if isinstance(title, dict) and isinstance(title.get("text", ""), str)
        else {},
        "annotations": [
            n
            for n in notes
            if isinstance(n, dict) and isinstance(n.get("text", ""), str)
        ]
        if isinstance(notes, list)
        else [],
    }
    data = [r for t in data for r in _heatmap_rows(t)] if isinstance(data, list) else []
    traces = [t for t in map(_trace, data) if t]
    return {"data": traces, "layout": clean_layout}


def _heatmap_rows(trace) -> list:
    """A grid of tiles (a trace with ``meta: "grid"``: x its columns, customdata its rows'
    names, the marker's colours its values) as one series per row, so its summary and table
    read like any chart's; other traces as they are."""
    if not (isinstance(trace, dict) and trace.get("meta") == "grid"):
        return [trace]
    marker = trace.get("marker")
    x, y = trace.get("x"), trace.get("customdata")
    z = marker.get("color") if isinstance(marker, dict) else None
    if not all(isinstance(v, list) for v in (x, y, z)) or not len(x) == len(y) == len(
        z
    ):
        return []
    rows: dict = {}
    for column, row, value in zip(x, y, z, strict=True):
        if _number(value) and isinstance(row, str):
            series = rows.setdefault(row, {"name": row, "x": [], "y": []})
            series["x"].append(column)
            series["y"].append(value)
    return list(rows.values())


def figure_title(figure: dict | None) -> str:
    """The chart's title, or its message when it has no data ("No deployments yet.")."""
    layout = drawn_figure(figure)["layout"]
    title = (layout.get("title") or {}).get("text") or ""
    if title:
        return title
    notes = layout.get("annotations") or []
    return notes[0].get("text", "") if notes else ""


def _is_dates(values: list) -> bool:
    return bool(values) and all(
        isinstance(v, str) and len(v) == DATE_LENGTH and v[4] == "-" for v in values
    )


def _headline(figure: dict) -> tuple[str, dict]:
    """The series a summary speaks of: revenue (summed over traces named "… revenue", e.g. one
    per platform) when the chart has it, else its first trace; as (name, {x: y})."""
    traces = [t for t in figure.get("data", []) if t.get("x") is not None]
    revenue = [t for t in traces if "revenue" in str(t.get("name", "")).lower()]
    chosen = revenue or traces[:1]
    totals: dict = {}
    for trace in chosen:
        for x, y in zip(trace["x"], trace["y"], strict=True):
            totals[x] = totals.get(x, 0.0) + float(y)
    name = "Revenue" if revenue else str(chosen[0].get("name", "Value"))
    return name, totals


def figure_summary(figure: dict | None) -> str:
    """One sentence on what the chart shows, e.g. "Revenue rose from $10.00 on 2026-10-01 to
    $25.00 on 2026-10-07; peak $30.00 on 2026-10-05." (dates), or "Revenue was highest for
    Google ($30.00) and lowest for Meta ($10.00)." (categories)."""
    figure = drawn_figure(figure)
    if not any(t.get("x") for t in figure.get("data", [])):
        return figure_title(figure) or "No data to show."
    meta = figure["layout"].get("meta")
    if isinstance(meta, dict) and isinstance(meta.get("summary"), str):
        return meta[
            "summary"
        ]  # the builder's own sentence (a heatmap, curves against a line)
    name, values = _headline(figure)
    xs = list(values)
    if _is_dates(xs):
        xs.sort()
        first, last = xs[0], xs[-1]
        if len(xs) == 1:
            return f"{name} was {money(values[first])} on {first}."
        start, end = values[first], values[last]
        peak = max(xs, key=lambda x: (values[x], x))
        verb = "rose" if end > start else "fell" if end < start else "held steady"
        return (
            f"{name} {verb} from {money(start)} on {first} to {money(end)} on {last};"
            f" peak {money(values[peak])} on {peak}."
        )
    if len(xs) == 1:
        return f"{name} was {money(values[xs[0]])} for {xs[0]}."
    high = max(xs, key=lambda x: values[x])
    low = min(xs, key=lambda x: values[x])
    return (
        f"{name} was highest for {high} ({money(values[high])})"
        f" and lowest for {low} ({money(values[low])})."
    )


def figure_table(figure: dict | None) -> html.Table | html.P:
    """The chart's numbers: one row per x value (in the order drawn), one column per trace."""
    figure = drawn_figure(figure)
    traces = [t for t in figure.get("data", []) if t.get("x")]
    if not traces:
        return html.P(figure_title(figure) or "No data.", className="mb-0")
    layout = figure.get("layout", {})
    x_title = ((layout.get("xaxis") or {}).get("title") or {}).get("text") or ""
    rows: dict = {}
    for trace in traces:
        for x, y in zip(trace["x"], trace["y"], strict=True):
            rows.setdefault(x, {})[trace.get("name", "")] = y
    names = [t.get("name", "") for t in traces]
    return html.Table(
        [
            html.Caption(figure_title(figure)),
            html.Thead(
                html.Tr(
                    [html.Th(x_title or "", scope="col")]
                    + [html.Th(n, scope="col", className="text-end") for n in names]
                )
            ),
            html.Tbody(
                [
                    html.Tr(
                        [html.Th(str(x), scope="row")]
                        + [
                            html.Td(money(values.get(n)), className="text-end num")
                            for n in names
                        ]
                    )
                    for x, values in rows.items()
                ]
            ),
        ],
        className="table table-sm mb-0 chart-table",
    )


def chart_figure(
    graph: dcc.Graph, name: str, figure: dict | None = None
) -> html.Figure:
    """``graph`` in a <figure> named ``name`` and described by its summary (plotly's SVG says
    little to a screen reader), with a "Show as table" alternative. Not role="img": plotly's
    legend and drag layers hold focusable elements, which an image may not contain. The summary,
    details and table have the ids ``<graph id>-summary``, ``-details`` and ``-table``
    (shell/charts.py). The table is built when the details are first opened, not with every
    layout: building every chart's table made following a link to the overview cost 2.27x the
    instructions (docs/BENCHMARKS.md)."""
    graph_id = graph.id
    return html.Figure(
        [
            graph,
            html.Figcaption(
                [
                    html.P(
                        figure_summary(figure) if figure else "",
                        id=f"{graph_id}-summary",
                        className="chart-summary reserve-line",
                    ),
                    html.Details(
                        [
                            html.Summary("Show as table"),
                            html.Div(  # scrolls: reachable by keyboard too
                                None,
                                id=f"{graph_id}-table",
                                className="chart-table-wrap",
                                tabIndex="0",
                                role="region",
                                **{"aria-label": f"{name}: table"},
                            ),
                        ],
                        id=f"{graph_id}-details",
                    ),
                ]
            ),
        ],
        className="mb-0 chart-figure",
        **{"aria-label": name, "aria-describedby": f"{graph_id}-summary"},
    )
