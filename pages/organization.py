"""Organization (/settings/organization, admin): the fee rate, the time zone and the ad
platforms' API keys."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html
from flask import g, request

from components.accounts import success_alert
from components.controls import error_alert
from components.data_errors import data_error_message
from components.organization import (
    CREDENTIAL_HEADERS,
    credential_form_card,
    credentials_table,
    fee_rate_card,
    time_zone_card,
)
from components.skeleton import skeleton_table
from data.db import db_session
from data.errors import DataError
from data.models import PLATFORMS
from data.writes.organizations import (
    fee_rate_percent,
    parse_effective_date,
    set_fee_rate,
    set_time_zone,
    time_zone_names,
    time_zone_of,
)
from data.writes.platform_keys import credential_list, set_credential
from data.writes.transaction import write_transaction
from shell.callback_inputs import count

PREFIX = "org"
ID = {
    name: f"{PREFIX}-{name}"
    for name in (
        "changed",
        "fee",
        "fee-save",
        "fee-from",
        "fee-message",
        "zone",
        "zone-save",
        "zone-message",
        "credentials",
        "platform",
        "key",
        "key-save",
        "key-message",
    )
}

dash.register_page(
    __name__,
    path="/settings/organization",
    name="Organization",
    title="Organization · KIKI Analytics",
    order=55,
    nav=True,
    nav_group="Admin",  # one menu in the navbar (components/shell.py)
    min_role="admin",
    id_prefix=f"{PREFIX}-",
)


def layout(**_ignored):
    return html.Div(
        [
            html.H1("Organization", className="h3 mb-3"),
            dcc.Store(id=ID["changed"], data=0),
            dbc.Row(
                [
                    dbc.Col(
                        [fee_rate_card(ID), time_zone_card(ID, time_zone_names())], lg=4
                    ),
                    dbc.Col(
                        [
                            dbc.Card(
                                [
                                    dbc.CardHeader("Platform API keys"),
                                    dbc.CardBody(
                                        html.Div(
                                            skeleton_table(
                                                CREDENTIAL_HEADERS, len(PLATFORMS)
                                            ),
                                            id=ID["credentials"],
                                        )
                                    ),
                                ],
                                className="mb-3",
                            ),
                            credential_form_card(ID),
                        ],
                        lg=8,
                    ),
                ],
                className="g-3",
            ),
        ]
    )


def _write(change) -> str | None:
    """Run one write for the signed-in admin and commit it whole; a message when refused."""
    try:
        with write_transaction() as db:
            change(db, g.scope, ip_address=request.remote_addr)
        return None
    except DataError as exc:
        return data_error_message(exc)


@callback(
    Output(ID["fee"], "value"),
    Output(ID["zone"], "value"),
    Output(ID["credentials"], "children"),
    Input(ID["changed"], "data"),
)
def update_organization_settings(_version):
    """The current fee rate, time zone and the masked list of keys (never a key itself)."""
    db, scope = db_session(), g.scope
    return (
        str(fee_rate_percent(db, scope)),
        time_zone_of(db, scope),
        credentials_table(credential_list(db, scope)),
    )


@callback(
    Output(ID["fee-message"], "children"),
    Output(ID["changed"], "data", allow_duplicate=True),
    Input(ID["fee-save"], "n_clicks"),
    State(ID["fee"], "value"),
    State(ID["fee-from"], "date"),
    State(ID["changed"], "data"),
    prevent_initial_call=True,
)
def save_organization_fee(_clicks, percent, effective_from, version):
    """Validate and store the fee rate from a date on (audited; cached figures expire)."""
    problem = _write(
        lambda db, scope, ip_address: set_fee_rate(
            db,
            scope,
            percent,
            effective_from=parse_effective_date(effective_from),
            ip_address=ip_address,
        )
    )
    if problem:
        return error_alert(problem), dash.no_update
    return success_alert("Fee rate saved."), count(version) + 1


@callback(
    Output(ID["zone-message"], "children"),
    Output(ID["changed"], "data", allow_duplicate=True),
    Input(ID["zone-save"], "n_clicks"),
    State(ID["zone"], "value"),
    State(ID["changed"], "data"),
    prevent_initial_call=True,
)
def save_organization_time_zone(_clicks, name, version):
    """Store the organization's time zone (audited; its alert rules are evaluated again)."""
    problem = _write(
        lambda db, scope, ip_address: set_time_zone(
            db, scope, name, ip_address=ip_address
        )
    )
    if problem:
        return error_alert(problem), dash.no_update
    return success_alert(f"Time zone set to {name}."), count(version) + 1


@callback(
    Output(ID["key-message"], "children"),
    Output(ID["changed"], "data", allow_duplicate=True),
    Output(ID["key"], "value"),
    Input(ID["key-save"], "n_clicks"),
    State(ID["platform"], "value"),
    State(ID["key"], "value"),
    State(ID["changed"], "data"),
    prevent_initial_call=True,
)
def save_organization_key(_clicks, platform, key, version):
    """Encrypt and store a platform's key; the input is emptied whatever happens."""
    problem = _write(
        lambda db, scope, ip_address: set_credential(
            db, scope, platform, key, ip_address=ip_address
        )
    )
    if problem:
        return error_alert(problem), dash.no_update, ""
    return success_alert("API key saved."), count(version) + 1, ""
