"""The floor: a bare dash.Dash + dbc page (a graph, Bootstrap) with one no-op callback, no app code.

Served by the same gunicorn settings as the app: `gunicorn "bench.floor_app:create_floor_server()"`.
Its no-op callback has the shape of the app's cheapest one (set_overview_refresh: one input, two
outputs), so the two differ only by the app's per-request machinery.
"""

from __future__ import annotations

from pathlib import Path

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, dcc, html

ASSETS = Path(__file__).resolve().parent.parent / "assets"
FIGURE = {
    "data": [{"type": "scatter", "x": [1, 2, 3], "y": [3, 1, 2]}],
    "layout": {"title": {"text": "Floor"}},
}


def create_floor_app() -> dash.Dash:
    """Dash's defaults (no compression) plus the Bootstrap CSS the app ships (no CDN here)."""
    app = dash.Dash(
        __name__,
        assets_folder=str(ASSETS),
        assets_ignore=r"^kiki",  # only 00-bootstrap.min.css: the dbc theme, served locally
        serve_locally=True,
    )
    app.layout = dbc.Container(
        [
            html.H1("Floor"),
            dbc.Select(
                id="floor-refresh",
                options=[{"label": "off", "value": 0}, {"label": "30 s", "value": 30}],
                value=0,
            ),
            dcc.Interval(id="floor-timer", disabled=True),
            dcc.Graph(id="floor-graph", figure=FIGURE),
        ]
    )

    @app.callback(
        Output("floor-timer", "disabled"),
        Output("floor-timer", "interval"),
        Input("floor-refresh", "value"),
        prevent_initial_call=True,
    )
    def set_floor_refresh(seconds):
        seconds = seconds if seconds in (30, 60, 300) else 0
        return seconds == 0, max(seconds, 30) * 1000

    return app


def create_floor_server():
    return create_floor_app().server
