"""Headless Chromium: time to the last chart drawn, callbacks fired, resources and their payloads."""

from __future__ import annotations

import json
import tempfile
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

# Resolves (with performance.now(), ms since navigation start) once every chart holds data and
# Dash shows no loading marker; polled on animation frames, so the figure is frame-accurate.
DRAWN_SCRIPT = """
const [expected, limitMs, done] = arguments;
function drawn() {
  const plots = Array.from(document.querySelectorAll('.js-plotly-plot'));
  if (plots.length < expected) return false;
  if (!plots.every(p => p._fullLayout && p.data && p.data.length > 0)) return false;
  return !document.querySelector('._dash-loading, ._dash-loading-callback');
}
function poll() {
  if (drawn()) { done(performance.now()); return; }
  if (performance.now() > limitMs) { done(-1); return; }
  requestAnimationFrame(poll);
}
poll();
"""
CALLBACK_ENTRIES = """
return performance.getEntriesByType('resource')
  .filter(e => e.name.includes('/_dash-update-component')).length;
"""
RESOURCES = """
return performance.getEntriesByType('resource').map(e => ({
  url: e.name, type: e.initiatorType, transfer: e.transferSize, body: e.encodedBodySize,
  decoded: e.decodedBodySize}));
"""


def make_driver() -> webdriver.Chrome:
    """A fresh headless Chromium (its own empty profile: the first visit has a cold cache)."""
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1400,1000",
        f"--user-data-dir={tempfile.mkdtemp(prefix='kiki-bench-chrome-')}",
    ):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.set_script_timeout(60)
    return driver


def sign_in(driver: webdriver.Chrome, base_url: str, cookies: dict) -> None:
    """Hand a signed-in session to the browser without loading any page asset first.

    The cookies go in through DevTools before the first page load: added after one, they raced
    that page's /favicon.ico request, whose answer (the sign-in page, with a new anonymous
    session cookie) could land after them and sign the browser out again (a visit then timed
    out at the sign-in form and was dropped from the medians, or gave 0 callbacks)."""
    for name, value in cookies.items():
        driver.execute_cdp_cmd(
            "Network.setCookie",
            {"name": name, "value": value, "url": base_url + "/", "path": "/"},
        )
    driver.get(base_url + "/healthz")


def visit(
    driver: webdriver.Chrome, url: str, charts: int, settle_s: float = 1.0
) -> dict:
    """Navigate and wait for ``charts`` drawn charts; ms to drawn, callbacks fired, resources."""
    driver.get_log("performance")  # drop earlier entries
    driver.get(url)
    drawn_ms = driver.execute_async_script(DRAWN_SCRIPT, charts, 30_000)
    # Callbacks fired after the charts (e.g. a chained one) count too: wait until none arrive.
    count, quiet_since, deadline = -1, time.monotonic(), time.monotonic() + 10
    while time.monotonic() < deadline:
        now = driver.execute_script(CALLBACK_ENTRIES)
        if now != count:
            count, quiet_since = now, time.monotonic()
        elif time.monotonic() - quiet_since >= settle_s:
            break
        time.sleep(0.1)
    return {
        "drawn_ms": round(drawn_ms, 1) if drawn_ms >= 0 else None,
        "callbacks": count,
        "resources": driver.execute_script(RESOURCES),
        "payloads": callback_payloads(driver),
    }


def click_and_collect(
    driver: webdriver.Chrome, css: str, settle_s: float = 1.0, limit_s: float = 15
) -> list[dict]:
    """Click the element at ``css`` on the loaded page; the payloads of the callbacks it fired,
    once at least one was sent and none more arrived for ``settle_s``."""
    before = driver.execute_script(CALLBACK_ENTRIES)
    driver.get_log("performance")  # drop the page load's entries
    driver.find_element("css selector", css).click()
    count, quiet_since, deadline = before, time.monotonic(), time.monotonic() + limit_s
    while time.monotonic() < deadline:
        now = driver.execute_script(CALLBACK_ENTRIES)
        if now != count:
            count, quiet_since = now, time.monotonic()
        elif count > before and time.monotonic() - quiet_since >= settle_s:
            break
        time.sleep(0.1)
    return callback_payloads(driver)


def callback_payloads(driver: webdriver.Chrome) -> list[dict]:
    """The JSON bodies of the callback POSTs the page sent, in order (from the DevTools log)."""
    bodies = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") != "Network.requestWillBeSent":
            continue
        request = message["params"]["request"]
        if (
            request.get("method") == "POST"
            and "/_dash-update-component" in request["url"]
        ):
            try:
                bodies.append(json.loads(request.get("postData") or "{}"))
            except ValueError:
                continue
    return bodies
