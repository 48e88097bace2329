"""The overview's callbacks: KPIs and charts from the daily rollup in one callback, the top
campaigns (a ranking of every campaign) in their own, so the first never waits for the second."""

from __future__ import annotations

import json
from decimal import Decimal

from tests.auth import dash_calls
from tests.golden import expected_cases
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
