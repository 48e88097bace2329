"""What a person waits for: headless Chromium timings, callbacks on first load, bytes (gzip)."""

from __future__ import annotations

import statistics
from urllib.parse import urlsplit

import requests

from bench import browser


def gzip_bytes(base_url: str, resources: list[dict], cookies: dict, page: str) -> dict:
    """Re-fetch the page and every GET resource it loaded with Accept-Encoding: gzip; sum the
    bytes on the wire (bodies as sent). Callback POSTs count with the browser's transfer size."""
    http = requests.Session()
    http.cookies.update(cookies)
    urls = [base_url + page] + [
        r["url"]
        for r in resources
        if "/_dash-update-component" not in r["url"] and r["url"].startswith(base_url)
    ]
    sizes = {}
    for url in dict.fromkeys(urls):
        response = http.get(
            url, headers={"Accept-Encoding": "gzip"}, stream=True, timeout=60
        )
        body = response.raw.read(decode_content=False)
        sizes[urlsplit(url).path] = {
            "bytes": len(body),
            "encoding": response.headers.get("Content-Encoding", "identity"),
        }
    posts = sum(
        r["transfer"] for r in resources if "/_dash-update-component" in r["url"]
    )
    total = sum(s["bytes"] for s in sizes.values()) + posts
    return {"total_bytes": total, "callback_bytes": posts, "files": sizes}


def visits(
    base_url: str,
    cookies: dict,
    page: str,
    charts: int,
    first: int = 5,
    repeat: int = 5,
) -> dict:
    """``first`` visits each in a new browser (cold browser cache), then ``repeat`` visits in
    the last one (warm browser cache). Medians; the last first visit gives bytes and payloads."""
    first_ms, repeat_ms, last = [], [], None
    for n in range(first):
        driver = browser.make_driver()
        try:
            browser.sign_in(driver, base_url, cookies)
            last = browser.visit(driver, base_url + page, charts)
            first_ms.append(last["drawn_ms"])
            if n == first - 1:
                for _ in range(repeat):
                    repeat_ms.append(
                        browser.visit(driver, base_url + page, charts)["drawn_ms"]
                    )
        finally:
            driver.quit()
    return {
        "first_visit_ms": _median(first_ms),
        "repeat_visit_ms": _median(repeat_ms),
        "first_visit_all_ms": first_ms,
        "repeat_visit_all_ms": repeat_ms,
        "callbacks_on_first_load": last["callbacks"],
        "payloads": last["payloads"],
        "resources": last["resources"],
    }


def capture(
    base_url: str,
    cookies: dict,
    pages: dict[str, tuple[str, int]],
    clicks: dict[str, str] | None = None,
) -> dict:
    """name -> {callbacks, payloads} for each (path, charts) in one signed-in browser; for a
    page named in ``clicks``, also ``clicked``: the payloads that a click on that CSS selector
    fired once the page had loaded (a callback that a first load does not fire)."""
    clicks = clicks or {}
    driver = browser.make_driver()
    found = {}
    try:
        browser.sign_in(driver, base_url, cookies)
        for name, (path, charts) in pages.items():
            seen = browser.visit(driver, base_url + path, charts)
            found[name] = {"callbacks": seen["callbacks"], "payloads": seen["payloads"]}
            if name in clicks:
                found[name]["clicked"] = browser.click_and_collect(driver, clicks[name])
    finally:
        driver.quit()
    return found


def _median(values: list) -> float | None:
    values = [v for v in values if v is not None]
    return round(statistics.median(values), 1) if values else None


def floor_page(floor_url: str) -> dict:
    """The bare dash.Dash + dbc page (a graph, Bootstrap): first visit, bytes (gzip).

    As many visits as the app's overview gets: the app's first visit is reported beside this
    one's, and a single first visit varied by 20-30 % between runs on this machine."""
    seen = visits(floor_url, {}, "/", 1)
    seen.pop("payloads", None)
    seen["bytes"] = gzip_bytes(floor_url, seen.pop("resources"), {}, "/")
    return seen
