"""An open overview shows new numbers and a new bell count after a write made elsewhere, without
a reload (assets/live.js over /live/events)."""

from __future__ import annotations

import time

import pytest

from tests.browser.conftest import sqlite_world, wait_until
from tests.live_writes import add_revenue, notify


@pytest.fixture(scope="module")
def browser_world(tmp_path_factory):
    """A world of this module's own: it changes acme's revenue and the viewer's notifications."""
    return sqlite_world(tmp_path_factory, "live-browser")


def test_the_overview_and_the_bell_follow_a_write_without_a_reload(
    signed_in, browser_app, browser_world
):
    _url, world = browser_world
    duo = signed_in("viewer@acme.test", "/")
    duo.wait_for_element("#kpi-revenue-value", timeout=15)
    duo.wait_for_element("#notifications-unread", timeout=15)
    wait_until(
        lambda: duo.driver.execute_script(
            "return window.kikiLive && document.readyState === 'complete'"
        ),
        message="assets/live.js never loaded",
    )
    revenue = duo.find_element("#kpi-revenue-value").text
    unread = int(duo.find_element("#notifications-unread").text)
    duo.driver.execute_script("window.kikiNotReloaded = true")
    # The stream is open and its "ready" arrived before the write.
    wait_until(
        lambda: duo.driver.execute_script(
            "return kikiLive.state === 'open' && kikiLive.lastId !== null"
        ),
        message="the page never opened /live/events",
    )
    acme = world["orgs"]["acme"]
    add_revenue(browser_app, acme, "100000")  # as an ingest would
    notify(browser_app, acme, "viewer@acme.test")
    wait_until(
        lambda: duo.find_element("#kpi-revenue-value").text != revenue,
        timeout=10,
        message=f"the revenue KPI stayed {revenue}",
    )
    wait_until(
        lambda: int(duo.find_element("#notifications-unread").text) == unread + 1,
        timeout=10,
        message="the bell count did not change",
    )
    assert duo.driver.execute_script("return window.kikiNotReloaded === true")


def test_events_refresh_the_page_at_most_once_a_second(
    signed_in, browser_app, browser_world
):
    _url, world = browser_world
    duo = signed_in("viewer@acme.test", "/")
    duo.wait_for_element("#kpi-revenue-value", timeout=15)
    wait_until(
        lambda: duo.driver.execute_script(
            "return window.kikiLive && kikiLive.state === 'open' && kikiLive.lastId !== null"
        ),
        message="the page never opened /live/events",
    )
    broker = browser_app.server.extensions["kiki_live"]
    before = duo.driver.execute_script("return kikiLive.flushes")
    for _ in range(8):  # eight commits' events over about a second
        last = broker.publish(world["orgs"]["acme"], ["metrics"])
        time.sleep(0.15)
    wait_until(
        lambda: duo.driver.execute_script("return kikiLive.lastId") == last.id,
        message="the burst never arrived",
    )
    time.sleep(2.5)
    # Applied at 0 s, 1 s (the next six together) and 2 s (the last): never eight refreshes.
    assert duo.driver.execute_script("return kikiLive.flushes") - before <= 3
