"""Audit log (/audit, admin): the organization's security events, filtered, paged and exported."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, callback, clientside_callback, ctx, dcc, html
from flask import g

from components.accounts import action_options, audit_table
from components.controls import date_range_controls, error_alert, message_area
from data.clock import today
from data.db import db_session
from data.filters import DateRange, InvalidFilter, matching_preset
from data.writes.audit import (
    audit_actions,
    audit_entries,
    audit_target_names,
    parse_audit_filters,
)
from shell.presets import register_preset_callback

PREFIX = "audit"
ID = {
    name: f"{PREFIX}-{name}"
    for name in (
        "dates",
        "preset",
        "url-sync",
        "action",
        "actor",
        "export",
        "total",
        "table",
        "pager",
        "message",
    )
}
PAGE_SIZE = 25
MAX_PAGE = 100_000

dash.register_page(
    __name__,
    path="/audit",
    name="Audit log",
    title="Audit log · KIKI Analytics",
    order=60,
    nav=True,
    nav_group="Admin",  # one menu in the navbar (components/shell.py)
    min_role="admin",
    id_prefix=f"{PREFIX}-",
)


def _labelled(label: str, control, **col) -> dbc.Col:
    return dbc.Col(
        [
            dbc.Label(
                label, html_for=control.id, className="small text-body-secondary mb-1"
            ),
            control,
        ],
        **col,
    )


def audit_today() -> dt.date:
    """Audit rows carry the real time of the event, so the range ends today in UTC even when
    KIKI_TODAY pins the dashboards' "today" to a demo date."""
    return max(today(), dt.datetime.now(dt.UTC).date())


def _initial_filters(start, end, action, actor):
    """The filters a link carries (start, end, action, actor), else the last 30 days."""
    try:
        return parse_audit_filters(start, end, action, actor) if start or end else None
    except InvalidFilter:
        return None


def layout(start=None, end=None, action=None, actor=None, **_ignored):
    end_day = audit_today()
    filters = _initial_filters(start, end, action, actor)
    rng = (
        filters.range
        if filters
        else DateRange(end_day - dt.timedelta(days=29), end_day)
    )
    controls = dbc.Row(
        [
            *date_range_controls(PREFIX, rng, matching_preset(rng, end_day)),
            _labelled(
                "Action",
                dcc.Dropdown(
                    id=ID["action"],
                    placeholder="All actions",
                    value=(filters.action or None) if filters else None,
                ),
                xs=12,
                md=3,
                lg=2,
            ),
            _labelled(
                "Actor email",
                dbc.Input(
                    id=ID["actor"],
                    value=filters.actor if filters else None,
                    placeholder="part of an email",
                    debounce=True,
                    maxLength=254,
                ),
                xs=12,
                md=3,
                lg=2,
            ),
            dbc.Col(
                html.A(
                    "Export CSV",
                    id=ID["export"],
                    # A filled button: the outlined grey one read as disabled.
                    className="btn btn-primary w-100",
                    href="#",
                ),
                xs=12,
                md=1,
                lg=2,
            ),
        ],
        className="g-2 mb-3 align-items-end controls-row",
    )
    return html.Div(
        [
            html.H1("Audit log", className="h3 mb-3"),
            controls,
            message_area(ID["message"]),
            dcc.Store(id=ID["url-sync"]),
            dbc.Card(
                [
                    dbc.CardHeader(html.Span(id=ID["total"], className="reserve-line")),
                    dbc.CardBody(dcc.Loading(html.Div(id=ID["table"]), delay_show=300)),
                    dbc.CardFooter(
                        dbc.Pagination(
                            id=ID["pager"],
                            max_value=1,
                            active_page=1,
                            fully_expanded=False,
                            first_last=True,
                            previous_next=True,
                            size="sm",
                            className="mb-0",
                        )
                    ),
                ]
            ),
        ]
    )


@callback(Output(ID["action"], "options"), Input(ID["dates"], "start_date"))
def update_audit_actions(_start):
    """The actions present in the organization's log, as filter choices."""
    return action_options(audit_actions(db_session(), g.scope))


@callback(
    Output(ID["table"], "children"),
    Output(ID["total"], "children"),
    Output(ID["pager"], "max_value"),
    Output(ID["pager"], "active_page"),
    Output(ID["export"], "href"),
    Output(ID["message"], "children"),
    Input(ID["dates"], "start_date"),
    Input(ID["dates"], "end_date"),
    Input(ID["action"], "value"),
    Input(ID["actor"], "value"),
    Input(ID["pager"], "active_page"),
)
def update_audit_log(start, end, action, actor, page):
    """One page of matching rows (a filter change goes back to page 1), the total, the export link."""
    try:
        filters = parse_audit_filters(start, end, action, actor)
    except InvalidFilter as exc:
        return None, "", 1, 1, "#", error_alert(exc.message)
    if ctx.triggered_id != ID["pager"] or not isinstance(page, int) or page < 1:
        page = 1
    page = min(page, MAX_PAGE)
    frame, total = audit_entries(db_session(), g.scope, filters, page - 1, PAGE_SIZE)
    pages = max(1, -(-total // PAGE_SIZE))
    if (
        page > pages
    ):  # past the end (the log shrank, or a forged page): show the last one
        page = pages
        frame, total = audit_entries(
            db_session(), g.scope, filters, page - 1, PAGE_SIZE
        )
    query = {
        "start": filters.range.start.isoformat(),
        "end": filters.range.end.isoformat(),
    }
    query.update(
        {k: v for k, v in (("action", filters.action), ("actor", filters.actor)) if v}
    )
    shown = f"{total:,} entr{'y' if total == 1 else 'ies'}" + (
        f" · page {page} of {pages}" if pages > 1 else ""
    )
    return (
        audit_table(frame, audit_target_names(db_session(), g.scope, frame)),
        shown,
        pages,
        min(page, pages),
        f"/export/audit.csv?{urlencode(query)}",
        None,
    )


register_preset_callback(PREFIX, audit_today)

clientside_callback(
    """
    function(start, end, action, actor) {
        return window.kikiSyncUrl({start: start, end: end, action: action, actor: actor});
    }
    """,
    Output(ID["url-sync"], "data"),
    Input(ID["dates"], "start_date"),
    Input(ID["dates"], "end_date"),
    Input(ID["action"], "value"),
    Input(ID["actor"], "value"),
)
