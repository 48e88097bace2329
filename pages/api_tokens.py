"""API tokens (/profile/tokens): create a personal API token (shown once), list and revoke your own."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import ALL, Input, Output, State, callback, dcc, html
from dash.exceptions import PreventUpdate
from flask import g, request

from components.controls import error_alert
from components.data_errors import data_error_message
from components.format import NO_VALUE
from data.db import db_session
from data.errors import DataError
from data.writes.api_tokens import (
    MAX_NAME_LENGTH,
    active_tokens,
    create_token,
    revoke_token,
)
from data.writes.transaction import write_transaction
from shell.callback_inputs import clicked, count, text

PREFIX = "tokens"
ID = {
    name: f"{PREFIX}-{name}"
    for name in ("name", "scope", "create", "new", "list", "message", "changed")
}
SCOPE_OPTIONS = [
    {"label": "Read only", "value": "read"},
    {
        "label": "Read and write (create, edit, submit and decide campaigns)",
        "value": "read+write",
    },
    {
        "label": "Read and send metrics (POST /api/v1/metrics, for a data pipeline)",
        "value": "ingest",
    },
]
REVOKE_TYPE = f"{PREFIX}-revoke"
SCOPE_LABELS = {
    "read": "Read only",
    "read+write": "Read and write",
    "ingest": "Read and send metrics",
}

dash.register_page(
    __name__,
    path="/profile/tokens",
    name="API tokens",
    title="API tokens · KIKI Analytics",
    order=91,
    nav=False,
    min_role="viewer",
    id_prefix=f"{PREFIX}-",
)


def layout(**_ignored):
    return html.Div(
        [
            html.H1("API tokens", className="h3 mb-2"),
            html.P(
                [
                    (
                        "A personal token lets a script use the JSON API as you, "
                        "with your role, until you revoke it: read only, or read and "
                        "write. Send it as "
                    ),
                    html.Code("Authorization: Bearer <token>"),
                    ". See the ",
                    html.A("API reference", href="/api/v1/docs"),
                    ".",
                ],
                className="text-body-secondary",
            ),
            dbc.Card(
                dbc.CardBody(
                    dbc.Row(
                        [
                            dbc.Col(
                                [
                                    dbc.Label("Token name", html_for=ID["name"]),
                                    dbc.Input(
                                        id=ID["name"],
                                        placeholder="e.g. reporting script",
                                        maxLength=MAX_NAME_LENGTH,
                                    ),
                                ],
                                md=8,
                            ),
                            dbc.Col(
                                dbc.Button(
                                    "Create token", id=ID["create"], color="primary"
                                ),
                                md=4,
                                className="align-self-end",
                            ),
                            dbc.Col(
                                html.Fieldset(
                                    [
                                        html.Legend(
                                            "Access", className="form-label fs-6"
                                        ),
                                        dbc.RadioItems(
                                            id=ID["scope"],
                                            options=SCOPE_OPTIONS,
                                            value="read",
                                        ),
                                    ]
                                ),
                                width=12,
                            ),
                        ],
                        className="g-2",
                    )
                ),
                className="mb-3",
            ),
            html.Div(id=ID["message"]),
            html.Div(id=ID["new"]),
            dcc.Store(id=ID["changed"], data=0),
            dcc.Loading(html.Div(id=ID["list"]), delay_show=300),
        ]
    )


def _when(value) -> str:
    """A stored UTC time as "2026-11-01 14:03 UTC"; "—" for never."""
    if value is None or pd.isna(value):
        return NO_VALUE
    stamp = pd.Timestamp(value)
    stamp = (
        stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    )
    return stamp.strftime("%Y-%m-%d %H:%M UTC")


def _new_token_alert(plaintext: str) -> dbc.Alert:
    return dbc.Alert(
        [
            html.Div("Your new token:"),
            html.Code(plaintext, className="user-select-all fs-6 one-time-secret"),
            html.Small(
                " Copy it now: only its fingerprint is stored, so it cannot be shown again.",
                className="d-block mt-2",
            ),
        ],
        color="success",
        className="py-2",
    )


def _tokens_table(frame) -> html.Div:
    if frame.empty:
        return html.P("You have no active tokens.", className="text-body-secondary")
    header = html.Thead(
        html.Tr(
            [
                html.Th(h)
                for h in ("Name", "Starts with", "Access", "Created", "Last used", "")
            ]
        )
    )
    rows = [
        html.Tr(
            [
                html.Td(row["name"]),
                html.Td(html.Code(row["prefix"] + "…")),
                html.Td(SCOPE_LABELS.get(row["scope"], row["scope"])),
                html.Td(_when(row["created_at"])),
                html.Td(_when(row["last_used_at"])),
                html.Td(
                    dbc.Button(
                        "Revoke",
                        id={"type": REVOKE_TYPE, "index": int(row["token_id"])},
                        color="outline-danger",
                        size="sm",
                    )
                ),
            ]
        )
        for _, row in frame.iterrows()
    ]
    return dbc.Table([header, html.Tbody(rows)], size="sm", hover=True, responsive=True)


@callback(Output(ID["list"], "children"), Input(ID["changed"], "data"))
def list_api_tokens(_version):
    """The caller's active tokens (on load, and after each create or revoke)."""
    return _tokens_table(active_tokens(db_session(), g.scope.user_id))


@callback(
    Output(ID["new"], "children"),
    Output(ID["message"], "children"),
    Output(ID["name"], "value"),
    Output(ID["changed"], "data"),
    Input(ID["create"], "n_clicks"),
    Input({"type": REVOKE_TYPE, "index": ALL}, "n_clicks"),
    State(ID["name"], "value"),
    State(ID["changed"], "data"),
    State(ID["scope"], "value"),
    prevent_initial_call=True,
)
def change_api_tokens(_create, _revoke, name, version, scope):
    """Create a token (its plaintext shown this once, its access chosen: read, or read and
    write) or revoke one of the caller's own."""
    user_id, trigger = g.scope.user_id, clicked()
    changed = count(version) + 1
    if trigger == ID["create"]:
        try:
            name = text(name, "name")
            with write_transaction() as db:
                _token, plaintext = create_token(
                    db, user_id, name, request.remote_addr, scope=scope or "read"
                )
        except DataError as exc:
            message = error_alert(data_error_message(exc))
            return None, message, dash.no_update, dash.no_update
        return _new_token_alert(plaintext), None, "", changed
    index = trigger.get("index") if isinstance(trigger, dict) else None
    if count(index) < 1:  # the page's ids are whole numbers: anything else is forged
        raise PreventUpdate
    with write_transaction() as db:
        revoked = revoke_token(db, user_id, index, request.remote_addr)
    if revoked:
        message = dbc.Alert(
            "The token was revoked: it no longer works.",
            color="success",
            className="py-2",
        )
        return None, message, dash.no_update, changed
    message = error_alert("That token is not one of your active tokens.")
    return None, message, dash.no_update, changed
