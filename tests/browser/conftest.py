"""Real-browser fixtures: a signed-in headless Chromium (dash_duo) on an app over the golden world."""

from __future__ import annotations

import shutil
import socket
from pathlib import Path
from urllib.parse import quote

import pytest
from selenium.webdriver.chrome.options import Options
from sqlalchemy.orm import Session

from data.db import make_engine
from tests.factories import PASSWORD, add_bulk_organization, app_config, build_world
from tests.ltv_world import add_young_cohort_values
from tests.services import IN_CI, create_database

SCREENSHOTS = Path(__file__).resolve().parents[2] / "tests" / "browser" / "screenshots"


def pytest_setup_options():
    """Chromium flags for this closed network (no background fetches) and a desktop-sized window."""
    if not shutil.which("chromium") or not shutil.which("chromedriver"):
        message = "Debian's chromium and chromium-driver are not installed"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    options = Options()
    for flag in (
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
        "--window-size=1400,1000",
        "--lang=en-US",
    ):
        options.add_argument(flag)
    return options


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def sqlite_world(tmp_path_factory, name: str, bulk_campaigns: int = 0):
    """(url, world): a SQLite database with the golden data and users of every role; with a
    "bulk" organization of ``bulk_campaigns`` campaigns when asked. Modules that write data
    make their own (their changes would move the numbers other modules check)."""
    url = create_database("sqlite", tmp_path_factory.mktemp(name))
    engine = make_engine(url)
    with Session(engine) as session:
        world = build_world(session)
        if bulk_campaigns:
            world["bulk_org"] = add_bulk_organization(session, campaigns=bulk_campaigns)
        add_young_cohort_values(session, world["orgs"]["acme"])  # /ltv's heatmap
    engine.dispose()
    return url, world


@pytest.fixture(scope="session")
def browser_world(tmp_path_factory):
    """The shared world of the browser tests (with 60 campaigns in "bulk", for paging)."""
    return sqlite_world(tmp_path_factory, "browser", bulk_campaigns=60)


@pytest.fixture
def browser_app(browser_world, smtp_sink):
    from app import create_app

    url, _ = browser_world
    return create_app(
        app_config(
            url,
            KIKI_TODAY="2026-11-01",
            KIKI_SMTP_URL=smtp_sink.url,
            # A page's live stream as in production (app_config ends streams at once).
            LIVE_STREAM_SECONDS=900,
            LIVE_HEARTBEAT_SECONDS=15,
        )
    )


@pytest.fixture
def signed_in(dash_duo, browser_app):
    """signed_in(email, path="/") starts the server, signs in through the form and opens ``path``."""

    def open_as(email: str, path: str = "/", password: str = PASSWORD):
        dash_duo.start_server(browser_app, navigate=False, port=free_port())
        dash_duo.driver.get(dash_duo.server.url + "/login?next=" + quote(path))
        dash_duo.find_element("#email").send_keys(email)
        dash_duo.find_element("#password").send_keys(password)
        dash_duo.find_element("#login-submit").click()
        dash_duo.wait_for_element("#_pages_content", timeout=10)
        dash_duo._url = (
            dash_duo.server.url
        )  # what server_url's setter stores, without reloading the page
        return dash_duo

    return open_as


def screenshot(dash_duo, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    dash_duo.driver.save_screenshot(str(path))
    return path


def texts(dash_duo, selector: str) -> list[str]:
    """The visible text of every match, read in one step (no stale elements mid re-render)."""
    script = "return Array.from(document.querySelectorAll(arguments[0])).map(e => e.innerText.trim())"
    return dash_duo.driver.execute_script(script, selector)


def wait_until(
    condition, timeout: float = 10, message: str = "condition not met"
) -> None:
    """Poll ``condition`` until it is true or ``timeout`` seconds pass."""
    import time

    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if condition():
                return
        except Exception:  # noqa: BLE001 - the page may be re-rendering
            time.sleep(0.2)
            continue
        time.sleep(0.2)
    raise AssertionError(message)


def wait_for_url(dash_duo, *parts: str) -> None:
    """Wait until the address bar holds every part: it follows a page's state a moment after
    the page shows it (a clientside callback writes the URL)."""
    wait_until(
        lambda: all(part in dash_duo.driver.current_url for part in parts),
        message=f"the URL never showed {parts}: {dash_duo.driver.current_url}",
    )
