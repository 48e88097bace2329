"""Every page opens without a browser error, light and dark, desktop and phone width (screenshots kept)."""

from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot, wait_until

PAGES = {
    "overview": ("/", "#kpi-revenue-value"),
    "campaigns": ("/campaigns?start=2026-10-05&end=2026-11-01", "#campaigns-table td"),
    "campaign-detail": (
        "/campaigns/1?start=2026-10-05&end=2026-11-01",
        "#campaign-deployments-table",
    ),
    "new-campaign": ("/campaigns/new", "#campaign-form-name"),
    "approvals": ("/approvals", "#approvals-queue-table, #approvals-queue p"),
    "notifications": (
        "/notifications",
        "#notifications-page-items, #notifications-page-list p",
    ),
    "alerts": ("/alerts", "#alerts-rules, #alerts-list p"),
    "ltv": ("/ltv", "#ltv-kpi-customers-value"),
    "creatives": ("/creatives", "#creatives-library p, #creatives-library table"),
    "settings": ("/settings", "#settings-users table"),
    "organization": (
        "/settings/organization",
        "#org-credentials table, #org-credentials p",
    ),
    "audit": ("/audit", "#audit-table table, #audit-table p"),
    "webhooks": ("/settings/webhooks", "#webhooks-list p, #webhooks-list table"),
    "profile": ("/profile", "#profile-current"),
    "tokens": ("/profile/tokens", "#tokens-name"),
}


def _no_loading(duo) -> bool:
    """Nothing is loading and every chart is drawn (plotly.js loads after the page: a screenshot
    taken before that showed an empty chart card)."""
    return (
        duo.driver.execute_script(
            "return document.querySelectorAll('[data-dash-is-loading=true]').length"
            " + [...document.querySelectorAll('.dash-graph')]"
            ".filter(graph => !graph.querySelector('.main-svg')).length"
        )
        == 0
    )


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_every_page_renders_cleanly(signed_in, theme):
    duo = signed_in("admin@acme.test", "/")
    if theme == "dark":
        duo.wait_for_element("#shell-theme-switch", timeout=10).click()
    for name, (path, ready) in PAGES.items():
        duo.driver.get(duo.server.url + path)
        duo.wait_for_element(ready, timeout=20)
        wait_until(
            lambda: _no_loading(duo), timeout=15, message=f"{name} still loading"
        )
        assert (
            duo.driver.execute_script(
                "return document.documentElement.getAttribute('data-bs-theme')"
            )
            == theme
        )
        screenshot(duo, f"{name}-{theme}")
    assert not duo.get_logs(), duo.get_logs()


def test_phone_width_has_no_horizontal_scroll(signed_in):
    duo = signed_in("admin@acme.test", "/")
    duo.driver.set_window_size(390, 844)
    for name, (path, ready) in PAGES.items():
        duo.driver.get(duo.server.url + path)
        duo.wait_for_element(ready, timeout=20)
        wait_until(
            lambda: _no_loading(duo), timeout=15, message=f"{name} still loading"
        )
        overflow = duo.driver.execute_script(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        screenshot(duo, f"{name}-phone")
        assert overflow <= 1, f"{name} scrolls sideways by {overflow}px on a phone"


def test_phone_menu_opens_and_navigates(signed_in):
    duo = signed_in("viewer@acme.test", "/")
    duo.driver.set_window_size(390, 844)
    duo.wait_for_element("#shell-nav-toggle", timeout=10).click()
    duo.wait_for_element("#shell-nav-campaigns", timeout=5).click()
    duo.wait_for_element("#campaigns-table", timeout=15)
    assert duo.driver.current_url.split("?")[0].endswith("/campaigns")
