"""The campaign list's filter controls (ids ``campaigns-<name>``), built from validated filters."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc

from components.controls import date_range_controls, platform_control
from components.labels import options, status_label
from data.filters import CampaignFilters, DateRange
from data.models import CAMPAIGN_STATUSES

LABEL = "small text-body-secondary mb-1"


def _labelled(prefix: str, key: str, label: str, control, **width) -> dbc.Col:
    return dbc.Col(
        [dbc.Label(label, html_for=f"{prefix}-{key}", className=LABEL), control],
        **width,
    )


def _number(prefix: str, key: str, label: str, value, step: str) -> dbc.Col:
    control = dbc.Input(id=f"{prefix}-{key}", type="number", min=0, step=step, value=value,
                        debounce=True, inputmode="decimal")  # fmt: skip
    return _labelled(prefix, key, label, control, xs=4, lg=1)


def campaign_filter_row(
    prefix: str, rng: DateRange, preset: str, filters: CampaignFilters
) -> dbc.Row:
    """Period, dates, name search, status, platforms, minimum spend and a ROAS band."""
    search = dbc.Input(id=f"{prefix}-search", type="search", placeholder="Campaign name",
                       value=filters.search, debounce=True, maxLength=100)  # fmt: skip
    statuses = dcc.Dropdown(
        id=f"{prefix}-status", multi=True, placeholder="Any status", value=list(filters.statuses),
        options=options(CAMPAIGN_STATUSES, status_label),
    )  # fmt: skip
    min_spend = None if filters.min_spend is None else float(filters.min_spend)
    return dbc.Row(
        [
            *date_range_controls(prefix, rng, preset),
            _labelled(prefix, "search", "Search", search, xs=12, sm=6, lg=2),
            _labelled(prefix, "status", "Status", statuses, xs=12, sm=6, lg=2),
            platform_control(prefix, filters.platforms),
            _number(prefix, "min-spend", "Min spend", min_spend, "0.01"),
            _number(prefix, "roas-min", "ROAS ≥", filters.roas_min, "0.1"),
            _number(prefix, "roas-max", "ROAS ≤", filters.roas_max, "0.1"),
        ],
        className="g-2 mb-3 align-items-end controls-row",
    )
