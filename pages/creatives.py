"""Creatives (/creatives): the organization's images, videos and ad copy with their platform-spec
badges and what they earned over the period, sortable so the best earner is one sort away.

Analysts and admins upload (assets/creatives_upload.js to web/media.py's chunk route), add ad
copy, link a creative to a campaign's platform deployment (refused when it fails that
platform's spec), archive and delete; viewers read. Writes go through data/writes/creatives.py,
which checks the role again.
"""

from __future__ import annotations

import datetime as dt

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, callback, dcc, html
from dash.exceptions import PreventUpdate
from flask import g, request

from components.controls import date_range_controls, error_alert, message_area
from components.creatives import (
    ACTION_TYPE,
    PLATFORM_NAMES,
    PREFIX,
    SORTS,
    cid,
    copy_form,
    creative_options,
    library_table,
    link_form,
    upload_card,
)
from components.data_errors import data_error_message
from data.clock import today
from data.db import db_session, read_session
from data.errors import DataError
from data.filters import DateRange, InvalidFilter, matching_preset, parse_range
from data.media.settings import current_settings
from data.reads.creative_library import (
    ad_copy_choices,
    creative_library,
    deployment_choices,
)
from data.writes.creatives import (
    add_copy_creative,
    archive_creative,
    delete_creative,
    link_creative,
)
from data.writes.transaction import write_transaction
from shell.callback_inputs import clicked
from shell.presets import register_preset_callback

dash.register_page(
    __name__,
    path="/creatives",
    name="Creatives",
    title="Creatives · KIKI Analytics",
    order=22,
    nav=True,
    min_role="viewer",
    id_prefix=f"{PREFIX}-",
)
register_preset_callback(PREFIX)
COPY = (
    "copy-"  # the link form's value for an ad-copy variant (a deployment's is its id)
)


def layout(campaign_id=None, **_ignored):
    can_edit = g.scope.allows("analyst")
    # From a campaign's page: its uploads belong to it (the write checks it is this org's).
    campaign = int(campaign_id) if str(campaign_id or "").isdigit() else None
    campaign = campaign if campaign and campaign < 2**31 else None
    end = today()
    rng = DateRange(end - dt.timedelta(days=29), end)
    controls = dbc.Row(
        [
            *date_range_controls(PREFIX, rng, matching_preset(rng, end)),
            dbc.Col(
                [
                    dbc.Label(
                        "Sort by",
                        html_for=cid("sort"),
                        className="small text-body-secondary mb-1",
                    ),
                    dcc.Dropdown(
                        id=cid("sort"),
                        options=[{"label": v, "value": k} for k, v in SORTS.items()],
                        value="revenue",
                        clearable=False,
                        searchable=False,
                    ),
                ],
                xs=12,
                sm=6,
                lg=2,
            ),
        ],
        className="g-2 mb-3 align-items-end controls-row",
    )
    return html.Div(
        [
            html.H1("Creatives", className="h3 mb-2"),
            html.P(
                "Your images, videos and ad copy, checked against each platform's spec, with "
                "what the deployments that used them earned in the period.",
                className="text-body-secondary small",
            ),
            dbc.Row(
                [
                    dbc.Col(upload_card(can_edit, campaign), lg=4),
                    dbc.Col(link_form(can_edit), lg=4),
                    dbc.Col(copy_form(can_edit), lg=4),
                ],
                className="g-2",
            ),
            controls,
            dcc.Store(id=cid("changed"), data=0),
            dcc.Store(id=cid("deleting"), data=None),
            dcc.ConfirmDialog(
                id=cid("confirm"),
                message="Delete this creative? Its file is removed when nothing else uses it.",
            ),
            message_area(cid("notice")),
            html.Div(id=cid("library")),
        ]
    )


@callback(
    Output(cid("library"), "children"),
    Output(cid("link-creative"), "options"),
    Output(cid("link-deployment"), "options"),
    Input(cid("dates"), "start_date"),
    Input(cid("dates"), "end_date"),
    Input(cid("sort"), "value"),
    Input(cid("uploaded"), "data"),
    Input(cid("changed"), "data"),
)
def update_creative_library(start, end, sort, _uploaded, _changed):
    """The library over the period, sorted; the link form's choices."""
    try:
        rng = parse_range(start, end)
    except InvalidFilter as error:
        return error_alert(str(error)), dash.no_update, dash.no_update
    session = read_session()
    frame = creative_library(session, g.scope, rng)
    sort = sort if sort in SORTS else "revenue"
    deployments = [
        {"label": f"{name} · {PLATFORM_NAMES.get(platform, platform)}", "value": key}
        for key, name, platform in deployment_choices(session, g.scope)
    ] + [
        {"label": f"{name} · variant {label}: {headline[:40]}", "value": f"{COPY}{key}"}
        for key, name, label, headline in ad_copy_choices(session, g.scope)
    ]
    table = library_table(frame, sort, g.scope.allows("analyst"))
    return table, creative_options(frame), deployments


def _bump(changed) -> int:
    return (changed if isinstance(changed, int) else 0) + 1


@callback(
    Output(cid("changed"), "data"),
    Output(cid("notice"), "children"),
    Input(cid("link-save"), "n_clicks"),
    State(cid("link-creative"), "value"),
    State(cid("link-deployment"), "value"),
    State(cid("changed"), "data"),
    prevent_initial_call=True,
)
def link_creative_to_deployment(_clicks, asset_id, target, changed):
    """Link to a platform deployment (an id) or an ad-copy variant ("copy-<id>"); a creative
    failing the deployment's platform spec is refused with the reasons."""
    clicked()
    copy_id = (
        int(target[len(COPY) :])
        if isinstance(target, str)
        and target.startswith(COPY)
        and target[len(COPY) :].isdigit()
        and len(target) < 20
        else None
    )
    whole = isinstance(target, int) and not isinstance(target, bool)
    deployment_id = target if whole and 0 < target < 2**31 else None
    if not isinstance(asset_id, int) or (copy_id is None and deployment_id is None):
        return dash.no_update, "Choose a creative and a campaign's platform or variant."
    try:
        with write_transaction() as db:
            link_creative(
                db, g.scope, asset_id, deployment_id=deployment_id, ad_copy_id=copy_id,
                ip_address=request.remote_addr,
            )  # fmt: skip
    except DataError as error:
        return dash.no_update, data_error_message(error)
    done = "The creative is linked: the numbers of the deployments that show it count toward it."
    return _bump(changed), done


@callback(
    Output(cid("changed"), "data", allow_duplicate=True),
    Output(cid("notice"), "children", allow_duplicate=True),
    Input(cid("copy-save"), "n_clicks"),
    State(cid("copy-headline"), "value"),
    State(cid("copy-body"), "value"),
    State(cid("copy-cta"), "value"),
    State(cid("changed"), "data"),
    prevent_initial_call=True,
)
def add_ad_copy(_clicks, headline, body, cta, changed):
    """Ad copy (text) as a creative."""
    clicked()
    try:
        with write_transaction() as db:
            added = add_copy_creative(
                db, g.scope, headline=headline, body=body, call_to_action=cta,
                ip_address=request.remote_addr,
            )  # fmt: skip
    except DataError as error:
        return dash.no_update, data_error_message(error)
    done = (
        "The ad copy was added." if added.created else "This ad copy was already here."
    )
    return _bump(changed), done


@callback(
    Output(cid("changed"), "data", allow_duplicate=True),
    Output(cid("notice"), "children", allow_duplicate=True),
    Output(cid("confirm"), "displayed"),
    Output(cid("deleting"), "data"),
    Input({"type": ACTION_TYPE, "index": ALL, "action": ALL}, "n_clicks"),
    State(cid("changed"), "data"),
    prevent_initial_call=True,
)
def act_on_creative(_clicks, changed):
    """Archive or restore at once; ask before deleting."""
    trigger = clicked()
    action = trigger.get("action") if isinstance(trigger, dict) else None
    asset_id = trigger.get("index") if isinstance(trigger, dict) else None
    if not isinstance(asset_id, int) or action not in ("archive", "restore", "delete"):
        raise PreventUpdate
    if action == "delete":
        return dash.no_update, None, True, asset_id
    try:
        with write_transaction() as db:
            archive_creative(
                db, g.scope, asset_id, archived=action == "archive",
                ip_address=request.remote_addr,
            )  # fmt: skip
    except DataError as error:
        return dash.no_update, data_error_message(error), False, None
    done = (
        "The creative is archived." if action == "archive" else "The creative is back."
    )
    return _bump(changed), done, False, None


@callback(
    Output(cid("changed"), "data", allow_duplicate=True),
    Output(cid("notice"), "children", allow_duplicate=True),
    Input(cid("confirm"), "submit_n_clicks"),
    State(cid("deleting"), "data"),
    State(cid("changed"), "data"),
    prevent_initial_call=True,
)
def delete_confirmed_creative(_submitted, asset_id, changed):
    """Delete the creative the person confirmed (refused while it is in use)."""
    if not isinstance(asset_id, int):
        raise PreventUpdate
    try:
        delete_creative(
            db_session(), g.scope, asset_id, current_settings(),
            ip_address=request.remote_addr,
        )  # fmt: skip
    except DataError as error:
        return dash.no_update, data_error_message(error)
    return _bump(changed), "The creative was deleted."
