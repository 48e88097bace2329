"""Filter controls shared by pages: date range with presets, platforms, granularity, auto-refresh."""

from __future__ import annotations

import datetime as dt

import dash_bootstrap_components as dbc
from dash import dcc, html

from components.figures import PLATFORM_LABELS
from data.filters import PRESETS, DateRange

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
                    className="d-block",
                    max_date_allowed=(
                        dt.date.today() + dt.timedelta(days=366)
                    ).isoformat(),
                ),
            ],
            xs=12,
            sm=6,
            lg=3,
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
                options=[{"label": v, "value": k} for k, v in PLATFORM_LABELS.items()],
                value=list(platforms),
            ),
        ],
        xs=12,
        sm=6,
        lg=3,
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


def message_area(component_id: str) -> html.Div:
    return html.Div(id=component_id, role="status", **{"aria-live": "polite"})


def error_alert(message: str) -> dbc.Alert:
    return dbc.Alert(message, color="warning", className="py-2", dismissable=True)
