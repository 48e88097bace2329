"""The budget workflow in a real browser: an analyst creates a campaign with two variants and
submits it; an admin sees the bell rise after a reload and approves a lower amount with a reason;
the analyst reads the decision in notifications and sees the new status in the list; a viewer
has no create button and is refused at /campaigns/new."""

from __future__ import annotations

import uuid

import pytest
from selenium.webdriver.common.by import By

from tests.browser.conftest import (
    screenshot,
    sqlite_world,
    texts,
    wait_for_url,
    wait_until,
)
from tests.browser.test_accounts_browser import (
    sign_in_through_form,
    sign_out_through_menu,
)
from tests.factories import PASSWORD

FORM = "#campaign-form"


@pytest.fixture(scope="module")
def browser_world(tmp_path_factory):
    """A world of this module's own: the campaigns and requests it creates would change the
    numbers other browser tests check (the campaign count on the overview, the queue)."""
    return sqlite_world(tmp_path_factory, "lifecycle-browser")


def bell_count(duo) -> int:
    duo.wait_for_element("#notifications-unread", timeout=15)
    return int(duo.find_element("#notifications-unread").text)


def switch_user(duo, email: str, path: str = "/") -> None:
    duo.driver.execute_script("window.scrollTo({top: 0, behavior: 'instant'})")
    sign_out_through_menu(duo)
    duo.wait_for_text_to_equal("#login-message", "You are signed out.", timeout=10)
    sign_in_through_form(duo, email, PASSWORD)
    duo.wait_for_element("#_pages_content", timeout=15)
    if path != "/":
        duo.driver.get(duo.server.url + path)


def type_into(duo, selector: str, text: str) -> None:
    element = duo.wait_for_element(selector, timeout=10)
    element.clear()
    element.send_keys(text)


def click(duo, element) -> None:
    """Scroll the element to the middle of the window at once (Bootstrap's smooth scrolling would
    still be moving it when the click lands), then click it."""
    if isinstance(element, str):
        element = duo.wait_for_element(element, timeout=10)
    duo.driver.execute_script(
        "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", element
    )
    element.click()


def tick(duo, group: str, label: str) -> None:
    """Click the label of one choice of a checklist or radio group."""
    click(
        duo,
        duo.find_element(group).find_element(By.XPATH, f".//label[text()='{label}']"),
    )


def fill_campaign(duo, name: str) -> None:
    type_into(duo, f"{FORM}-name", name)
    type_into(duo, f"{FORM}-objective", "Sales")
    tick(duo, f"{FORM}-platforms", "Meta")
    tick(duo, f"{FORM}-platforms", "Google")
    type_into(duo, f"{FORM}-budget_amount", "250.00")
    # Chromium's date field in en-US takes the digits month, day, year.
    type_into(duo, f"{FORM}-start_date", "11102026")
    type_into(duo, f"{FORM}-end_date", "11302026")
    type_into(duo, f"{FORM}-v0-headline", "Winter sale: 30% off")
    type_into(duo, f"{FORM}-v0-body", "Everything warm, now cheaper.")
    click(duo, f"{FORM}-add-variant")
    wait_until(lambda: duo.find_element(f"{FORM}-v1-headline").is_displayed())
    type_into(duo, f"{FORM}-v1-headline", "Warm up for less")
    type_into(duo, f"{FORM}-v1-body", "Coats and boots at winter prices.")


def test_create_submit_approve_lower_and_be_told(signed_in):
    name = f"Browser winter sale {uuid.uuid4().hex[:6]}"
    duo = signed_in("admin@acme.test", "/")
    before = bell_count(duo)

    switch_user(duo, "analyst@acme.test", "/campaigns")
    click(duo, "#campaigns-new")
    duo.wait_for_element(f"{FORM}-name", timeout=15)
    fill_campaign(duo, name)
    screenshot(duo, "campaign-new-filled")
    click(duo, f"{FORM}-submit")
    wait_until(
        lambda: (
            "/campaigns/" in duo.driver.current_url
            and "/new" not in duo.driver.current_url
        ),
        timeout=15,
        message=f"not sent to the campaign: {duo.driver.current_url}",
    )
    duo.wait_for_text_to_equal(
        "#campaign-lifecycle-status", "Pending approval", timeout=15
    )
    campaign_path = "/" + duo.driver.current_url.split("/", 3)[3]
    screenshot(duo, "campaign-pending")

    switch_user(duo, "admin@acme.test")
    wait_until(
        lambda: bell_count(duo) == before + 1,
        timeout=15,
        message="the admin's bell did not count the new request",
    )
    duo.driver.get(duo.server.url + "/approvals")
    duo.wait_for_element("#approvals-queue-table", timeout=15)
    row = duo.find_element("#approvals-queue-table").find_element(
        By.XPATH, f".//tr[td/a[text()='{name}']]"
    )
    click(duo, row.find_element(By.XPATH, ".//button[text()='Review']"))
    duo.wait_for_element("#approvals-worst-case", timeout=15)
    assert "Google: up to 2x daily" in duo.find_element("#approvals-worst-case").text
    type_into(duo, "#approvals-amount", "200.00")
    type_into(duo, "#approvals-reason", "Q4 budget is tight")
    screenshot(duo, "approvals-review")
    click(duo, "#approvals-approve")
    wait_until(
        lambda: (
            "Request approved at 200.00 USD"
            in duo.find_element("#approvals-notice").text
        ),
        timeout=15,
        message="no approval message",
    )

    # On a phone the queue, with its rows, scrolls within itself, not the page.
    duo.driver.set_window_size(390, 844)
    duo.driver.get(duo.server.url + "/approvals")
    duo.wait_for_element("#approvals-queue-table", timeout=15)
    overflow = duo.driver.execute_script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    screenshot(duo, "approvals-phone-rows")

    assert overflow <= 1, f"/approvals scrolls sideways by {overflow}px on a phone"
    duo.driver.set_window_size(1400, 1000)

    switch_user(duo, "analyst@acme.test", "/notifications")
    duo.wait_for_element("#notifications-page-items", timeout=15)
    wait_until(
        lambda: (
            f"Budget approved: {name}"
            in duo.find_element("#notifications-page-items").text
        )
    )
    assert "Q4 budget is tight" in duo.find_element("#notifications-page-items").text
    assert bell_count(duo) >= 1
    screenshot(duo, "notifications")
    click(duo, "#notifications-page-mark-all")
    wait_until(
        lambda: "Unread" not in duo.find_element("#notifications-page-items").text
    )

    duo.driver.get(duo.server.url + f"/campaigns?search={name.replace(' ', '+')}")
    wait_until(
        lambda: any(name in t for t in texts(duo, "#campaigns-table td")),
        timeout=15,
        message="the campaign is not in the list",
    )
    row_text = " ".join(texts(duo, "#campaigns-table tr"))
    assert "Approved" in row_text or "approved" in row_text
    duo.driver.get(duo.server.url + campaign_path)
    duo.wait_for_text_to_equal("#campaign-lifecycle-status", "Approved", timeout=15)
    assert "Q4 budget is tight" in duo.find_element("#campaign-lifecycle-request").text


def test_a_viewer_has_no_create_button_and_no_access_to_the_form(signed_in):
    duo = signed_in("viewer@acme.test", "/campaigns?start=2026-10-05&end=2026-11-01")
    duo.wait_for_element("#campaigns-table td", timeout=20)
    assert not duo.driver.find_elements(By.CSS_SELECTOR, "#campaigns-new")
    duo.driver.get(duo.server.url + "/campaigns/new")
    wait_until(lambda: "No access" in duo.driver.page_source, message="not refused")
    assert not duo.driver.find_elements(By.CSS_SELECTOR, f"{FORM}-name")
    wait_for_url(duo, "/campaigns/new")
