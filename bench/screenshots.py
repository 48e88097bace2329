"""`python -m bench.screenshots`: the README's screenshots (docs/screenshots/), taken from the demo
data in Debian's Chromium, so they show what the app looks like now.

The same demo database and production server as `make lighthouse` (PostgreSQL, gunicorn); signed
in as acme's admin; desktop (1400 px) in both themes, and a 390 px phone. Nothing is downloaded.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ready
from selenium.webdriver.support.ui import WebDriverWait

from bench.dataset import END_DATE, PASSWORD
from bench.lighthouse import ADMIN, CHROMIUM, PORT, REDIS_URL, demo_database, log
from bench.server import ROOT, Server, app_environment

OUT = ROOT / "docs" / "screenshots"
# name -> (path, what shows once the page has its data, theme, width)
SHOTS = {
    "overview": ("/", "#kpi-revenue-value", "light", 1400),
    "overview-dark": ("/", "#kpi-revenue-value", "dark", 1400),
    "campaigns": ("/campaigns", "#campaigns-table td", "light", 1400),
    "campaign-detail": (
        "/campaigns/{campaign}",
        "#campaign-deployments-table",
        "light",
        1400,
    ),
    "approvals": ("/approvals", "#approvals-queue-table", "light", 1400),
    "alerts": ("/alerts", "#alerts-rules", "dark", 1400),
    "creatives": ("/creatives", "#creatives-library table", "light", 1400),
    "creatives-phone": ("/creatives", "#creatives-library table", "dark", 390),
    "reports": ("/reports", "#reports-subscriptions", "light", 1400),
    "organization": ("/settings/organization", "#org-credentials table", "light", 1400),
    "organization-phone": (
        "/settings/organization",
        "#org-credentials table",
        "dark",
        390,
    ),
    "overview-phone": ("/", "#kpi-revenue-value", "light", 390),
    "campaigns-phone": ("/campaigns", "#campaigns-table td", "dark", 390),
}


def browser() -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage"):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def settled(driver) -> bool:
    """Nothing is loading and every chart is drawn."""
    return (
        driver.execute_script(
            "return document.querySelectorAll('[data-dash-is-loading=true]').length"
            " + [...document.querySelectorAll('.dash-graph')]"
            ".filter(graph => !graph.querySelector('.main-svg')).length"
        )
        == 0
    )


def set_theme(driver, theme: str) -> None:
    shown = driver.execute_script(
        "return document.documentElement.getAttribute('data-bs-theme')"
    )
    if shown != theme:
        switch = driver.find_element(By.CSS_SELECTOR, "#shell-theme-switch")
        driver.execute_script(
            "arguments[0].click()", switch
        )  # hidden in a phone's menu
        WebDriverWait(driver, 10).until(
            lambda d: (
                d.execute_script(
                    "return document.documentElement.getAttribute('data-bs-theme')"
                )
                == theme
            )
        )


def take(driver, base: str, campaign: int, names: list[str], out: Path) -> None:
    for name in names:
        path, selector, theme, width = SHOTS[name]
        driver.set_window_size(width, 900 if width > 500 else 844)
        driver.get(base + path.format(campaign=campaign))
        WebDriverWait(driver, 30).until(
            ready.presence_of_element_located((By.CSS_SELECTOR, selector))
        )
        set_theme(driver, theme)
        WebDriverWait(driver, 30).until(settled)
        time.sleep(0.5)  # the last transition of a chart
        driver.save_screenshot(str(out / f"{name}.png"))
        log(f"{name}: {out / (name + '.png')}")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.screenshots", description=__doc__
    )
    parser.add_argument("--only", help="comma-separated subset of: " + ", ".join(SHOTS))
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    names = args.only.split(",") if args.only else list(SHOTS)
    if unknown := set(names) - set(SHOTS):
        parser.error(f"unknown screenshot(s) {sorted(unknown)}")
    args.out.mkdir(parents=True, exist_ok=True)
    log("[data] demo data into a fresh PostgreSQL database")
    url, campaign = demo_database()
    env = {
        **app_environment(url, END_DATE.isoformat()),
        "REDIS_URL": REDIS_URL,
        "KIKI_SCHEDULER": "in-app",  # the demo's alert rules evaluated, as in `make run`
    }
    with Server("screenshots", "app:create_server()", PORT, env) as app:
        time.sleep(8)  # the first alert sweep
        driver = browser()
        try:
            driver.set_window_size(1400, 900)
            driver.get(app.url + "/login")
            driver.find_element(By.CSS_SELECTOR, "#email").send_keys(ADMIN)
            driver.find_element(By.CSS_SELECTOR, "#password").send_keys(PASSWORD)
            driver.find_element(By.CSS_SELECTOR, "#login-submit").click()
            WebDriverWait(driver, 30).until(
                ready.presence_of_element_located((By.CSS_SELECTOR, "#_pages_content"))
            )
            take(driver, app.url, campaign, names, args.out)
        finally:
            driver.quit()


if __name__ == "__main__":
    main()
