"""The overview's top-campaigns table loads on its own: the KPIs and charts never wait for it."""

from __future__ import annotations

import inspect
import threading
import time

from tests.auth import dash_calls
from tests.browser.conftest import wait_until
from tests.golden import expected_cases

CASES = {(c["organization_slug"], c["start"], c["end"]): c for c in expected_cases()}
CALLBACKS_FIRED = """
return performance.getEntriesByType('resource')
  .filter(e => e.name.includes('/_dash-update-component')).length;
"""


def test_kpis_and_charts_appear_while_the_ranking_is_still_running(
    browser_app, signed_in, monkeypatch
):
    key = dash_calls.callback_key(browser_app, "overview-top")
    module = inspect.unwrap(browser_app.callback_map[key]["callback"]).__globals__
    release = threading.Event()
    real = module["top_campaigns"]

    def held_ranking(*args, **kwargs):
        release.wait(timeout=20)  # the ranking of every campaign, still at work
        return real(*args, **kwargs)

    monkeypatch.setitem(module, "top_campaigns", held_ranking)
    duo = signed_in("viewer@acme.test")
    try:
        expected = CASES[("acme", "2026-10-05", "2026-11-01")]["summary"]
        duo.wait_for_text_to_equal(
            "#kpi-revenue-value", f"${float(expected['revenue']):,.2f}", timeout=15
        )
        wait_until(
            lambda: (
                duo.driver.execute_script(
                    "return document.querySelectorAll('.js-plotly-plot').length"
                )
                == 2
            ),
            timeout=10,
        )
        # Charts and KPIs are drawn; the table still shows its loading state.
        assert not duo.driver.find_elements("css selector", "#overview-top-table")
        assert duo.driver.find_elements("css selector", "#overview-top-loading")
    finally:
        release.set()
    duo.wait_for_element("#overview-top-table a[href^='/campaigns/']", timeout=15)
    names = duo.driver.execute_script(
        "return Array.from(document.querySelectorAll('#overview-top-table tbody tr'))"
        ".length"
    )
    assert names == 3  # golden campaigns 1, 2 and 3 had activity; 4 had none
    assert not duo.get_logs(), duo.get_logs()


def test_first_load_fires_at_most_four_callbacks(signed_in):
    duo = signed_in("viewer@acme.test")
    duo.wait_for_element("#overview-top-table", timeout=15)
    fired, quiet_since = -1, time.monotonic()
    while time.monotonic() - quiet_since < 1.0:  # until no callback has started for 1 s
        now = duo.driver.execute_script(CALLBACKS_FIRED)
        if now != fired:
            fired, quiet_since = now, time.monotonic()
        time.sleep(0.1)
    # shell navigation, KPIs and charts, top campaigns (the page came with the layout, so no
    # page router: tests/browser/test_first_load_browser.py)
    assert 0 < fired <= 4
