"""Each chart's summary sentence and table follow its figure (components/chart_text.py)."""

from __future__ import annotations

import dash
from dash import Input, Output

from components.chart_text import figure_summary, figure_table


def register_chart_text(app: dash.Dash) -> None:
    """One callback per graph id that a page lists in ``charts`` (dash.register_page)."""
    graph_ids = {
        graph_id
        for page in dash.page_registry.values()
        if isinstance(page.get("charts"), tuple | list)
        for graph_id in page["charts"]
    }
    for graph_id in sorted(graph_ids):
        app.callback(
            Output(f"{graph_id}-summary", "children"),
            Output(f"{graph_id}-table", "children"),
            Input(graph_id, "figure"),
            # A figure in the page's layout comes with its text already (chart_figure).
            prevent_initial_call=True,
        )(describe_chart)


def describe_chart(figure):
    return figure_summary(figure), figure_table(figure)
