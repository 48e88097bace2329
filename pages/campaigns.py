"""Campaigns (/campaigns): every campaign with its metrics for the range; filters, server paging, CSV."""

from __future__ import annotations

from urllib.parse import urlencode

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, callback, clientside_callback, ctx, dcc, html
from flask import g

from components.campaign_filters import campaign_filter_row
from components.campaign_table import campaign_rows, campaigns_table
from components.controls import (
    error_alert,
    link_problem,
    message_area,
)
from components.shell import LIVE_DATA_ID
from data.clock import today
from data.db import read_session
from data.filters import (
    DEFAULT_PRESET,
    InvalidFilter,
    matching_preset,
    parse_campaign_filters,
    parse_range,
    preset_range,
)
from data.reads.campaign_list import campaign_list
from shell.callback_inputs import page_index, sort_spec
from shell.presets import register_preset_callback
from web.callback_cache import cache_response

PREFIX = "campaigns"
PAGE_SIZE = 25
ID = {
    name: f"{PREFIX}-{name}"
    for name in [
        "preset",
        "dates",
        "platforms",
        "search",
        "status",
        "min-spend",
        "roas-min",
        "roas-max",
        "table",
        "summary",
        "message",
        "export-csv",
        "export-pdf",
        "schedule",
        "new",
        "url-sync",
        "url-synced",
    ]
}
FILTER_INPUTS = [
    Input(ID["dates"], "start_date"),
    Input(ID["dates"], "end_date"),
    Input(ID["search"], "value"),
    Input(ID["status"], "value"),
    Input(ID["platforms"], "value"),
    Input(ID["min-spend"], "value"),
    Input(ID["roas-min"], "value"),
    Input(ID["roas-max"], "value"),
]

dash.register_page(
    __name__,
    path="/campaigns",
    name="Campaigns",
    title="Campaigns · KIKI Analytics",
    order=10,
    nav=True,
    min_role="viewer",
    id_prefix=f"{PREFIX}-",
)


def layout(
    start=None,
    end=None,
    search=None,
    status=None,
    platform=None,
    min_spend=None,
    roas_min=None,
    roas_max=None,
    sort=None,
    desc=None,
    page=None,
    **_ignored,
):
    problem = None
    try:
        rng = (
            parse_range(start, end)
            if (start or end)
            else preset_range(DEFAULT_PRESET, today())
        )
        filters = parse_campaign_filters(
            search, status, platform, min_spend, roas_min, roas_max, sort, desc != "0"
        )
        page_number = max(int(page or 1), 1) - 1
    except (InvalidFilter, ValueError) as exc:
        problem = f"Ignored the link's filters: {getattr(exc, 'message', 'page must be a number')}"
        rng, filters, page_number = (
            preset_range(DEFAULT_PRESET, today()),
            parse_campaign_filters(),
            0,
        )
    table = campaigns_table(ID["table"], PAGE_SIZE)
    table.page_current = page_number
    table.sort_by = [
        {
            "column_id": filters.sort_by,
            "direction": "desc" if filters.descending else "asc",
        }
    ]
    return html.Div(
        [
            dbc.Row(
                [
                    dbc.Col(html.H1("Campaigns", className="h3 mb-0")),
                    dbc.Col(
                        dbc.Button(
                            "New campaign",
                            id=ID["new"],
                            color="primary",
                            href="/campaigns/new",
                        )
                        if g.scope.allows("analyst")
                        else None,
                        width="auto",
                    ),
                    *(
                        dbc.Col(
                            dbc.Button(
                                label,
                                id=ID[key],
                                color="primary",
                                outline=True,
                                external_link=True,
                                href="#",
                                # Shown from the start to those who may export: appearing
                                # later, it pushed the filters down on a phone (a layout shift).
                                className="" if g.scope.allows("analyst") else "d-none",
                            ),
                            width="auto",
                        )
                        for key, label in (
                            ("export-csv", "Export CSV"),
                            ("export-pdf", "Export PDF"),
                            ("schedule", "Schedule by e-mail"),
                        )
                    ),
                ],
                className="align-items-center mb-3 page-header-row",
            ),
            campaign_filter_row(PREFIX, rng, matching_preset(rng, today()), filters),
            link_problem(PREFIX, problem),
            message_area(ID["message"]),
            dcc.Store(id=ID["url-sync"]),
            dcc.Store(id=ID["url-synced"]),
            dbc.Card(
                dbc.CardBody(
                    [
                        html.Div(
                            id=ID["summary"],
                            className="small text-body-secondary mb-2 reserve-line",
                        ),
                        dcc.Loading(
                            html.Div(table, className="campaigns-table-cards"),
                            type="dot",
                            delay_show=300,
                        ),
                    ]
                )
            ),
        ]
    )


register_preset_callback(PREFIX)


def detail_link_query(start: str, end: str, list_query: dict) -> str:
    """A campaign's link: the range, and "back", the list's filters for "← All campaigns"."""
    return urlencode({"start": start, "end": end, "back": urlencode(list_query)})


def _query(rng, filters, page: int) -> dict:
    query = {
        "start": rng.start.isoformat(),
        "end": rng.end.isoformat(),
        "search": filters.search,
        "status": ",".join(filters.statuses),
        "platform": ",".join(filters.platforms),
        "min_spend": "" if filters.min_spend is None else str(filters.min_spend),
        "roas_min": "" if filters.roas_min is None else filters.roas_min,
        "roas_max": "" if filters.roas_max is None else filters.roas_max,
        "sort": filters.sort_by,
        "desc": "1" if filters.descending else "0",
        "page": page + 1,
    }
    return {k: v for k, v in query.items() if v not in ("", None)}


@callback(
    Output(ID["table"], "data"),
    Output(ID["table"], "page_count"),
    Output(ID["table"], "page_current"),
    Output(ID["summary"], "children"),
    Output(ID["message"], "children"),
    Output(ID["export-csv"], "href"),
    Output(ID["export-csv"], "className"),
    Output(ID["url-sync"], "data"),
    *FILTER_INPUTS,
    Input(ID["table"], "page_current"),
    Input(ID["table"], "sort_by"),
    Input(LIVE_DATA_ID, "data"),  # the organization's metrics or campaigns changed
)
@cache_response
def update_campaigns_table(
    start,
    end,
    search,
    statuses,
    platforms,
    min_spend,
    roas_min,
    roas_max,
    page,
    sort_by,
    _live,
):
    """One page of the filtered, sorted list; a filter change goes back to the first page."""
    try:
        sort_column, descending = sort_spec(sort_by, "revenue")
        page = page_index(page)
        rng = parse_range(start, end)
        filters = parse_campaign_filters(
            search,
            statuses,
            platforms,
            min_spend,
            roas_min,
            roas_max,
            sort_column,
            descending,
        )
    except InvalidFilter as exc:
        return (
            [],
            1,
            0,
            "",
            error_alert(exc.message),
            dash.no_update,
            dash.no_update,
            dash.no_update,
        )
    # Paging, or new numbers (a live event): the same page; a filter change: the first.
    paging = (
        ctx.triggered_id in (ID["table"], LIVE_DATA_ID) if ctx.triggered_id else True
    )
    page = page if paging else 0
    frame, total = campaign_list(
        read_session(), g.scope, rng, filters, page=page, page_size=PAGE_SIZE
    )
    pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    if total == 0:
        summary = (
            "No campaigns match these filters. Widen the date range or clear a filter."
        )
    else:
        summary = f"Showing {page * PAGE_SIZE + 1:,}–{page * PAGE_SIZE + len(frame):,} of {total:,} campaigns"
    query = _query(rng, filters, page)
    export_query = {k: v for k, v in query.items() if k != "page"}
    export_class = "" if g.scope.allows("analyst") else "d-none"
    detail_query = detail_link_query(rng.start.isoformat(), rng.end.isoformat(), query)
    return (
        campaign_rows(frame, detail_query),
        pages,
        page,
        summary,
        None,
        "/export/campaigns.csv?" + urlencode(export_query),
        export_class,
        query,
    )


# The PDF takes the CSV's parameters: its link follows the CSV's, with no server round trip.
clientside_callback(
    "function(href, css) { return [(href || '#').replace('.csv?', '.pdf?'), css]; }",
    Output(ID["export-pdf"], "href"),
    Output(ID["export-pdf"], "className"),
    Input(ID["export-csv"], "href"),
    Input(ID["export-csv"], "className"),
)

# "Schedule by e-mail" opens /reports' form with the list's filters (the CSV's parameters too).
clientside_callback(
    """function(href, css) {
        return [(href || '#').replace('/export/campaigns.csv?', '/reports?view=campaigns&'), css];
    }""",
    Output(ID["schedule"], "href"),
    Output(ID["schedule"], "className"),
    Input(ID["export-csv"], "href"),
    Input(ID["export-csv"], "className"),
)

clientside_callback(
    "function(query) { return window.kikiSyncUrl(query || {}); }",
    Output(ID["url-synced"], "data"),
    Input(ID["url-sync"], "data"),
    prevent_initial_call=True,
)
