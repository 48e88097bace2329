"""Budget approvals (/approvals): admins see the organization's queue and decide; analysts see
their own requests. Pending first, oldest first (data/reads/approvals.py)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, callback, ctx, html
from dash.exceptions import PreventUpdate
from flask import g, request

from components.approvals import (
    PREFIX,
    REVIEW_TYPE,
    queue_table,
    review_panel,
)
from components.controls import message_area
from components.data_errors import data_error_message
from components.labels import platform_label, status_label
from components.skeleton import skeleton_table
from data.clock import today
from data.db import db_session
from data.errors import DataError
from data.models import PLATFORMS, REQUEST_STATUSES
from data.reads.approvals import approval_queue, month_spend, worst_case_spend
from data.reads.users import list_users
from data.writes.approvals import approve_request, reject_request
from data.writes.transaction import write_transaction
from shell.callback_inputs import clicked_key

ID = {
    name: f"{PREFIX}-{name}"
    for name in (
        "status", "requester", "platform", "min", "max", "queue", "changed",
        "selected", "review", "notice", "filter-message", "amount", "reason",
        "approve", "reject",
    )
}  # fmt: skip
ANY = "any"  # not "": a select with the value "" shows no text

dash.register_page(
    __name__,
    path="/approvals",
    name="Approvals",
    title="Budget approvals · KIKI Analytics",
    order=20,
    nav=True,
    min_role="analyst",
    id_prefix=f"{PREFIX}-",
)


def _select(key: str, label: str, options: list[tuple[str, str]], md: int = 2):
    return dbc.Col(
        [
            dbc.Label(label, html_for=ID[key], className="small mb-1"),
            dbc.Select(
                id=ID[key],
                options=[{"label": text, "value": value} for value, text in options],
                value=ANY,
                size="sm",
            ),
        ],
        md=md,
    )


def _amount(key: str, label: str):
    return dbc.Col(
        [
            dbc.Label(label, html_for=ID[key], className="small mb-1"),
            dbc.Input(id=ID[key], inputmode="decimal", size="sm", debounce=True),
        ],
        md=2,
    )


def layout(**_ignored):
    admin = g.scope.allows("admin")
    filters = [
        _select("status", "Status", [(ANY, "Any")] + [(s, status_label(s)) for s in REQUEST_STATUSES]),
        _select("platform", "Platform", [(ANY, "Any")] + [(p, platform_label(p)) for p in PLATFORMS]),
        _amount("min", "Amount at least"),
        _amount("max", "Amount at most"),
    ]  # fmt: skip
    # Analysts see only their own requests: the requester filter is there, hidden, for them.
    people = list_users(db_session(), g.scope) if admin else None
    choices = [(ANY, "Anyone")] + (
        [(str(row["user_id"]), row["name"]) for _, row in people.iterrows()]
        if admin
        else []
    )
    requester = _select("requester", "Requested by", choices, md=3)
    requester.hidden = not admin
    filters.insert(1, requester)
    intro = (
        "Budget requests of your organization: pending ones first, oldest first. "
        "Review one to see its worst-case spend and decide."
        if admin
        else "Your budget requests and their decisions. Admins decide them."
    )
    return html.Div(
        [
            html.H1("Budget approvals", className="h3 mb-2"),
            html.P(intro, className="text-body-secondary"),
            dbc.Row(filters, className="g-2 mb-3 align-items-end"),
            html.Div(id=ID["filter-message"]),
            dash.dcc.Store(id=ID["changed"], data=0),
            dash.dcc.Store(id=ID["selected"]),
            html.Div(id=ID["review"]),
            message_area(ID["notice"]),
            html.Div(
                skeleton_table(["Campaign", "Requested", "Status"], 3), id=ID["queue"]
            ),
        ]
    )


def _amount_filter(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError("Enter amounts as numbers, e.g. 500 or 1250.50.") from None
    if not amount.is_finite() or amount < 0:
        raise ValueError("Enter amounts as numbers, e.g. 500 or 1250.50.")
    return amount


@callback(
    Output(ID["queue"], "children"),
    Output(ID["filter-message"], "children"),
    Input(ID["status"], "value"),
    Input(ID["platform"], "value"),
    Input(ID["min"], "value"),
    Input(ID["max"], "value"),
    Input(ID["requester"], "value"),
    Input(ID["changed"], "data"),
)
def update_approval_queue(status, platform, low, high, requester, _changed):
    """The filtered queue (admins: the organization's; analysts: their own)."""
    try:
        frame = approval_queue(
            db_session(),
            g.scope,
            status=None if status in (None, "", ANY) else status,
            platform=None if platform in (None, "", ANY) else platform,
            min_amount=_amount_filter(low),
            max_amount=_amount_filter(high),
            requester_id=_requester(requester),
        )
    except ValueError as error:
        return dash.no_update, dbc.Alert(str(error), color="warning", className="py-2")
    except DataError as error:
        return dash.no_update, dbc.Alert(
            data_error_message(error), color="warning", className="py-2"
        )
    return queue_table(frame, g.scope.allows("admin")), None


def _requester(value) -> int | None:
    text = value if isinstance(value, str) else ""
    return int(text) if text.isdigit() and len(text) < 10 else None


@callback(
    Output(ID["selected"], "data"),
    Input({"type": REVIEW_TYPE, "index": ALL}, "n_clicks"),
    prevent_initial_call=True,
)
def select_request_to_review(_clicks):
    """The request whose Review button was clicked."""
    return clicked_key()


@callback(
    Output(ID["review"], "children"),
    Input(ID["selected"], "data"),
)
def show_review_panel(request_id):
    """Requested amount, worst case per platform, the month's spend and cap; decide controls."""
    if not isinstance(request_id, int) or not g.scope.allows("admin"):
        return None
    session = db_session()
    try:
        queue = approval_queue(session, g.scope, status="pending")
        worst = worst_case_spend(session, g.scope, request_id)
        month = month_spend(session, g.scope, today())
    except DataError as error:
        return dbc.Alert(data_error_message(error), color="warning", className="py-2")
    match = queue[queue["request_id"] == request_id]
    if match.empty:
        return dbc.Alert(
            "This request is no longer pending.", color="info", className="py-2"
        )
    return review_panel(match.iloc[0], worst, month)


@callback(
    Output(ID["notice"], "children"),
    Output(ID["changed"], "data"),
    Output(ID["selected"], "data", allow_duplicate=True),
    Input(ID["approve"], "n_clicks"),
    Input(ID["reject"], "n_clicks"),
    State(ID["selected"], "data"),
    State(ID["amount"], "value"),
    State(ID["reason"], "value"),
    State(ID["changed"], "data"),
    prevent_initial_call=True,
)
def decide_budget_request(approve, reject, request_id, amount, reason, changed):
    """Approve (at the amount shown, lower with a reason) or reject (with a reason)."""
    if not (approve or reject) or not isinstance(request_id, int):
        raise PreventUpdate
    changed = (changed if isinstance(changed, int) else 0) + 1
    try:
        with write_transaction() as db:
            if ctx.triggered_id == ID["approve"]:
                decided = approve_request(
                    db, g.scope, request_id, amount=amount, reason=reason,
                    ip_address=request.remote_addr,
                )  # fmt: skip
            else:
                decided = reject_request(
                    db, g.scope, request_id, reason=reason,
                    ip_address=request.remote_addr,
                )  # fmt: skip
    except DataError as error:
        alert = dbc.Alert(
            f"Nothing was decided. {data_error_message(error)}",
            color="warning",
            className="py-2",
        )
        return alert, changed, dash.no_update
    word = "approved" if decided.status == "approved" else "rejected"
    amount_text = (
        f" at {decided.approved_amount:,.2f} {decided.currency}"
        if decided.status == "approved"
        else ""
    )
    alert = dbc.Alert(
        f"Request {word}{amount_text}. The requester has been notified.",
        color="success",
        className="py-2",
    )
    return alert, changed, None
