"""Overview (/): KPI cards against the previous period, revenue trend, platform breakdown, top campaigns."""

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
    granularity_control,
    link_problem,
    message_area,
    platform_control,
    refresh_control,
)
from components.figures import (
    empty_figure,
    platform_breakdown_figure,
    revenue_trend_figure,
)
from components.kpi import kpi_card
from components.shell import (
    LIVE_DATA_ID,
    LIVE_STATUS_ID,
    THEME_STORE_ID,
    saved_theme,
)
from components.tables import top_campaigns_table
from data.clock import today
from data.db import read_session
from data.filters import (
    DEFAULT_PRESET,
    InvalidFilter,
    matching_preset,
    parse_granularity,
    parse_platforms,
    parse_range,
    preset_range,
)
from data.reads.overview import (
    kpi_summary,
    platform_breakdown,
    revenue_trend,
    top_campaigns,
)
from shell.presets import register_preset_callback
from web.callback_cache import cache_response

PREFIX = "overview"
ID = {
    name: f"{PREFIX}-{name}"
    for name in [
        "preset",
        "dates",
        "platforms",
        "granularity",
        "refresh",
        "refresh-timer",
        "kpis",
        "trend",
        "breakdown",
        "top",
        "top-loading",
        "message",
        "url-sync",
        "exports",
    ]
}

dash.register_page(
    __name__,
    path="/",
    name="Overview",
    title="Overview · KIKI Analytics",
    order=0,
    nav=True,
    min_role="viewer",
    id_prefix=f"{PREFIX}-",
    # Its graphs: the page preloads plotly (web/page_head.py); text alternatives (shell/charts.py)
    charts=(ID["trend"], ID["breakdown"]),
)

KPI_CARDS = [  # (card id, label, metric)
    ("kpi-revenue", "Revenue", "revenue"),
    ("kpi-spend", "Spend", "spend"),
    ("kpi-fee", "Performance fee", "fee"),
    ("kpi-profit", "Profit", "profit"),
    ("kpi-roas", "ROAS", "roas"),
    ("kpi-conversions", "Conversions", "conversions"),
    ("kpi-cpa", "CPA", "cpa"),
]


def _initial_state(start, end, platform, granularity):
    """Controls' starting values from the URL; a bad URL falls back to defaults with a message."""
    try:
        rng = (
            parse_range(start, end)
            if (start or end)
            else preset_range(DEFAULT_PRESET, today())
        )
        return rng, parse_platforms(platform), parse_granularity(granularity), None
    except InvalidFilter as exc:
        return (
            preset_range(DEFAULT_PRESET, today()),
            (),
            "day",
            f"Ignored the link's filters: {exc.message}",
        )


def layout(start=None, end=None, platform=None, granularity=None, **_ignored):
    """The page with its KPIs and charts already in it (update_overview answers changes only):
    the browser draws them with the layout, without a callback's round trip first, and without
    the renderer holding that callback back until plotly.js has loaded."""
    rng, platforms, grain, problem = _initial_state(start, end, platform, granularity)
    cards, trend, breakdown, exports = _content(rng, platforms, grain, saved_theme())
    return html.Div(
        [
            html.H1("Overview", className="h3 mb-3"),
            dbc.Row(
                [
                    *date_range_controls(PREFIX, rng, matching_preset(rng, today())),
                    platform_control(PREFIX, platforms),
                    granularity_control(PREFIX, grain),
                    refresh_control(PREFIX),
                ],
                className="g-2 mb-3 align-items-end controls-row",
            ),
            link_problem(PREFIX, problem),
            message_area(ID["message"]),
            dcc.Store(id=ID["url-sync"]),
            dcc.Loading(
                dbc.Row(cards, id=ID["kpis"], className="g-3 mb-3"),
                type="dot",
                delay_show=300,
            ),
            dbc.Row(
                [
                    chart_card(ID["trend"], 7, trend),
                    chart_card(ID["breakdown"], 5, breakdown),
                ],
                className="g-3",
            ),
            html.Div(exports, id=ID["exports"]),
            dbc.Card(
                [
                    dbc.CardHeader("Top campaigns by revenue"),
                    dbc.CardBody(
                        dcc.Loading(
                            html.Div(_ranking_placeholder(), id=ID["top"]),
                            type="dot",
                            delay_show=300,
                        )
                    ),
                ]
            ),
        ]
    )


def _ranking_placeholder() -> html.P:
    """What the table shows until its own callback answers (it ranks every campaign)."""
    return html.P(
        [dbc.Spinner(size="sm", spinner_class_name="me-2"), "Ranking campaigns…"],
        className="text-body-secondary mb-0",
        id=ID["top-loading"],
    )


register_preset_callback(PREFIX)


@callback(
    Output(ID["kpis"], "children"),
    Output(ID["trend"], "figure"),
    Output(ID["breakdown"], "figure"),
    Output(ID["message"], "children"),
    Output(ID["exports"], "children"),
    Input(ID["dates"], "start_date"),
    Input(ID["dates"], "end_date"),
    Input(ID["platforms"], "value"),
    Input(ID["granularity"], "value"),
    Input(ID["refresh-timer"], "n_intervals"),
    Input(LIVE_DATA_ID, "data"),  # the organization's metrics or campaigns changed
    Input(THEME_STORE_ID, "data"),
    prevent_initial_call=True,  # the layout holds the first answer
)
@cache_response
def update_overview(start, end, platforms, granularity, _tick, _live, theme):
    """The KPIs and both charts (all read from the daily rollup) from validated filters."""
    try:
        rng = parse_range(start, end)
        chosen = parse_platforms(platforms)
        grain = parse_granularity(granularity)
    except InvalidFilter as exc:
        figure = empty_figure(exc.message, _theme(theme))
        return [], figure, figure, error_alert(exc.message), None
    cards, trend, breakdown, exports = _content(rng, chosen, grain, theme)
    return cards, trend, breakdown, None, exports


def _theme(theme) -> str:
    return theme if theme in ("light", "dark") else "light"


def _content(rng, platforms, granularity, theme) -> tuple:
    """(KPI cards, trend figure, breakdown figure, export links) for validated filters: the
    layout's first values and the callback's answers."""
    session, scope = read_session(), g.scope
    kpis = kpi_summary(session, scope, rng, platforms).set_index("period")
    current, previous = kpis.loc["current"], kpis.loc["previous"]
    cards = [
        kpi_card(
            "kpi-campaigns",
            "Campaigns",
            "campaigns",
            int(current["campaigns_total"]),
            note=f"{int(current['campaigns_active']):,} active",
        )
    ]
    cards += [
        kpi_card(card_id, label, name, current[name], previous[name])
        for card_id, label, name in KPI_CARDS
    ]
    trend = revenue_trend(session, scope, rng, granularity, platforms)
    breakdown = platform_breakdown(session, scope, rng, platforms)
    theme = _theme(theme)
    return (
        cards,
        revenue_trend_figure(trend, theme, granularity, rng),
        platform_breakdown_figure(breakdown, theme),
        _exports(rng, platforms, granularity) if scope.allows("analyst") else None,
    )


@callback(
    Output(ID["top"], "children"),
    Input(ID["dates"], "start_date"),
    Input(ID["dates"], "end_date"),
    Input(ID["platforms"], "value"),
    Input(ID["refresh-timer"], "n_intervals"),
    Input(LIVE_DATA_ID, "data"),
)
@cache_response
def update_top_campaigns(start, end, platforms, _tick, _live):
    """The five campaigns with the most revenue; its own callback because it ranks every
    campaign over the raw rows (ten times the work at ten times the campaigns), while the
    KPIs and charts read the rollup: they appear without waiting for it."""
    try:
        rng, chosen = parse_range(start, end), parse_platforms(platforms)
    except InvalidFilter as exc:
        return html.P(exc.message, className="text-body-secondary mb-0")
    return top_campaigns_table(top_campaigns(read_session(), g.scope, rng, chosen))


def _exports(rng, platforms, granularity) -> html.Div:
    query = urlencode(
        {
            "start": rng.start.isoformat(),
            "end": rng.end.isoformat(),
            "platform": ",".join(platforms),
            "granularity": granularity,
        }
    )
    return export_links(
        PREFIX,
        [
            ("trend", "Trend CSV", f"/export/trend.csv?{query}"),
            ("platforms", "Platforms CSV", f"/export/platforms.csv?{query}"),
            ("daily", "Daily rows CSV", f"/export/metrics/daily.csv?{query}"),
            ("campaigns", "Campaigns CSV", f"/export/campaigns.csv?{query}"),
            ("pdf", "Export PDF", f"/export/overview.pdf?{query}"),
            # The form of /reports opens filled with this view and these filters.
            ("schedule", "Schedule by e-mail", f"/reports?view=overview&{query}"),
        ],
    )


# The timed refresh is the fallback: off while the live stream is open (assets/live.js). In the
# browser: the stream opening on every page load would otherwise cost a server round trip.
clientside_callback(
    """
    function(seconds, live) {
        seconds = [30, 60, 300].includes(seconds) ? seconds : 0;
        return [seconds === 0 || live === 'open', Math.max(seconds, 30) * 1000];
    }
    """,
    Output(ID["refresh-timer"], "disabled"),
    Output(ID["refresh-timer"], "interval"),
    Input(ID["refresh"], "value"),
    Input(LIVE_STATUS_ID, "data"),
    prevent_initial_call=True,
)


clientside_callback(
    """
    function(start, end, platforms, granularity) {
        return window.kikiSyncUrl({start: start, end: end, platform: (platforms || []).join(','),
                                   granularity: granularity === 'day' ? '' : granularity});
    }
    """,
    Output(ID["url-sync"], "data"),
    Input(ID["dates"], "start_date"),
    Input(ID["dates"], "end_date"),
    Input(ID["platforms"], "value"),
    Input(ID["granularity"], "value"),
)
