"""The overview in a real browser shows the golden figures (computed independently of the app)."""

from __future__ import annotations

from tests.browser.conftest import screenshot
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
