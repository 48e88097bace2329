"""A first load in the browser: the page comes with the layout (shell/page_container.py), so the
page router does not fire; a Referer trimmed to the origin still ends on the address's page."""

from __future__ import annotations

from urllib.parse import urlsplit

from tests.browser.conftest import wait_until

# Installed before any page script: the output of every callback request the page sends.
RECORD_CALLBACKS = """
window.__callbackOutputs = [];
const send = window.fetch;
window.fetch = function(url, options) {
  if (String(url).includes('/_dash-update-component') && options && options.body) {
    try {
      const body = JSON.parse(options.body);
      window.__callbackOutputs.push(body.output);
      window.__callbackChanges = (window.__callbackChanges || []).concat(
        [[body.output, body.changedPropIds]]);
    } catch (e) {}
  }
  return send.apply(this, arguments);
};
"""
ROUTER_OUTPUT = "_pages_content.children"


def record_callbacks(duo) -> None:
    duo.driver.execute_cdp_cmd(
        "Page.addScriptToEvaluateOnNewDocument", {"source": RECORD_CALLBACKS}
    )


def outputs(duo) -> list[str]:
    return duo.driver.execute_script("return window.__callbackOutputs || []")


def test_the_page_comes_with_the_layout_and_the_router_stays_quiet(signed_in):
    duo = signed_in("analyst@acme.test", "/profile")
    record_callbacks(duo)
    duo.driver.get(duo.server.url + "/campaigns?search=Tent")
    duo.wait_for_element("#campaigns-table td[data-dash-column=name]", timeout=15)
    wait_until(lambda: "Tent Clearance" in duo.find_element("#campaigns-table").text)
    fired = outputs(duo)
    assert fired, "no callback was recorded"
    assert not [o for o in fired if ROUTER_OUTPUT in o], fired
    assert duo.driver.title.startswith("Campaigns")
    # A click on a link still goes through the router.
    duo.find_element("#shell-nav-links a[href='/']").click()
    duo.wait_for_element("#overview-kpis .card", timeout=15)
    assert [o for o in outputs(duo) if ROUTER_OUTPUT in o]
    assert urlsplit(duo.driver.current_url).path == "/"


def overview_changes(duo) -> list:
    changes = duo.driver.execute_script("return window.__callbackChanges || []")
    return [[o, c] for o, c in changes if "overview-" in o]


def charts_drawn(duo) -> bool:
    return duo.driver.execute_script(
        "const plots = document.querySelectorAll('.js-plotly-plot');"
        "return plots.length === 2 && Array.from(plots).every(p => p.data && p.data.length);"
    )


def test_the_overview_comes_with_its_kpis_and_charts_and_asks_only_for_the_ranking(
    signed_in,
):
    """The layout holds the KPIs and both charts (pages/overview.py): the only overview callback
    of a first load is the top campaigns' ranking, a first call of the layout's values (none
    waits for another input to change first: the theme store once set itself on mount)."""
    duo = signed_in("viewer@acme.test", "/profile")
    record_callbacks(duo)
    duo.driver.get(duo.server.url + "/")
    duo.wait_for_element("#overview-top-table", timeout=15)
    duo.wait_for_element("#kpi-revenue-value", timeout=15)
    wait_until(lambda: charts_drawn(duo), message="the charts were not drawn")
    assert overview_changes(duo) == [["overview-top.children", []]]
    changes = duo.driver.execute_script("return window.__callbackChanges || []")
    assert not [o for o, _ in changes if ROUTER_OUTPUT in o], changes


def test_a_dark_overview_opens_dark_without_drawing_its_charts_twice(signed_in):
    """The theme is mirrored into a cookie, so the layout's figures come in it: a reload draws
    them dark at once, and the KPIs-and-charts callback does not fire."""
    duo = signed_in("viewer@acme.test", "/profile")
    record_callbacks(duo)
    duo.driver.get(duo.server.url + "/")
    duo.wait_for_element("#kpi-revenue-value", timeout=15)
    duo.find_element("#shell-theme-switch").click()
    wait_until(
        lambda: any("overview-kpis" in o for o, _ in overview_changes(duo)),
        message="switching the theme did not draw the figures again",
    )
    wait_until(lambda: duo.driver.get_cookie("kiki_theme") is not None)
    assert duo.driver.get_cookie("kiki_theme")["value"] == "dark"
    duo.driver.refresh()
    duo.wait_for_element("#overview-top-table", timeout=15)
    wait_until(lambda: charts_drawn(duo), message="the charts were not drawn")
    font = duo.driver.execute_script(
        "return document.querySelector('#overview-trend .js-plotly-plot').layout.font.color"
    )
    assert font == "#dee2e6"  # the dark theme's (components/figures.py)
    assert duo.find_element("#shell-theme-switch").is_selected()
    assert overview_changes(duo) == [["overview-top.children", []]]


def test_a_referrer_trimmed_to_the_origin_still_shows_the_addressed_page(signed_in):
    duo = signed_in("analyst@acme.test", "/profile")
    record_callbacks(duo)
    # What a browser set to send only the origin does: the layout is asked for from "/".
    duo.driver.execute_cdp_cmd("Network.enable", {})
    duo.driver.execute_cdp_cmd(
        "Network.setExtraHTTPHeaders", {"headers": {"Referer": duo.server.url + "/"}}
    )
    duo.driver.get(duo.server.url + "/campaigns")
    duo.wait_for_element("#campaigns-table td[data-dash-column=name]", timeout=15)
    assert urlsplit(duo.driver.current_url).path == "/campaigns"
    assert [o for o in outputs(duo) if ROUTER_OUTPUT in o]  # the router set it right
    wait_until(
        lambda: not duo.driver.find_elements("css selector", "#overview-kpis"),
        message="the overview is still shown at /campaigns",
    )
    wait_until(lambda: duo.driver.title.startswith("Campaigns"))


def test_the_preloaded_chart_scripts_are_fetched_once_and_used(signed_in):
    """web/page_head.py preloads dcc's graph chunk and plotly.js on pages with charts:
    the renderer's own requests must be the same URLs, or each would be downloaded twice."""
    duo = signed_in("viewer@acme.test", "/profile")
    duo.driver.get(duo.server.url + "/")
    wait_until(lambda: charts_drawn(duo), timeout=15, message="charts not drawn")
    fetched = duo.driver.execute_script(
        "return performance.getEntriesByType('resource')"
        ".map(e => [new URL(e.name).pathname, e.initiatorType])"
        ".filter(([path]) => path.endsWith('async-graph.js') || path.endsWith('plotly.min.js'))"
    )
    assert sorted(fetched) == [
        ["/_dash-component-suites/dash/dcc/async-graph.js", "link"],
        ["/_dash-component-suites/plotly/package_data/plotly.min.js", "link"],
    ]
