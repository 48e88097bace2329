"""The keyboard alone does a whole task: sign in, skip the navbar, change an overview filter, sort
and page the campaigns, open a campaign and download its CSV; focus is always visible."""

from __future__ import annotations

from pathlib import Path

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

from tests.browser.conftest import free_port, wait_for_url, wait_until
from tests.factories import PASSWORD

ACTIVE = "return document.activeElement"


def press(duo, *keys) -> None:
    """Keys as the keyboard sends them, to whatever has focus."""
    ActionChains(duo.driver).send_keys(*keys).perform()


def focused_matches(duo, selector: str) -> bool:
    return duo.driver.execute_script(
        "const e = document.activeElement; return !!(e && e.matches(arguments[0]))",
        selector,
    )


def tab_to(duo, selector: str, backwards: bool = False, limit: int = 120) -> None:
    """Press Tab (or Shift+Tab) until focus is on ``selector``; fail if it never gets there."""
    for _ in range(limit):
        if focused_matches(duo, selector):
            return
        if backwards:
            ActionChains(duo.driver).key_down(Keys.SHIFT).send_keys(Keys.TAB).key_up(
                Keys.SHIFT
            ).perform()
        else:
            press(duo, Keys.TAB)
    raise AssertionError(f"Tab never reached {selector}")


def focus_ring_shows(duo) -> bool:
    """The focused element draws an outline or a box shadow (Bootstrap's ring)."""
    return duo.driver.execute_script(
        "const s = getComputedStyle(document.activeElement);"
        "return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2)"
        " || s.boxShadow !== 'none'"
    )


def dates_value(duo) -> str:
    """The overview's date range as shown, read in one step: the picker may be drawn again
    between finding it and reading it (a stale element under load)."""
    return duo.driver.execute_script(
        "const e = document.querySelector('#overview-dates'); return e ? e.value : null"
    )


def test_keyboard_alone_signs_in_filters_sorts_pages_opens_and_exports(
    dash_duo, browser_app
):
    duo = dash_duo
    duo.start_server(browser_app, navigate=False, port=free_port())
    duo.driver.get(duo.server.url + "/login")
    # Sign in: the email field has focus on arrival.
    assert focused_matches(duo, "#email")
    press(duo, "analyst@bulk.test", Keys.TAB, PASSWORD, Keys.ENTER)
    duo.wait_for_element("#kpi-revenue-value", timeout=15)
    duo._url = duo.server.url

    # The first Tab reaches the skip link, shown on screen; Enter moves focus to the page.
    wait_until(
        lambda: focused_matches(duo, "body"), message="focus did not start on the page"
    )
    press(duo, Keys.TAB)
    assert focused_matches(duo, "#shell-skip-link")
    assert focus_ring_shows(duo)
    skip = duo.driver.execute_script(
        "const r = document.activeElement.getBoundingClientRect(); return [r.width, r.height]"
    )
    assert skip[0] > 20 and skip[1] > 10, (
        f"the skip link is not visible when focused: {skip}"
    )
    press(duo, Keys.ENTER)
    assert focused_matches(duo, "main#main-content")

    # Overview: a different period from the Period dropdown (Enter opens, arrows choose).
    start_before = dates_value(duo)
    assert start_before, "the overview shows no date range"
    tab_to(duo, "#overview-preset")
    assert focus_ring_shows(duo)
    press(duo, Keys.ENTER)
    wait_until(
        lambda: focused_matches(duo, ".dash-dropdown-content input"),
        message="opening the Period dropdown did not move focus to its options",
    )
    chosen = duo.driver.execute_script("return document.activeElement.value")
    press(duo, Keys.ARROW_DOWN)
    wait_until(
        lambda: (
            duo.driver.execute_script("return document.activeElement.value") != chosen
        ),
        message="the arrow key did not move to another period",
    )
    press(duo, Keys.ENTER)
    wait_until(
        lambda: dates_value(duo) != start_before,
        message="choosing a period with the keyboard did not change the dates",
    )
    press(duo, Keys.ESCAPE)

    # Campaigns, back through the navbar.
    tab_to(duo, "#shell-nav-campaigns", backwards=True)
    assert focus_ring_shows(duo)
    press(duo, Keys.ENTER)
    duo.wait_for_element("#campaigns-table td", timeout=15)

    # Sort by spend with the column's sort control, then the next page.
    tab_to(duo, "#campaigns-table th[data-dash-column=spend] .column-header--sort")
    assert focus_ring_shows(duo)
    press(duo, Keys.ENTER)
    wait_for_url(duo, "sort=spend")
    tab_to(duo, "#campaigns-table button.next-page")
    press(duo, Keys.ENTER)
    wait_for_url(duo, "page=2")

    # A campaign's detail, from its name in the table.
    tab_to(duo, "#campaigns-table td[data-dash-column=name] a")
    press(duo, Keys.ENTER)
    duo.wait_for_element("#campaign-export-daily", timeout=15)
    assert "/campaigns/" in duo.driver.current_url

    # Its daily CSV, downloaded with Enter on the export link.
    tab_to(duo, "#campaign-export-daily")
    assert focus_ring_shows(duo)
    href = duo.driver.execute_script("return document.activeElement.href")
    assert "/export/" in href or ".csv" in href or "export" in href, href
    press(duo, Keys.ENTER)
    downloads = Path(duo.download_path)

    def downloaded() -> bool:
        files = list(downloads.glob("*.csv"))
        return bool(files) and not list(downloads.glob("*.crdownload"))

    wait_until(
        downloaded, timeout=20, message="Enter on the export link downloaded nothing"
    )
    (csv_file,) = downloads.glob("*.csv")
    assert csv_file.stat().st_size > 0
    assert not duo.get_logs(), duo.get_logs()
