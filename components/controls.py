"""Filter controls shared by pages: date range with presets, platforms, granularity, auto-refresh."""

from __future__ import annotations

import datetime as dt

import dash_bootstrap_components as dbc
from dash import dcc, html

from components.chart_text import chart_figure, figure_title
from components.figures import GRAPH_CONFIG
from components.labels import options, platform_label
from data.filters import PRESETS, DateRange
from data.models import PLATFORMS

REFRESH_CHOICES = {0: "Off", 30: "30 s", 60: "60 s", 300: "5 min"}


def date_range_controls(prefix: str, rng: DateRange, preset: str) -> list:
    """A preset dropdown and a date picker with ids ``<prefix>-preset`` and ``<prefix>-dates``."""
    return [
        dbc.Col(
            [
                dbc.Label(
                    "Period",
                    html_for=f"{prefix}-preset",
                    className="small text-body-secondary mb-1",
                ),
                dcc.Dropdown(
                    id=f"{prefix}-preset",
                    options=[{"label": v, "value": k} for k, v in PRESETS.items()],
                    value=preset,
                    clearable=False,
                    searchable=False,
                ),
            ],
            xs=12,
            sm=6,
            lg=2,
        ),
        dbc.Col(
            [
                dbc.Label(
                    "Dates",
                    html_for=f"{prefix}-dates",
                    className="small text-body-secondary mb-1",
                ),
                dcc.DatePickerRange(
                    id=f"{prefix}-dates",
                    start_date=rng.start.isoformat(),
                    end_date=rng.end.isoformat(),
                    display_format="YYYY-MM-DD",
                    first_day_of_week=1,
                    minimum_nights=0,
                    max_date_allowed=(
                        dt.date.today() + dt.timedelta(days=366)
                    ).isoformat(),
                ),
            ],
            xs=12,
            sm=6,
            # Two dates, an arrow and a caret need ~270 px: a quarter of a 1024 px screen wrapped
            # the caret onto a second line, so the dates take a third there (platforms give it up).
            lg=4,
            xl=3,
        ),
    ]


def platform_control(prefix: str, platforms: tuple[str, ...]) -> dbc.Col:
    return dbc.Col(
        [
            dbc.Label(
                "Platforms",
                html_for=f"{prefix}-platforms",
                className="small text-body-secondary mb-1",
            ),
            dcc.Dropdown(
                id=f"{prefix}-platforms",
                multi=True,
                placeholder="All platforms",
                options=options(PLATFORMS, platform_label),
                value=list(platforms),
            ),
        ],
        xs=12,
        sm=6,
        lg=2,
        xl=3,
    )


def granularity_control(prefix: str, value: str) -> dbc.Col:
    return dbc.Col(
        [
            dbc.Label("Trend by", className="small text-body-secondary mb-1 d-block"),
            dbc.RadioItems(
                id=f"{prefix}-granularity",
                inline=True,
                value=value,
                options=[
                    {"label": "Day", "value": "day"},
                    {"label": "Week", "value": "week"},
                ],
            ),
        ],
        xs=6,
        sm=3,
        lg=2,
    )


def refresh_control(prefix: str) -> dbc.Col:
    return dbc.Col(
        [
            dbc.Label(
                "Auto-refresh",
                html_for=f"{prefix}-refresh",
                className="small text-body-secondary mb-1",
            ),
            dcc.Dropdown(
                id=f"{prefix}-refresh",
                clearable=False,
                searchable=False,
                value=0,
                options=[{"label": v, "value": k} for k, v in REFRESH_CHOICES.items()],
            ),
            dcc.Interval(id=f"{prefix}-refresh-timer", disabled=True, interval=60_000),
        ],
        xs=6,
        sm=3,
        lg=2,
    )


def link_problem(prefix: str, problem: str | None) -> html.Div:
    """What was wrong with the link that opened the page (its filters were replaced by defaults)."""
    return html.Div(
        error_alert(problem) if problem else None, id=f"{prefix}-link-problem"
    )


def message_area(component_id: str) -> html.Div:
    return html.Div(id=component_id, role="status", **{"aria-live": "polite"})


def error_alert(message: str) -> dbc.Alert:
    return dbc.Alert(message, color="warning", className="py-2", dismissable=True)


def chart_card(
    graph_id: str, lg: int, figure: dict | None = None, name: str | None = None
) -> dbc.Col:
    """A card holding one graph (named ``name``, else after its figure's title; with its summary
    and table), and its first figure if known."""
    name = name or f"Chart: {figure_title(figure)}" if figure else "Chart"
    graph = dcc.Graph(id=graph_id, config=GRAPH_CONFIG, className="chart")
    if figure is not None:
        graph.figure = figure
    return dbc.Col(
        dbc.Card(dbc.CardBody(chart_figure(graph, name, figure))),
        lg=lg,
        className="mb-3",
    )


def export_links(prefix: str, links: list[tuple[str, str, str]]) -> html.Div:
    """Small outline buttons, one per (key, label, href), with ids ``<prefix>-export-<key>``."""
    return html.Div(
        [html.Span("Export:", className="small text-body-secondary me-2")]
        + [
            dbc.Button(
                label,
                href=href,
                external_link=True,
                size="sm",
                outline=True,
                color="primary",
                className="me-2",
                id=f"{prefix}-export-{key}",
            )
            for key, label, href in links
        ],
        className="mb-2",
    )
