"""Each chart's summary sentence follows its figure, and its table is built when its "Show as
table" is first opened, then follows the figure (components/chart_text.py)."""

from __future__ import annotations

import dash
from dash import Input, Output, State
from dash.exceptions import PreventUpdate

from components.chart_text import figure_summary, figure_table


def register_chart_text(app: dash.Dash) -> None:
    """Two callbacks per graph id that a page lists in ``charts`` (dash.register_page)."""
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
            State(f"{graph_id}-table", "children"),
            # A figure in the page's layout comes with its summary already (chart_figure).
            prevent_initial_call=True,
        )(describe_chart)
        app.callback(
            Output(f"{graph_id}-table", "children", allow_duplicate=True),
            Input(f"{graph_id}-details", "n_clicks"),
            State(graph_id, "figure"),
            State(f"{graph_id}-table", "children"),
            prevent_initial_call=True,
        )(open_chart_table)


def describe_chart(figure, table):
    """The new figure's summary; its table only if one is shown already."""
    return figure_summary(figure), (
        figure_table(figure) if table is not None else dash.no_update
    )


def open_chart_table(_clicks, figure, table):
    """The table, the first time the details are clicked open (later clicks change nothing)."""
    if table is not None:
        raise PreventUpdate
    return figure_table(figure)
