"""Accessibility helpers for the browser tests: axe-core (vendored) and the page list by role."""

from __future__ import annotations

import functools
from pathlib import Path

from tests.browser.conftest import wait_until

AXE_SCRIPT = Path(__file__).with_name("vendor") / "axe-core-4.14.1.min.js"

# Every signed-in page: (path, what shows once its data arrived, the lowest role that opens it).
PAGES = {
    "overview": ("/", "#kpi-revenue-value", "viewer"),
    "campaigns": (
        "/campaigns?start=2026-10-05&end=2026-11-01",
        "#campaigns-table td",
        "viewer",
    ),
    "campaign-detail": (
        "/campaigns/1?start=2026-10-05&end=2026-11-01",
        "#campaign-deployments-table",
        "viewer",
    ),
    "new-campaign": ("/campaigns/new", "#campaign-form-name", "analyst"),
    "approvals": (
        "/approvals",
        "#approvals-queue-table, #approvals-queue p",
        "analyst",
    ),
    "notifications": (
        "/notifications",
        "#notifications-page-items, #notifications-page-list p",
        "viewer",
    ),
    "alerts": ("/alerts", "#alerts-rules, #alerts-list p", "viewer"),
    "reports": ("/reports", "#reports-subscriptions, #reports-list p", "analyst"),
    "ltv": ("/ltv", "#ltv-kpi-customers-value", "viewer"),
    "creatives": (
        "/creatives",
        "#creatives-library p, #creatives-library table",
        "viewer",
    ),
    "profile": ("/profile", "#profile-current", "viewer"),
    "tokens": ("/profile/tokens", "#tokens-name", "viewer"),
    "settings": ("/settings", "#settings-users table", "admin"),
    "organization": (
        "/settings/organization",
        "#org-credentials table, #org-credentials p",
        "admin",
    ),
    "audit": ("/audit", "#audit-table table, #audit-table p", "admin"),
    "webhooks": (
        "/settings/webhooks",
        "#webhooks-list p, #webhooks-list table",
        "admin",
    ),
    "not-found": ("/no-such-page", "#not-found-home", "viewer"),
}
RANK = {"viewer": 1, "analyst": 2, "admin": 3}


def pages_for(role: str) -> dict:
    return {
        name: (path, ready)
        for name, (path, ready, lowest) in PAGES.items()
        if RANK[role] >= RANK[lowest]
    }


@functools.cache
def _axe_source() -> str:
    return AXE_SCRIPT.read_text(encoding="utf-8")


def page_settled(duo) -> bool:
    """Nothing is loading and every chart is drawn."""
    return (
        duo.driver.execute_script(
            "return document.querySelectorAll('[data-dash-is-loading=true]').length"
            " + [...document.querySelectorAll('.dash-graph')]"
            ".filter(graph => !graph.querySelector('.main-svg')).length"
        )
        == 0
    )


def open_page(duo, path: str, ready: str, name: str) -> None:
    duo.driver.get(duo.server.url + path)
    duo.wait_for_element(ready, timeout=20)
    wait_until(lambda: page_settled(duo), timeout=15, message=f"{name} still loading")


def axe_violations(driver) -> list[dict]:
    """axe-core's violations of all its default rules (best practices included) on this page."""
    if not driver.execute_script("return typeof window.axe === 'object'"):
        driver.execute_script(_axe_source())
    driver.set_script_timeout(30)
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document).then(r => done(r.violations), e => done([{id: 'axe-error',"
        " help: String(e), impact: 'critical', nodes: []}]));"
    )
    return result


def describe(violations: list[dict]) -> str:
    """One line per rule and failing element: rule id, impact, target, axe's summary."""
    lines = []
    for violation in violations:
        lines.append(
            f"[{violation['id']}] ({violation.get('impact')}) {violation['help']}"
        )
        for node in violation["nodes"][:8]:
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(f"    {node['target']}: {summary[:300]}")
    return "\n".join(lines)
