"""Builders for the organization settings page: fee-rate form, API-key form, masked key table."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from components.controls import message_area
from components.labels import options, platform_label
from data.models import PLATFORMS


def _field(
    label: str, control, hint: str | None = None, for_id: str | None = None
) -> html.Div:
    """``control`` labelled; ``for_id`` when the control sits in a wrapper of its own."""
    parts = [dbc.Label(label, html_for=for_id or control.id, className="mb-1"), control]
    if hint:
        parts.append(dbc.FormText(hint))
    return html.Div(parts, className="mb-2")


def fee_rate_card(ID: dict) -> dbc.Card:
    """The performance-fee percentage and its save button."""
    return dbc.Card(
        [
            dbc.CardHeader("Performance fee"),
            dbc.CardBody(
                [
                    _field(
                        "Fee rate (%)",
                        dbc.Input(id=ID["fee"], type="text", inputMode="decimal"),
                        "KIKI's share of revenue, 0 to 100 % (two decimals at most; "
                        "20.5 or 20,5).",
                    ),
                    _field(
                        "Applies from",
                        html.Div(  # its place kept while the picker's script loads
                            dcc.DatePickerSingle(
                                id=ID["fee-from"],
                                placeholder="Today",
                                display_format="YYYY-MM-DD",
                                first_day_of_week=1,
                                clearable=True,
                            ),
                            className="async-control",
                        ),
                        "Days before this date keep the fee they were charged.",
                        for_id=ID["fee-from"],
                    ),
                    dbc.Button("Save fee rate", id=ID["fee-save"], color="primary"),
                    message_area(ID["fee-message"]),
                ]
            ),
        ],
        className="mb-3",
    )


def time_zone_card(ID: dict, names: tuple[str, ...]) -> dbc.Card:
    """The organization's time zone: a searchable list of IANA names and its save button."""
    return dbc.Card(
        [
            dbc.CardHeader("Time zone"),
            dbc.CardBody(
                [
                    _field(
                        "Time zone",
                        html.Div(  # its place kept while the dropdown's script loads
                            dcc.Dropdown(
                                id=ID["zone"],
                                options=list(names),
                                clearable=False,
                                searchable=True,
                                placeholder="Type to search, e.g. Berlin",
                            ),
                            className="async-control",
                        ),
                        "Alert windows count whole days in this zone, and scheduled "
                        "reports go out at their hour in it.",
                        for_id=ID["zone"],
                    ),
                    dbc.Button("Save time zone", id=ID["zone-save"], color="primary"),
                    message_area(ID["zone-message"]),
                ]
            ),
        ],
        className="mb-3",
    )


def credential_form_card(ID: dict) -> dbc.Card:
    """Platform picker and a write-only key input: the stored key is never shown."""
    choices = options(PLATFORMS, platform_label)
    return dbc.Card(
        [
            dbc.CardHeader("Set or replace an API key"),
            dbc.CardBody(
                [
                    _field(
                        "Platform",
                        dbc.Select(id=ID["platform"], options=choices, value="meta"),
                    ),
                    _field(
                        "API key",
                        dbc.Input(
                            id=ID["key"],
                            type="password",
                            maxLength=512,
                            autocomplete="new-password",
                        ),
                        "Stored encrypted; afterwards only its last four characters show.",
                    ),
                    dbc.Button("Save key", id=ID["key-save"], color="primary"),
                    message_area(ID["key-message"]),
                ]
            ),
        ],
        className="mb-3",
    )


CREDENTIAL_HEADERS = ("Platform", "Key", "Set", "By")


def credentials_table(frame: pd.DataFrame) -> dbc.Table:
    """Platform, masked key ("••••1234" or "not set"), when and by whom it was last set."""
    rows = []
    for row in frame.itertuples(index=False):
        when = row.updated_at.strftime("%Y-%m-%d %H:%M") if row.masked else "—"
        rows.append(
            html.Tr(
                [
                    html.Td(platform_label(row.platform)),
                    html.Td(
                        html.Code(row.masked)
                        if row.masked
                        else html.Span("not set", className="text-body-secondary")
                    ),
                    html.Td(when),
                    html.Td(row.updated_by or "—"),
                ]
            )
        )
    header = html.Thead(html.Tr([html.Th(label) for label in CREDENTIAL_HEADERS]))
    return dbc.Table(
        [header, html.Tbody(rows)], hover=True, size="sm", className="mb-0"
    )
