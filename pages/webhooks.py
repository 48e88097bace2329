"""Webhooks (/settings/webhooks, admins): the organization's endpoints for alert events, adding
one (its signing secret shown once), removing one after a confirmation, and the latest delivery
attempts with their answers (data/alerts/ delivers and logs them)."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import ALL, Input, Output, State, callback, dcc, html
from flask import g, request

from components.approvals import when
from components.controls import message_area
from components.data_errors import data_error_message
from data.db import read_session
from data.errors import DataError
from data.reads.alerts import webhook_endpoints
from data.reads.webhook_attempts import webhook_attempts
from data.writes.transaction import write_transaction
from data.writes.webhooks import create_endpoint, delete_endpoint
from shell.callback_inputs import clicked

PREFIX = "webhooks"
ID = {
    name: f"{PREFIX}-{name}"
    for name in (
        "url", "description", "add", "secret", "notice", "list", "attempts",
        "changed", "confirm", "pending",
    )
}  # fmt: skip
DELETE_TYPE = f"{PREFIX}-delete"

dash.register_page(
    __name__,
    path="/settings/webhooks",
    name="Webhooks",
    title="Webhooks · KIKI Analytics",
    order=93,
    nav=False,
    min_role="admin",
    id_prefix=f"{PREFIX}-",
)


def layout(**_ignored):
    return html.Div(
        [
            html.H1("Webhooks", className="h3 mb-2"),
            html.P(
                (
                    "Alert rules with the webhook channel POST a JSON event to each "
                    "endpoint, signed the Standard Webhooks way (headers webhook-id, "
                    "webhook-timestamp and webhook-signature: an HMAC-SHA256 with the "
                    "endpoint's secret). A failed delivery is retried with growing waits; "
                    "every attempt is listed below."
                ),
                className="text-body-secondary",
            ),
            dbc.Card(
                dbc.CardBody(
                    [
                        html.H2("Add an endpoint", className="h5"),
                        dbc.Row(
                            [
                                dbc.Col(
                                    [
                                        dbc.Label("Address", html_for=ID["url"]),
                                        dbc.Input(
                                            id=ID["url"],
                                            type="url",
                                            placeholder="https://example.com/kiki-hooks",
                                            maxLength=500,
                                        ),
                                    ],
                                    md=7,
                                ),
                                dbc.Col(
                                    [
                                        dbc.Label(
                                            "Description", html_for=ID["description"]
                                        ),
                                        dbc.Input(id=ID["description"], maxLength=200),
                                    ],
                                    md=5,
                                ),
                            ],
                            className="g-3",
                        ),
                        dbc.Button(
                            "Add endpoint",
                            id=ID["add"],
                            color="primary",
                            className="mt-3",
                        ),
                        message_area(ID["secret"]),
                    ]
                ),
                className="mb-3",
            ),
            message_area(ID["notice"]),
            dcc.Store(id=ID["changed"], data=0),
            dcc.Store(id=ID["pending"]),
            dcc.ConfirmDialog(
                id=ID["confirm"],
                message="Remove this webhook? Alert events stop going to it at once.",
            ),
            html.H2("Endpoints", className="h5"),
            html.Div(id=ID["list"]),
            html.H2("Latest delivery attempts", className="h5 mt-4"),
            html.Div(id=ID["attempts"]),
        ]
    )


def _endpoint_table(frame: pd.DataFrame):
    if frame.empty:
        return html.P("No webhooks yet.", className="text-body-secondary")
    header = html.Thead(
        html.Tr(
            [
                html.Th(text, scope="col")
                for text in ("Address", "Description", "Added", "")
            ]
        )
    )
    rows = [
        html.Tr(
            [
                html.Td(html.Code(row["url"])),
                html.Td(row["description"] or "—"),
                html.Td(when(row["created_at"])),
                html.Td(
                    dbc.Button(
                        "Remove",
                        id={"type": DELETE_TYPE, "index": int(row["endpoint_id"])},
                        color="danger",
                        outline=True,
                        size="sm",
                    )
                ),
            ]
        )
        for _, row in frame.iterrows()
    ]
    return html.Div(
        dbc.Table([header, html.Tbody(rows)], size="sm", className="mb-0"),
        className="table-responsive",
    )


@callback(
    Output(ID["list"], "children"),
    Output(ID["attempts"], "children"),
    Input(ID["changed"], "data"),
)
def list_webhooks(_changed):
    """The organization's endpoints and their latest delivery attempts."""
    session = read_session()
    return _endpoint_table(webhook_endpoints(session, g.scope)), attempt_table(
        session, g.scope
    )


def attempt_table(session, scope):
    """The latest attempts: when, where, which event, the answer or the error."""
    frame = webhook_attempts(session, scope)
    if frame.empty:
        return html.P("No deliveries yet.", className="text-body-secondary")
    header = html.Thead(
        html.Tr(
            [
                html.Th(text, scope="col")
                for text in ("When", "Address", "Event", "Attempt", "Answer", "Time")
            ]
        )
    )
    rows = []
    for _, row in frame.iterrows():
        code = row["status_code"]
        delivered = bool(row["ok"])
        answer = (
            f"{int(code)}" if code is not None and not pd.isna(code) else "No answer"
        )
        if row["error"]:
            answer += f": {row['error']}"
        rows.append(
            html.Tr(
                [
                    html.Td(when(row["attempted_at"])),
                    html.Td(
                        html.Code(row["endpoint_url"])
                        if row["endpoint_url"]
                        else "Removed"
                    ),
                    html.Td(row["event_type"]),
                    html.Td(int(row["attempt"])),
                    html.Td(("✓ " if delivered else "× ") + answer),
                    html.Td(
                        "—"
                        if row["duration_ms"] is None or pd.isna(row["duration_ms"])
                        else f"{int(row['duration_ms'])} ms"
                    ),
                ]
            )
        )
    return html.Div(
        dbc.Table([header, html.Tbody(rows)], size="sm", className="mb-0 small"),
        className="table-responsive",
    )


@callback(
    Output(ID["secret"], "children"),
    Output(ID["changed"], "data"),
    Output(ID["url"], "value"),
    Input(ID["add"], "n_clicks"),
    State(ID["url"], "value"),
    State(ID["description"], "value"),
    State(ID["changed"], "data"),
    prevent_initial_call=True,
)
def add_webhook(_add, url, description, changed):
    """Add the endpoint and show its secret once."""
    clicked()
    try:
        with write_transaction() as db:
            endpoint, secret = create_endpoint(
                db, g.scope, url, description or "", ip_address=request.remote_addr
            )
            address = endpoint.url
    except DataError as error:
        return dbc.Alert(data_error_message(error), color="danger"), dash.no_update, url
    shown = dbc.Alert(
        [
            html.P(
                f"Added {address}. Its signing secret, shown only now:",
                className="mb-1",
            ),
            html.Code(secret, id=f"{PREFIX}-new-secret", className="user-select-all"),
            html.P(
                "Keep it where your receiver verifies signatures.",
                className="mb-0 small",
            ),
        ],
        color="success",
    )
    return shown, (changed if isinstance(changed, int) else 0) + 1, ""


@callback(
    Output(ID["notice"], "children"),
    Output(ID["changed"], "data", allow_duplicate=True),
    Output(ID["confirm"], "displayed"),
    Output(ID["pending"], "data"),
    Input({"type": DELETE_TYPE, "index": ALL}, "n_clicks"),
    Input(ID["confirm"], "submit_n_clicks"),
    State(ID["pending"], "data"),
    State(ID["changed"], "data"),
    prevent_initial_call=True,
)
def remove_webhook(_clicks, _confirmed, pending, changed):
    """Ask before removing the clicked endpoint; remove it when the dialog confirms."""
    trigger = clicked()
    if trigger != ID["confirm"]:
        index = trigger.get("index") if isinstance(trigger, dict) else None
        return dash.no_update, dash.no_update, isinstance(index, int), index
    try:
        with write_transaction() as db:
            delete_endpoint(db, g.scope, pending, ip_address=request.remote_addr)
    except DataError as error:
        return data_error_message(error), dash.no_update, False, None
    return (
        "The webhook was removed.",
        (changed if isinstance(changed, int) else 0) + 1,
        False,
        None,
    )
