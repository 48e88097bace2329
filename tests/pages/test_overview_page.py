"""The overview's callbacks: KPIs and charts from the daily rollup in one callback, the top
campaigns (a ranking of every campaign) in their own, so the first never waits for the second."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from components.shell import THEME_COOKIE
from tests.auth import dash_calls
from tests.auth.dash_calls import page_container
from tests.golden import expected_cases
from tests.shell.test_page_container import ORIGIN, find, first_layout
from tests.statements import statements_sent

CASES = {(c["organization_slug"], c["start"], c["end"]): c for c in expected_cases()}
TOP, KPIS = "overview-top", "overview-kpis"


def values(start: str, end: str, platforms=None) -> dict:
    return {
        "overview-dates.start_date": start,
        "overview-dates.end_date": end,
        "overview-platforms.value": platforms or [],
        "overview-granularity.value": "day",
        "shell-theme.data": "light",
    }


def _inputs(app, output_id: str) -> set[str]:
    key = dash_calls.callback_key(app, output_id)
    return {f"{i['id']}.{i['property']}" for i in app.callback_map[key]["inputs"]}


def _text(node) -> str:
    return json.dumps(node, ensure_ascii=False)


def test_the_table_has_its_own_callback_on_the_same_filters(app):
    main = dash_calls.output_specs(dash_calls.callback_key(app, KPIS))
    assert TOP not in [spec["id"] for spec in main]
    top = dash_calls.output_specs(dash_calls.callback_key(app, TOP))
    assert [spec["id"] for spec in top] == [TOP]
    # Same range, platforms and refresh as the KPIs; a theme or granularity switch does not
    # rank every campaign again.
    assert _inputs(app, TOP) == {
        "overview-dates.start_date",
        "overview-dates.end_date",
        "overview-platforms.value",
        "overview-refresh-timer.n_intervals",
        "shell-live-data.data",
    }
    assert _inputs(app, TOP) < _inputs(app, KPIS)


def test_both_overview_callbacks_go_through_the_response_cache(app):
    for output in (KPIS, TOP):
        key = dash_calls.callback_key(app, output)
        assert getattr(app.callback_map[key]["callback"], "kiki_cache_response", False)


def test_top_campaigns_show_the_golden_figures_most_revenue_first(app, client_for):
    client = client_for("acme", "viewer")
    response = dash_calls.call(app, client, TOP, values("2026-10-05", "2026-11-01"))
    table = _text(dash_calls.response_of(response, TOP, "children"))
    case = CASES[("acme", "2026-10-05", "2026-11-01")]["by_campaign"]
    # Golden campaigns 1 and 2 earned revenue, 3 only spent; 4 had nothing and is left out.
    revenues = [f"${Decimal(case[g]['revenue']):,.2f}" for g in ("1", "2", "3")]
    positions = [table.index(r) for r in revenues]
    assert positions == sorted(positions)
    assert f"${Decimal(case['3']['spend']):,.2f}" in table
    assert table.count('"href": "/campaigns/') == 3
    main = dash_calls.call(app, client, KPIS, values("2026-10-05", "2026-11-01"))
    assert TOP not in main.json["response"]


def test_top_campaigns_follow_the_platform_filter(app, client_for):
    client = client_for("acme", "viewer")
    response = dash_calls.call(
        app, client, TOP, values("2026-10-19", "2026-11-01", ["google"])
    )
    table = _text(dash_calls.response_of(response, TOP, "children"))
    case = CASES[("acme", "2026-10-19", "2026-11-01")]
    # Golden campaign 1 runs on Meta and Google and earns all of Acme's Google revenue here:
    # the table shows its Google part, not its total.
    google = case["by_platform"]["google"]["revenue"]
    assert f"${Decimal(google):,.2f}" in table
    assert f"${Decimal(case['by_campaign']['1']['revenue']):,.2f}" not in table


def test_a_quiet_period_and_a_bad_range_are_explained(app, client_for):
    client = client_for("acme", "viewer")
    quiet = dash_calls.call(app, client, TOP, values("2026-11-02", "2026-11-08"))
    assert "No campaign had activity" in _text(
        dash_calls.response_of(quiet, TOP, "children")
    )
    bad = dash_calls.call(app, client, TOP, values("2026-11-08", "2026-11-02"))
    shown = _text(dash_calls.response_of(bad, TOP, "children"))
    assert "The end date is before the start date." in shown
    assert "/campaigns/" not in shown


def test_a_repeated_ranking_is_served_without_data_sql(app, client_for):
    client = client_for("globex", "viewer")
    engine = app.server.extensions["kiki_db"].engine
    body = values("2026-10-06", "2026-10-29")
    with statements_sent(engine, keep=lambda s: "performance_metrics" in s) as seen:
        first = dash_calls.call(app, client, TOP, body)
        after_first = len(seen)
        second = dash_calls.call(app, client, TOP, body)
    assert after_first == 1 and len(seen) == 1
    assert first.get_data() == second.get_data()


def test_the_table_starts_with_a_loading_state(app, client_for):
    client = client_for("acme", "viewer")
    layout = dash_calls.layout_values(app, client, ["/"])
    assert "Ranking campaigns" in _text(layout[f"{TOP}.children"])


def _first_layout(client, query: str) -> list:
    """The overview inside the first layout, as the browser at /?<query> is sent it."""
    container = first_layout(client, f"{ORIGIN}/?{query}")
    return container["_pages_content"]["children"]


def test_the_first_layout_holds_the_kpis_and_charts_of_its_address(client_for):
    page = _first_layout(
        client_for("acme", "viewer"), "start=2026-10-05&end=2026-11-01&platform=google"
    )
    google = CASES[("acme", "2026-10-05", "2026-11-01")]["by_platform"]["google"]
    revenue = find(page, "kpi-revenue-value")["children"]
    assert revenue == f"${float(google['revenue']):,.2f}"
    trend = find(page, "overview-trend")["figure"]
    assert len(trend["data"][0]["x"]) == 28  # 2026-10-05..2026-11-01, one point a day
    breakdown = find(page, "overview-breakdown")["figure"]
    assert breakdown["layout"]["xaxis"]["ticktext"] == [
        f"Google<br>ROAS {google['roas']:.2f}×"
    ]
    assert find(page, "overview-exports").get("children") is None  # a viewer's


def test_an_analyst_gets_the_export_links_with_the_first_layout(client_for):
    page = _first_layout(
        client_for("acme", "analyst"), "start=2026-10-05&end=2026-11-01"
    )
    assert "/export/trend.csv?start=2026-10-05&end=2026-11-01" in _text(
        find(page, "overview-exports")
    )


def test_the_kpis_and_charts_callback_answers_changes_only(client_for):
    """As the browser is told: it does not call it for the layout's own values."""
    dependencies = client_for("acme", "viewer").get("/_dash-dependencies").json
    kpis = [d for d in dependencies if f"{KPIS}.children" in d["output"]]
    top = [d for d in dependencies if d["output"] == f"{TOP}.children"]
    assert [d["prevent_initial_call"] for d in kpis + top] == [True, False]


@pytest.mark.parametrize(
    ("cookie", "font", "stored"),
    [
        ("dark", "#dee2e6", "dark"),
        ("light", "#212529", "light"),
        ("<b>", "#212529", None),
    ],
)
def test_the_first_figures_come_in_the_theme_the_cookie_names(
    client_for, cookie, font, stored
):
    """The theme store starts with the cookie's theme, so that it changes nothing as it mounts
    when local storage holds the same; anything but light or dark is ignored."""
    client = client_for("acme", "viewer")
    client.set_cookie(THEME_COOKIE, cookie)
    layout = client.get("/_dash-layout", headers={"Referer": f"{ORIGIN}/"}).json
    page = page_container(layout)["_pages_content"]["children"]
    assert find(page, "overview-trend")["figure"]["layout"]["font"]["color"] == font
    assert find(layout, "shell-theme").get("data") == stored


def test_a_bad_link_still_opens_the_overview_on_its_defaults(client_for):
    page = _first_layout(client_for("acme", "viewer"), "start=2026-13-01&end=nope")
    assert "Ignored the link's filters" in _text(page)
    assert find(page, "overview-trend")["figure"]["data"]
