"""Organization API tokens (/settings/tokens): every active personal token of the organization,
with revoke (admins)."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, callback, dcc, html
from flask import g, request

from components.controls import error_alert
from data.db import read_session
from data.writes.org_tokens import organization_tokens, revoke_organization_token
from data.writes.transaction import write_transaction
from pages.api_tokens import _when
from shell.callback_inputs import clicked

PREFIX = "org-keys"
ID = {
    name: f"{PREFIX}-{name}"
    for name in ("table", "notice", "version", "confirm", "pending")
}
REVOKE_TYPE = f"{PREFIX}-revoke"

dash.register_page(
    __name__,
    path="/settings/tokens",
    name="API tokens of the organization",
    title="Organization API tokens · KIKI Analytics",
    order=92,
    nav=False,
    min_role="admin",
    id_prefix=f"{PREFIX}-",
)


def layout(**_ignored):
    return html.Div(
        [
            html.H1("API tokens of the organization", className="h3 mb-2"),
            html.P(
                "Every active personal token of your organization's users. Revoking one "
                "stops it at once. A user's tokens are also revoked when their sessions "
                "end: sign-out everywhere, a password change or reset, a role change, "
                "deactivation.",
                className="text-body-secondary",
            ),
            html.Div(id=ID["notice"]),
            dcc.Store(id=ID["version"], data=0),
            dcc.ConfirmDialog(id=ID["confirm"]),
            dcc.Store(id=ID["pending"]),  # the token the dialog asks about
            dcc.Loading(html.Div(id=ID["table"]), delay_show=300),
        ]
    )


def _tokens_table(frame) -> html.Div:
    if frame.empty:
        return html.P("No active tokens.", className="text-body-secondary")
    headings = ("User", "Name", "Starts with", "Created", "Last used", "")
    rows = [
        html.Tr(
            [
                html.Td(row["email"]),
                html.Td(row["name"]),
                html.Td(html.Code(row["prefix"] + "…")),
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
    header = html.Thead(html.Tr([html.Th(h) for h in headings]))
    return dbc.Table([header, html.Tbody(rows)], size="sm", hover=True, responsive=True)


@callback(Output(ID["table"], "children"), Input(ID["version"], "data"))
def list_organization_tokens(_version):
    """The organization's active tokens (on load, and after each revoke)."""
    return _tokens_table(organization_tokens(read_session(), g.scope))


def _revoke_question(index) -> str | None:
    """ "Revoke <name> of <email>?" for an active token of the organization; None for any other
    (the revoke then says it is not one)."""
    if isinstance(index, bool) or not isinstance(index, int):
        return None
    frame = organization_tokens(read_session(), g.scope)
    rows = frame[frame["token_id"] == index]
    if rows.empty:
        return None
    row = rows.iloc[0]
    return (
        f'Revoke the token "{row["name"]}" of {row["email"]}?\n\nIt stops working at '
        "once, for every script that uses it; this cannot be undone."
    )


@callback(
    Output(ID["notice"], "children"),
    Output(ID["version"], "data"),
    Output(ID["confirm"], "displayed"),
    Output(ID["confirm"], "message"),
    Output(ID["pending"], "data"),
    Input({"type": REVOKE_TYPE, "index": ALL}, "n_clicks"),
    Input(ID["confirm"], "submit_n_clicks"),
    State(ID["version"], "data"),
    State(ID["pending"], "data"),
    prevent_initial_call=True,
)
def revoke_organization_api_token(_clicks, _confirmed, version, pending):
    """Ask before revoking the clicked token; revoke it when the dialog's OK confirms, if it
    is still an active one of this organization."""
    trigger = clicked()
    if trigger == ID["confirm"]:
        index = pending
    else:
        index = trigger.get("index") if isinstance(trigger, dict) else None
        question = _revoke_question(index)
        if question:
            return dash.no_update, dash.no_update, True, question, index
    return *_revoke(index, version), False, dash.no_update, None


def _revoke(index, version) -> tuple:
    """(notice, next version) after revoking token ``index`` of the organization."""
    changed = (version if isinstance(version, int) else 0) + 1
    with write_transaction() as db:  # nothing is written when it returns False
        revoked = revoke_organization_token(
            db, g.scope, index, ip_address=request.remote_addr
        )
    if revoked:
        message = dbc.Alert(
            "The token was revoked: it no longer works.",
            color="success",
            className="py-2",
        )
        return message, changed
    return error_alert(
        "That token is not an active token of your organization."
    ), changed
