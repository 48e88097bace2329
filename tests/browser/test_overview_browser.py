"""The overview in a real browser shows the golden figures (computed independently of the app)."""

from __future__ import annotations

from tests.browser.conftest import screenshot, wait_for_url, wait_until
from tests.golden import expected_cases

CASES = {(c["organization_slug"], c["start"], c["end"]): c for c in expected_cases()}


def _money(text: str) -> str:
    return text.replace("$", "").replace(",", "")


def _wait_for_value(duo, card: str, expected: str) -> None:
    duo.wait_for_text_to_equal(f"#{card}-value", expected, timeout=15)


def test_default_view_shows_six_kpis_thirty_days_and_three_platforms(signed_in):
    duo = signed_in("viewer@acme.test")
    # Default range: the 30 days up to the pinned today (2026-10-03..2026-11-01). The golden data
    # starts on 2026-10-05, so the sums equal the golden 2026-10-05..2026-11-01 case.
    expected = CASES[("acme", "2026-10-05", "2026-11-01")]["summary"]
    _wait_for_value(
        duo,
        "kpi-revenue",
        "$6,656.95".replace("6,656.95", f"{float(expected['revenue']):,.2f}"),
    )
    for card in ("campaigns", "revenue", "spend", "fee", "conversions", "roas"):
        assert duo.find_element(f"#kpi-{card}").is_displayed()
    assert duo.find_element("#kpi-campaigns-value").text == "4"
    assert (
        _money(duo.find_element("#kpi-spend-value").text)
        == f"{float(expected['spend']):.2f}"
    )
    assert (
        _money(duo.find_element("#kpi-fee-value").text)
        == f"{float(expected['fee']):.2f}"
    )
    assert (
        duo.find_element("#kpi-conversions-value").text
        == f"{expected['conversions']:,}"
    )
    assert duo.find_element("#kpi-roas-value").text == f"{expected['roas']:.2f}×"
    trend = duo.driver.execute_script(
        "return document.querySelector('#overview-trend .js-plotly-plot').data[0].x.length"
    )
    assert trend == 30
    platforms = duo.driver.execute_script(
        "return document.querySelector('#overview-breakdown .js-plotly-plot').data[0].x"
    )
    assert platforms == ["Meta", "Google", "TikTok"]
    assert not duo.get_logs(), duo.get_logs()
    screenshot(duo, "overview-light")


def test_shared_url_reproduces_range_and_platform(signed_in):
    duo = signed_in(
        "viewer@acme.test", "/?start=2026-10-19&end=2026-11-01&platform=google"
    )
    expected = CASES[("acme", "2026-10-19", "2026-11-01")]["by_platform"]["google"]
    _wait_for_value(duo, "kpi-revenue", f"${float(expected['revenue']):,.2f}")
    assert (
        _money(duo.find_element("#kpi-spend-value").text)
        == f"{float(expected['spend']):.2f}"
    )
    assert "platform=google" in duo.driver.current_url


def _kpis_match(duo, expected: dict) -> None:
    _wait_for_value(duo, "kpi-revenue", f"${float(expected['revenue']):,.2f}")
    assert (
        _money(duo.find_element("#kpi-spend-value").text)
        == f"{float(expected['spend']):.2f}"
    )
    assert (
        _money(duo.find_element("#kpi-fee-value").text)
        == f"{float(expected['fee']):.2f}"
    )
    assert (
        duo.find_element("#kpi-conversions-value").text
        == f"{expected['conversions']:,}"
    )
    roas = "—" if expected["roas"] is None else f"{expected['roas']:.2f}×"
    assert duo.find_element("#kpi-roas-value").text == roas


def _trace(duo, graph: str, index: int, key: str):
    return duo.driver.execute_script(
        f"return document.querySelector('#{graph} .js-plotly-plot').data[{index}].{key}"
    )


def test_changing_controls_updates_every_figure(signed_in):
    duo = signed_in("analyst@acme.test")
    month = CASES[("acme", "2026-10-05", "2026-11-01")]
    _kpis_match(duo, month["summary"])

    # Platform filter: every figure narrows to Google.
    duo.select_dcc_dropdown("#overview-platforms", value="Google")
    _kpis_match(duo, month["by_platform"]["google"])
    google_roas = month["by_platform"]["google"]["roas"]
    duo.wait_for_text_to_equal(  # the label's two lines: the platform, then its ROAS
        "#overview-breakdown .xtick text", f"GoogleROAS {google_roas:.2f}×", timeout=10
    )
    wait_for_url(duo, "platform=google")

    # Weekly buckets: 2026-10-03 (clipped) and the four Mondays after it.
    duo.find_element(
        "label[for^='_dbcprivate_radioitems_overview-granularity_input_week']"
    ).click()
    wait_until(
        lambda: len(_trace(duo, "overview-trend", 0, "x") or []) == 5, timeout=10
    )
    assert _trace(duo, "overview-trend", 0, "x")[0] == "2026-10-03"

    # Preset "month to date" with today pinned to 2026-11-01: the single day 2026-11-01.
    duo.driver.get(duo.server.url + "/")
    duo.wait_for_element("#overview-preset", timeout=10)
    duo.select_dcc_dropdown("#overview-preset", value="Month to date")
    day = CASES[("acme", "2026-10-19", "2026-11-01")]["daily"]["2026-11-01"]
    _kpis_match(duo, day)
    dates = duo.driver.execute_script(
        "const start = document.getElementById('overview-dates');"
        "const end = start.parentElement.parentElement.querySelector('.dash-datepicker-end-date');"
        "return [start.value, end.value];"
    )
    assert dates == ["2026-11-01", "2026-11-01"]
    assert (
        duo.find_element("#overview-export-trend")
        .get_attribute("href")
        .endswith("start=2026-11-01&end=2026-11-01&platform=&granularity=day")
    )


def test_bad_link_is_explained_not_a_crash(signed_in):
    duo = signed_in(
        "viewer@acme.test", "/?start=2026-11-01&end=2026-10-01&platform=myspace"
    )
    duo.wait_for_contains_text(
        "#overview-link-problem", "Ignored the link's filters", timeout=10
    )
    assert duo.find_element("#kpi-revenue-value").is_displayed()


DARK_FONT = "#dee2e6"


def trend_font_color(duo) -> str:
    return duo.driver.execute_script(
        "return document.querySelector('#overview-trend .js-plotly-plot').layout.font.color"
    )


def test_dark_theme_themes_the_page_and_figures(signed_in):
    duo = signed_in("viewer@acme.test")
    duo.wait_for_element("#kpi-revenue-value", timeout=15)
    duo.find_element("#shell-theme-switch").click()
    wait_until(
        lambda: (
            duo.driver.execute_script(
                "return document.documentElement.getAttribute('data-bs-theme')"
            )
            == "dark"
        ),
        timeout=5,
    )
    wait_until(lambda: trend_font_color(duo) == DARK_FONT, timeout=10)
    screenshot(duo, "overview-dark")
    # Kept for the next visit: the page and its figures open dark, the switch on.
    duo.driver.refresh()
    duo.wait_for_element("#kpi-revenue-value", timeout=15)
    wait_until(
        lambda: trend_font_color(duo) == DARK_FONT,
        timeout=10,
        message="figures light after a reload",
    )
    assert duo.find_element("#shell-theme-switch").is_selected()


_OVERLAPS_JS = """
const overlaps = [];
for (const graph of document.querySelectorAll('.dash-graph')) {
  const title = graph.querySelector('.gtitle');
  const bar = graph.querySelector('.modebar');
  if (!title || !bar) { overlaps.push(graph.id + ': no title or toolbar'); continue; }
  const t = title.getBoundingClientRect(), b = bar.getBoundingClientRect();
  if (t.right > b.left && t.left < b.right && t.bottom > b.top && t.top < b.bottom) {
    overlaps.push(graph.id);
  }
}
return overlaps;
"""


# Whether each chart has been drawn at its card's current width (plotly relayouts on resize).
_CHARTS_FIT_JS = """
return Array.from(document.querySelectorAll('.dash-graph')).every(graph => {
  const svg = graph.querySelector('.main-svg');
  return svg && Math.abs(svg.getBoundingClientRect().width - graph.clientWidth) < 2;
});
"""

# The breakdown's platform labels (each with its ROAS), the axis title and the legend: their
# texts, and each pair of them whose boxes overlap.
_BREAKDOWN_LABELS_JS = """
const graph = document.getElementById('overview-breakdown');
const ticks = Array.from(graph.querySelectorAll('.xtick text'));
const parts = ticks.map(t => [t.textContent, t])
  .concat([['axis title', graph.querySelector('.xtitle')], ['legend', graph.querySelector('.legend')]]);
const collisions = [];
parts.forEach(([a, ea], i) => parts.slice(i + 1).forEach(([b, eb]) => {
  const r = ea.getBoundingClientRect(), s = eb.getBoundingClientRect();
  if (r.right > s.left && r.left < s.right && r.bottom > s.top && r.top < s.bottom) {
    collisions.push(a + ' / ' + b);
  }
}));
return [ticks.map(t => t.textContent), collisions];
"""


# Desktop, a small laptop, the top of Bootstrap's lg range, a tablet, a phone: (width, height).
WINDOWS = ((1400, 900), (1100, 800), (1024, 768), (800, 1024), (390, 844))


def at_each_width(duo):
    """Resize the browser to each of WINDOWS in turn, yielding its width."""
    for width, height in WINDOWS:
        duo.driver.set_window_size(width, height)
        yield width


def test_no_chart_toolbar_covers_its_title_and_no_label_collides_at_any_width(
    signed_in,
):
    """Plotly shows the toolbar while the pointer is over a chart (on a phone, while it is
    touched). The title sits below the toolbar's band, so however wide the title is in the
    browser's fonts, the two never share a line: desktop, laptop, tablet and phone. The
    breakdown's platform labels, each with its ROAS, stay legible beside its legend."""
    duo = signed_in("viewer@acme.test")
    for width in at_each_width(duo):
        wait_until(
            lambda: (
                len(duo.driver.find_elements("css selector", ".dash-graph .gtitle"))
                == 2
            ),
            timeout=15,
            message="the overview's two charts were not drawn",
        )
        # Let plotly's resize handler relayout the charts for the new width.
        duo.driver.execute_script("window.dispatchEvent(new Event('resize'))")
        wait_until(
            lambda: duo.driver.execute_script(_CHARTS_FIT_JS),
            timeout=5,
            message=f"the charts were not laid out again for {width}px",
        )
        wait_until(
            lambda: duo.driver.execute_script(_OVERLAPS_JS) == [],
            timeout=5,
            message=f"a toolbar covers a title at {width}px: "
            f"{duo.driver.execute_script(_OVERLAPS_JS)}",
        )
        labels, collisions = duo.driver.execute_script(_BREAKDOWN_LABELS_JS)
        assert len(labels) == 3 and all("ROAS" in label for label in labels), labels
        assert collisions == [], f"the breakdown's labels collide at {width}px"
        screenshot(duo, f"overview-charts-{width}px")


# The date picker's parts (start, arrow, end, caret): their tops, and the box's height beside
# the period dropdown's, which sits in the same row.
_DATE_PICKER_JS = """
const box = document.getElementById('overview-dates-wrapper');
const parts = ['.dash-datepicker-start-date', '.dash-datepicker-range-arrow',
               '.dash-datepicker-end-date', '.dash-datepicker-caret-icon']
  .map(css => box.querySelector(css).getBoundingClientRect());
const preset = document.querySelector('#overview-preset').getBoundingClientRect();
return {tops: parts.map(r => Math.round(r.top + r.height / 2)), height: box.offsetHeight,
        presetHeight: Math.round(preset.height), right: Math.round(parts[3].right),
        boxRight: Math.round(box.getBoundingClientRect().right)};
"""


def test_the_date_range_keeps_one_line_inside_its_box_at_any_width(signed_in):
    """Start date, arrow, end date and caret read as one line in a box as tall as the other
    controls, the caret inside it: at 1024 px a quarter of the row was too narrow for them, and
    the caret wrapped onto a second line."""
    duo = signed_in("viewer@acme.test")
    for width in at_each_width(duo):
        wait_until(
            lambda: duo.driver.find_elements("css selector", "#overview-dates-wrapper"),
            timeout=10,
            message="no date picker",
        )
        found = duo.driver.execute_script(_DATE_PICKER_JS)
        assert max(found["tops"]) - min(found["tops"]) <= 4, (width, found)
        assert found["height"] <= found["presetHeight"] + 4, (width, found)
        assert found["right"] <= found["boxRight"], (width, found)


def test_a_charts_table_is_built_when_opened_and_follows_the_filters(signed_in):
    """ "Show as table" opened with the keyboard: the table arrives then (it is not built with
    every layout), holds the chart's numbers, and follows a control's change while open."""
    from selenium.webdriver.common.keys import Keys

    duo = signed_in("analyst@acme.test")
    month = CASES[("acme", "2026-10-05", "2026-11-01")]
    _kpis_match(duo, month["summary"])
    rows = "#overview-trend-table tbody tr"
    assert duo.find_element("#overview-trend-table").text == ""
    summary = duo.find_element("#overview-trend-details summary")
    duo.driver.execute_script(
        "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", summary
    )
    summary.send_keys(Keys.ENTER)
    wait_until(
        lambda: len(duo.driver.find_elements("css selector", rows)) == 30,
        timeout=10,
        message="the trend's table (30 days) did not arrive when opened",
    )
    duo.driver.execute_script(  # weekly buckets: 2026-10-03 (clipped) and four Mondays
        "document.querySelector(\"label[for^='_dbcprivate_radioitems_overview-granularity"
        "_input_week']\").click()"
    )
    wait_until(
        lambda: len(duo.driver.find_elements("css selector", rows)) == 5,
        timeout=10,
        message="the open table did not follow the weekly buckets",
    )
    assert duo.find_element(rows).text.startswith("2026-10-03")
