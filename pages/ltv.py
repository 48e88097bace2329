"""LTV and payback (/ltv): predicted lifetime value, CAC, LTV:CAC and payback by acquisition
campaign and monthly cohort, a cohort heatmap and payback curves (issue 31)."""

from __future__ import annotations

from urllib.parse import urlencode

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, callback, clientside_callback, dcc, html
from flask import g

from components.controls import (
    chart_card,
    date_range_controls,
    error_alert,
    export_links,
    link_problem,
    message_area,
    platform_control,
)
from components.figures import empty_figure
from components.ltv import (
    campaign_ltv_table,
    cohort_ltv_table,
    definitions_section,
    ltv_kpi_cards,
)
from components.ltv_figures import cohort_heatmap_figure, payback_curves_figure
from components.shell import THEME_STORE_ID, saved_theme
from data.clock import today
from data.db import read_session
from data.filters import (
    DateRange,
    InvalidFilter,
    matching_preset,
    parse_platforms,
    parse_range,
)
from data.ltv_definitions import MIN_COHORT_MONTHS
from data.reads.ltv import (
    ltv_by_campaign,
    ltv_by_month,
    ltv_cohort_heatmap,
    ltv_payback_curves,
    ltv_totals,
)
from shell.presets import register_preset_callback
from web.callback_cache import cache_response

PREFIX = "ltv"
ID = {
    name: f"{PREFIX}-{name}"
    for name in [
        "preset",
        "dates",
        "platforms",
        "kpis",
        "heatmap",
        "curves",
        "campaigns",
        "cohorts",
        "message",
        "url-sync",
        "exports",
    ]
}

dash.register_page(
    __name__,
    path="/ltv",
    name="LTV",
    title="LTV and payback · KIKI Analytics",
    order=15,  # after Campaigns
    nav=True,
    min_role="viewer",
    id_prefix=f"{PREFIX}-",
    charts=(ID["heatmap"], ID["curves"]),
)

COHORT_MONTHS = 12  # the default range: this month and the eleven before it


def default_range() -> DateRange:
    """The last COHORT_MONTHS calendar months to today: enough cohorts to judge."""
    end = today()
    month = end.year * 12 + end.month - 1 - (COHORT_MONTHS - 1)
    return DateRange(end.replace(year=month // 12, month=month % 12 + 1, day=1), end)


def _initial_state(start, end, platform):
    try:
        rng = parse_range(start, end) if (start or end) else default_range()
        return rng, parse_platforms(platform), None
    except InvalidFilter as exc:
        return default_range(), (), f"Ignored the link's filters: {exc.message}"


def layout(start=None, end=None, platform=None, **_ignored):
    """The skeleton with its first answer in it (update_ltv answers changes only)."""
    rng, platforms, problem = _initial_state(start, end, platform)
    kpis, heatmap, curves, campaigns, cohorts, exports = _content(
        rng, platforms, saved_theme()
    )
    return html.Div(
        [
            html.H1("LTV and payback", className="h3 mb-1"),
            html.P(
                "Customers by the month and campaign that acquired them: what they cost, what "
                f"they are predicted to be worth, and when they pay back. Cohorts with fewer "
                f"than {MIN_COHORT_MONTHS} months of value are marked too young and left out "
                "of every average.",
                className="text-body-secondary mb-3",
            ),
            dbc.Row(
                [
                    *date_range_controls(PREFIX, rng, matching_preset(rng, today())),
                    platform_control(PREFIX, platforms),
                ],
                className="g-2 mb-3 align-items-end controls-row",
            ),
            link_problem(PREFIX, problem),
            message_area(ID["message"]),
            dcc.Store(id=ID["url-sync"]),
            dcc.Loading(
                dbc.Row(kpis, id=ID["kpis"], className="g-3 mb-3"),
                type="dot",
                delay_show=300,
            ),
            dbc.Row(
                [
                    chart_card(ID["heatmap"], 12, heatmap),
                    chart_card(ID["curves"], 12, curves),
                ],
                className="g-3",
            ),
            html.Div(exports, id=ID["exports"]),
            _table_card("By acquisition campaign", ID["campaigns"], campaigns),
            _table_card("By monthly cohort", ID["cohorts"], cohorts),
            definitions_section(),
        ]
    )


def _table_card(title: str, component_id: str, table) -> dbc.Card:
    return dbc.Card(
        [
            dbc.CardHeader(html.H2(title, className="h6 mb-0")),
            dbc.CardBody(
                dcc.Loading(
                    html.Div(table, id=component_id), type="dot", delay_show=300
                )
            ),
        ],
        className="mb-3",
    )


register_preset_callback(PREFIX)


@callback(
    Output(ID["kpis"], "children"),
    Output(ID["heatmap"], "figure"),
    Output(ID["curves"], "figure"),
    Output(ID["campaigns"], "children"),
    Output(ID["cohorts"], "children"),
    Output(ID["exports"], "children"),
    Output(ID["message"], "children"),
    Input(ID["dates"], "start_date"),
    Input(ID["dates"], "end_date"),
    Input(ID["platforms"], "value"),
    Input(THEME_STORE_ID, "data"),
    prevent_initial_call=True,  # the layout holds the first answer
)
@cache_response
def update_ltv(start, end, platforms, theme):
    """Every part of the page from validated filters."""
    try:
        rng, chosen = parse_range(start, end), parse_platforms(platforms)
    except InvalidFilter as exc:
        figure = empty_figure(exc.message, _theme(theme))
        return [], figure, figure, None, None, None, error_alert(exc.message)
    return *_content(rng, chosen, theme), None


def _theme(theme) -> str:
    return theme if theme in ("light", "dark") else "light"


def _content(rng, platforms, theme) -> tuple:
    """(KPI cards, heatmap, payback curves, campaign table, cohort table, export links)."""
    session, scope, theme = read_session(), g.scope, _theme(theme)
    totals = ltv_totals(session, scope, rng, platforms).iloc[0]
    return (
        ltv_kpi_cards(totals),
        cohort_heatmap_figure(
            ltv_cohort_heatmap(session, scope, rng, platforms), theme
        ),
        payback_curves_figure(
            ltv_payback_curves(session, scope, rng, platforms), theme
        ),
        campaign_ltv_table(
            ltv_by_campaign(session, scope, rng, platforms), "ltv-campaigns-table"
        ),
        cohort_ltv_table(
            ltv_by_month(session, scope, rng, platforms), "ltv-cohorts-table"
        ),
        _exports(rng, platforms) if scope.allows("analyst") else None,
    )


def _exports(rng, platforms) -> html.Div:
    query = urlencode(
        {
            "start": rng.start.isoformat(),
            "end": rng.end.isoformat(),
            "platform": ",".join(platforms),
        }
    )
    return export_links(
        PREFIX,
        [
            ("campaigns", "Campaigns CSV", f"/export/ltv/campaigns.csv?{query}"),
            ("cohorts", "Cohorts CSV", f"/export/ltv/cohorts.csv?{query}"),
            ("pdf", "Export PDF", f"/export/ltv.pdf?{query}"),
        ],
    )


clientside_callback(
    """
    function(start, end, platforms) {
        return window.kikiSyncUrl({start: start, end: end, platform: (platforms || []).join(',')});
    }
    """,
    Output(ID["url-sync"], "data"),
    Input(ID["dates"], "start_date"),
    Input(ID["dates"], "end_date"),
    Input(ID["platforms"], "value"),
)
