"""Notifications (/notifications, every signed-in user): read and unread, mark one or all as read,
links to what they concern, and per-kind mutes."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import ALL, Input, Output, State, callback, dcc, html
from dash.exceptions import PreventUpdate
from flask import g

from components.controls import message_area
from components.data_errors import data_error_message
from components.skeleton import skeleton_lines
from data.db import db_session
from data.errors import DataError
from data.reads.notifications import muted_kinds, notifications
from data.writes.notify import KINDS, mark_read, set_muted
from data.writes.transaction import write_transaction
from shell.callback_inputs import clicked

# Not "notifications-": the bell's badge (``notifications-unread``) belongs to the shell.
PREFIX = "notifications-page"
ID = {
    name: f"{PREFIX}-{name}"
    for name in ("unread-only", "mark-all", "list", "changed", "mutes", "notice")
}
READ_TYPE = f"{PREFIX}-read"
KIND_WORDS = {
    "campaign_submitted": "A budget request needs a decision",
    "campaign_withdrawn": "A budget request was withdrawn",
    "budget_auto_approved": "A budget was auto-approved",
    "budget_approved": "My budget request was approved",
    "budget_rejected": "My budget request was rejected",
    "alert_firing": "An alert rule I receive fires",
    "alert_reminder": "An alert rule I receive is still firing (reminders)",
    "alert_resolved": "An alert rule I receive is resolved",
}

dash.register_page(
    __name__,
    path="/notifications",
    name="Notifications",
    title="Notifications · KIKI Analytics",
    order=95,
    nav=False,
    min_role="viewer",
    id_prefix=f"{PREFIX}-",
)


def layout(**_ignored):
    return html.Div(
        [
            html.H1("Notifications", className="h3 mb-3"),
            dcc.Store(id=ID["changed"], data=0),
            dbc.Row(
                [
                    dbc.Col(
                        dbc.Switch(
                            id=ID["unread-only"], label="Unread only", value=False
                        ),
                        width="auto",
                    ),
                    dbc.Col(
                        dbc.Button(
                            "Mark all as read",
                            id=ID["mark-all"],
                            size="sm",
                            color="primary",
                            outline=True,
                        ),
                        width="auto",
                    ),
                ],
                className="g-3 mb-3 align-items-center",
            ),
            message_area(ID["notice"]),
            dbc.Row(
                [
                    dbc.Col(html.Div(skeleton_lines(4), id=ID["list"]), lg=8),
                    dbc.Col(
                        dbc.Card(
                            [
                                dbc.CardHeader("Notify me when"),
                                dbc.CardBody(
                                    dbc.Checklist(
                                        id=ID["mutes"],
                                        options=[
                                            {"label": KIND_WORDS[k], "value": k}
                                            for k in KINDS
                                        ],
                                        value=list(KINDS),
                                    )
                                ),
                            ]
                        ),
                        lg=4,
                        # First on a phone: the list below it may grow as it arrives.
                        className="order-first order-lg-last",
                    ),
                ],
                className="g-3",
            ),
        ]
    )


def _when(value) -> str:
    return (
        f"{value:%Y-%m-%d %H:%M} UTC"
        if value is not None and not pd.isna(value)
        else ""
    )


def notification_list(frame: pd.DataFrame) -> html.Div:
    if frame.empty:
        return html.P("No notifications.", className="text-body-secondary")
    items = []
    for _, row in frame.iterrows():
        unread = not row["is_read"]
        title = (
            dcc.Link(row["title"], href=row["link"]) if row["link"] else row["title"]
        )
        heading = [html.Span(title, className="fw-semibold" if unread else None)]
        if unread:
            heading.append(dbc.Badge("Unread", color="primary", className="ms-2"))
        items.append(
            dbc.ListGroupItem(
                [
                    html.Div(
                        [
                            html.Div(heading),
                            html.Small(
                                _when(row["created_at"]),
                                className="text-body-secondary",
                            ),
                        ],
                        className="d-flex justify-content-between flex-wrap gap-2",
                    ),
                    html.P(row["body"], className="mb-1 small")
                    if row["body"]
                    else None,
                    dbc.Button(
                        "Mark as read",
                        id={"type": READ_TYPE, "index": int(row["notification_id"])},
                        size="sm",
                        color="link",
                        className="p-0",
                    )
                    if unread
                    else None,
                ],
                className="notification-unread" if unread else None,
            )
        )
    return dbc.ListGroup(items, id=f"{PREFIX}-items")


@callback(
    Output(ID["list"], "children"),
    Output(ID["mutes"], "value"),
    Input(ID["unread-only"], "value"),
    Input(ID["changed"], "data"),
)
def update_notification_list(unread_only, _changed):
    """The signed-in user's notifications (newest first) and the kinds they get."""
    session = db_session()
    frame = notifications(session, g.scope, unread_only=unread_only is True)
    muted = set(muted_kinds(session, g.scope))
    return notification_list(frame), [k for k in KINDS if k not in muted]


@callback(
    Output(ID["changed"], "data"),
    Output(ID["notice"], "children"),
    Input(ID["mark-all"], "n_clicks"),
    Input({"type": READ_TYPE, "index": ALL}, "n_clicks"),
    State(ID["changed"], "data"),
    prevent_initial_call=True,
)
def mark_notifications_read(_all, _one, changed):
    """Mark the clicked notification, or all of the user's, as read."""
    trigger = clicked()
    one = trigger.get("index") if isinstance(trigger, dict) else None
    if isinstance(trigger, dict) and not isinstance(one, int):
        raise PreventUpdate
    changed = (changed if isinstance(changed, int) else 0) + 1
    try:
        with write_transaction() as db:
            count = mark_read(db, g.scope.user_id, one)
    except DataError as error:
        return changed, data_error_message(error)
    notice = None if one else f"{count} marked as read."
    return changed, notice


@callback(
    Output(ID["notice"], "children", allow_duplicate=True),
    Input(ID["mutes"], "value"),
    prevent_initial_call=True,
)
def save_notification_mutes(wanted):
    """Mute the kinds left unticked; unmute the ticked ones."""
    if not isinstance(wanted, list):
        raise PreventUpdate
    wanted = {k for k in wanted if isinstance(k, str)}
    session = db_session()
    before = set(muted_kinds(session, g.scope))
    after = {k for k in KINDS if k not in wanted}
    if before == after:
        raise PreventUpdate  # the list loading its saved value is not a change
    with write_transaction() as db:
        for kind in KINDS:
            if (kind in after) != (kind in before):
                set_muted(db, g.scope.user_id, kind, kind in after)
    return "Your notification settings were saved."
