"""Campaign detail (/campaigns/<id>): KPIs, daily trend per platform, deployments, A/B variants, creatives, LTV."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

import dash
import dash_bootstrap_components as dbc
from dash import (
    ALL,
    Input,
    Output,
    State,
    callback,
    clientside_callback,
    dcc,
    html,
)
from dash.exceptions import PreventUpdate
from flask import g, has_request_context, request

from components.campaign_detail import (
    DEPLOYMENT_TABLE,
    KPI_CARDS,
    VARIANT_TABLE,
    creatives_list,
    detail_exports,
    ltv_summary,
    variant_rows,
)
from components.campaign_lifecycle import (
    ACTION_TYPE,
    DELETE_TYPE,
    lifecycle_card_body,
)
from components.chart_text import chart_figure
from components.controls import date_range_controls, error_alert, message_area
from components.data_errors import data_error_message
from components.figures import GRAPH_CONFIG, campaign_daily_figure
from components.kpi import kpi_card
from components.labels import status_label
from components.shell import LIVE_DATA_ID, THEME_STORE_ID
from components.skeleton import skeleton_lines, skeleton_table
from components.tables import metrics_table
from data.clock import today
from data.db import db_session, read_session
from data.errors import DataError, NotFound
from data.filters import (
    DEFAULT_PRESET,
    InvalidFilter,
    matching_preset,
    parse_range,
    preset_range,
)
from data.lifecycle import allowed_actions
from data.reads.ab_variants import variant_comparison
from data.reads.campaign_detail import (
    campaign_daily,
    campaign_deployments,
    campaign_info,
    campaign_totals,
)
from data.reads.campaign_lifecycle import campaign_draft, campaign_requests
from data.reads.creative_library import creative_library
from data.reads.creatives import campaign_creatives
from data.reads.ltv import latest_ltv
from data.reads.notifications import campaign_history
from data.reads.queries import fee_rate
from data.writes.campaigns import (
    RUN_ACTIONS,
    delete_campaign,
    move_campaign,
    submit_for_approval,
    withdraw,
)
from data.writes.transaction import write_transaction
from shell.callback_inputs import clicked
from shell.presets import register_preset_callback
from web.callback_cache import cache_response

PREFIX = "campaign"
ID = {
    name: f"{PREFIX}-{name}"
    for name in [
        "id",
        "preset",
        "dates",
        "title",
        "kpis",
        "trend",
        "deployments",
        "variants",
        "creatives",
        "ltv",
        "message",
        "exports",
        "url-sync",
        "url-synced",
        "body",
        "lifecycle",
        "lifecycle-changed",
        "lifecycle-notice",
        "go",
    ]
}
# What "← All campaigns" may carry back to the list: its own filters, nothing else.
LIST_KEYS = ("start", "end", "search", "status", "platform", "min_spend", "roas_min")
LIST_KEYS += ("roas_max", "sort", "desc", "page")
MAX_BACK = 8192
MAX_ID = 2**31 - 1


def _campaign_id(value) -> int | None:
    text = str(value or "")
    return int(text) if text.isdigit() and 0 < int(text) <= MAX_ID else None


TITLE = "Campaign · KIKI Analytics"
TITLE_NAME_CHARS = 80  # of the campaign's name in the tab's title


def campaign_title(campaign_id=None, **_ignored) -> str:
    """The tab's title, "<name> · Campaigns · KIKI Analytics", for a campaign of the signed-in
    user's organization; the generic title for any other id. Dash's router, the first layout
    (shell/page_container.py) and the page's meta tags call it with the path's variables."""
    number = _campaign_id(campaign_id)
    scope = g.get("scope") if has_request_context() else None
    if number is None or scope is None:
        return TITLE
    info = campaign_info(read_session(), scope, number)
    if info.empty:
        return TITLE
    name = str(info.iloc[0]["name"])
    if len(name) > TITLE_NAME_CHARS:
        name = name[: TITLE_NAME_CHARS - 1] + "…"
    return f"{name} · Campaigns · KIKI Analytics"


dash.register_page(
    __name__,
    path_template="/campaigns/<campaign_id>",
    name="Campaign",
    nav=False,
    title=campaign_title,
    min_role="viewer",
    id_prefix=f"{PREFIX}-",
    charts=(ID["trend"],),  # preloads (web/page_head.py), texts (shell/charts.py)
)


def not_found() -> html.Div:
    return html.Div(
        [
            html.H1("Campaign not found", className="h3"),
            html.P("There is no campaign at this address in your organization."),
            dcc.Link("Back to all campaigns", href="/campaigns"),
        ],
        id=f"{PREFIX}-not-found",
    )


def campaign_heading(name: str, status: str) -> list:
    """The page's heading: the name and a status badge."""
    words = status_label(status)
    return [
        name,
        dbc.Badge(words, color="secondary", className="ms-2 align-middle fs-6"),
    ]


def _card(title: str, body_id: str, skeleton) -> dbc.Card:
    return dbc.Card(
        [
            dbc.CardHeader(title),
            dbc.CardBody(dcc.Loading(html.Div(skeleton, id=body_id), delay_show=300)),
        ],
        className="mb-3",
    )


def list_href(back) -> str:
    """The campaign list with the filters it had when the campaign was opened (``back``, its
    query string), keeping only the list's own parameters."""
    if not isinstance(back, str) or len(back) > MAX_BACK:
        return "/campaigns"
    kept = [(k, v) for k, v in parse_qsl(back) if k in LIST_KEYS]
    return f"/campaigns?{urlencode(kept)}" if kept else "/campaigns"


def layout(campaign_id=None, start=None, end=None, back=None, **_ignored):
    number = _campaign_id(campaign_id)
    if number is None:
        return not_found()
    try:
        rng = (
            parse_range(start, end)
            if (start or end)
            else preset_range(DEFAULT_PRESET, today())
        )
    except InvalidFilter:
        rng = preset_range(DEFAULT_PRESET, today())
    return html.Div(
        [
            dcc.Store(id=ID["id"], data=number),
            dcc.Store(id=ID["url-sync"], data=back if isinstance(back, str) else None),
            dcc.Store(id=ID["url-synced"]),
            dcc.Link("← All campaigns", href=list_href(back), className="small"),
            html.H1(  # the name and status badge's line, held until they arrive
                [
                    html.Span(className="skeleton-bar title-skeleton"),
                    dbc.Badge(
                        "\u00a0", color="secondary", className="ms-2 align-middle fs-6"
                    ),
                ],
                id=ID["title"],
                className="h3 mt-1 mb-3",
            ),
            html.Div(id=ID["message"]),
            dcc.Location(id=ID["go"], refresh="callback-nav"),
            dcc.Store(id=ID["lifecycle-changed"], data=0),
            message_area(ID["lifecycle-notice"]),
            _card("Lifecycle", ID["lifecycle"], skeleton_lines(3)),
            html.Div(id=ID["body"], children=_body(rng)),
        ]
    )


def _body(rng) -> list:
    """Period controls, KPIs, chart and tables (same-size skeletons until the data arrives):
    hidden whole when there is no such campaign."""
    return [
        dbc.Row(
            date_range_controls(PREFIX, rng, matching_preset(rng, today())),
            className="g-2 mb-3 align-items-end controls-row",
        ),
        dbc.Row(
            [kpi_card(f"campaign-kpi-{n}", label, n, None) for n, label in KPI_CARDS],
            id=ID["kpis"],
            className="g-3 mb-3",
        ),
        dbc.Card(
            dbc.CardBody(
                chart_figure(
                    dcc.Graph(id=ID["trend"], config=GRAPH_CONFIG, className="chart"),
                    "Chart of the campaign's daily revenue and spend by platform",
                )
            ),
            className="mb-3",
        ),
        html.Div(id=ID["exports"], className="mb-2 export-row"),
        _card(
            "Platform deployments",
            ID["deployments"],
            skeleton_table([label for _, label in DEPLOYMENT_TABLE], 3),
        ),
        _card(
            "Ad-copy variants (A/B)",
            ID["variants"],
            skeleton_table([label for _, label in VARIANT_TABLE], 2),
        ),
        _card("Prompts and creatives", ID["creatives"], skeleton_lines(3)),
        _card("Lifetime value prediction", ID["ltv"], skeleton_lines(2)),
    ]


register_preset_callback(PREFIX)

# The range goes into the URL (a reload or a shared link shows the same days), with the
# list's filters kept for the way back.
clientside_callback(
    """
    function(start, end, back) {
        return window.kikiSyncUrl({start: start, end: end, back: back});
    }
    """,
    Output(ID["url-synced"], "data"),
    Input(ID["dates"], "start_date"),
    Input(ID["dates"], "end_date"),
    Input(ID["url-sync"], "data"),
)


@callback(
    Output(ID["title"], "children"),
    Output(ID["kpis"], "children"),
    Output(ID["trend"], "figure"),
    Output(ID["deployments"], "children"),
    Output(ID["variants"], "children"),
    Output(ID["creatives"], "children"),
    Output(ID["ltv"], "children"),
    Output(ID["message"], "children"),
    Output(ID["exports"], "children"),
    Output(ID["body"], "hidden"),
    Input(ID["id"], "data"),
    Input(ID["dates"], "start_date"),
    Input(ID["dates"], "end_date"),
    Input(THEME_STORE_ID, "data"),
    Input(LIVE_DATA_ID, "data"),  # the organization's metrics or campaigns changed
)
@cache_response
def update_campaign_detail(campaign_id, start, end, theme, _live):
    theme = theme if theme in ("light", "dark") else "light"
    number = _campaign_id(campaign_id)
    session, scope = read_session(), g.scope
    info = campaign_info(session, scope, number) if number else None
    if info is None or info.empty:
        return (
            "Campaign not found",
            *(dash.no_update,)
            * 6,  # the body is hidden: no empty charts or tables drawn
            html.Div(
                [
                    html.P(
                        "There is no campaign at this address in your organization."
                    ),
                    dcc.Link("Back to all campaigns", href="/campaigns"),
                ],
                id=f"{PREFIX}-not-found-message",
            ),
            None,
            True,
        )
    try:
        rng = parse_range(start, end)
    except InvalidFilter as exc:
        return (
            (dash.no_update,) * 7 + (error_alert(exc.message),) + (dash.no_update,) * 2
        )
    rate = fee_rate(session, scope)
    daily = campaign_daily(session, scope, number, rng, rate)
    deployments = campaign_deployments(session, scope, number, rng, rate)
    variants = variant_rows(variant_comparison(session, scope, number, rng, rate))
    totals = campaign_totals(session, scope, deployments, rate).iloc[0]
    cards = [
        kpi_card(f"campaign-kpi-{n}", label, n, totals[n]) for n, label in KPI_CARDS
    ]
    title = campaign_heading(info.iloc[0]["name"], info.iloc[0]["status"])
    figure = campaign_daily_figure(daily, theme)
    return (
        title,
        cards,
        figure,
        metrics_table(
            deployments,
            DEPLOYMENT_TABLE,
            "campaign-deployments-table",
            "Not deployed on any platform yet.",
        ),
        metrics_table(
            variants, VARIANT_TABLE, "campaign-variants-table", "No ad-copy variants."
        ),
        creatives_list(
            campaign_creatives(session, scope, number),
            creative_library(session, scope, rng, campaign_id=number),
            number if scope.allows("analyst") else None,
        ),
        ltv_summary(latest_ltv(session, scope, number)),
        None,
        detail_exports(number, rng) if scope.allows("analyst") else None,
        False,
    )


@callback(
    Output(ID["lifecycle"], "children"),
    Input(ID["id"], "data"),
    Input(ID["lifecycle-changed"], "data"),
    Input(LIVE_DATA_ID, "data"),  # someone else moved it
)
def update_campaign_lifecycle(campaign_id, _changed, _live):
    """Status, the request, the actions the viewer's role allows, and the history."""
    number = _campaign_id(campaign_id)
    session, scope = db_session(), g.scope
    try:
        draft = campaign_draft(session, scope, number)
        requests = campaign_requests(session, scope, number)
        history = campaign_history(session, scope, number)
    except NotFound:
        return html.P("There is no campaign at this address in your organization.")
    actions = allowed_actions(draft["status"], scope.role)
    may_delete = draft["created_by_id"] == scope.user_id or scope.allows("admin")
    return lifecycle_card_body(
        number, draft["status"], actions, may_delete, requests, history
    )


def _lifecycle_write(number: int, action: str) -> None:
    address = request.remote_addr
    with write_transaction() as db:
        if action == "submit":
            submit_for_approval(db, g.scope, number, today=today(), ip_address=address)
        elif action == "withdraw":
            withdraw(db, g.scope, number, ip_address=address)
        elif action == "delete":
            delete_campaign(db, g.scope, number, ip_address=address)
        elif action in RUN_ACTIONS:
            move_campaign(db, g.scope, number, action, ip_address=address)
        else:
            raise PreventUpdate


@callback(
    Output(ID["lifecycle-notice"], "children"),
    Output(ID["lifecycle-changed"], "data"),
    Output(ID["go"], "href"),
    Output(ID["title"], "children", allow_duplicate=True),
    Input({"type": ACTION_TYPE, "action": ALL}, "n_clicks"),
    Input({"type": DELETE_TYPE, "index": ALL}, "submit_n_clicks"),
    State(ID["id"], "data"),
    State(ID["lifecycle-changed"], "data"),
    prevent_initial_call=True,
)
def act_on_campaign(_clicks, _deletes, campaign_id, changed):
    """Submit, withdraw, activate, pause, resume, complete, or delete (after confirming)."""
    trigger = clicked()
    action = "delete" if trigger.get("type") == DELETE_TYPE else trigger.get("action")
    number = _campaign_id(campaign_id)
    if number is None or not isinstance(action, str):
        raise PreventUpdate
    changed = (changed if isinstance(changed, int) else 0) + 1
    try:
        _lifecycle_write(number, action)
    except DataError as error:
        notice = error_alert(f"Nothing was changed. {data_error_message(error)}")
        return notice, changed, dash.no_update, dash.no_update
    if action == "delete":
        return None, changed, "/campaigns", dash.no_update
    draft = campaign_draft(db_session(), g.scope, number)
    done = dbc.Alert(
        f"Done: the campaign is now {draft['status'].replace('_', ' ')}.",
        color="success",
        className="py-2",
    )
    return (
        done,
        changed,
        dash.no_update,
        campaign_heading(draft["name"], draft["status"]),
    )
