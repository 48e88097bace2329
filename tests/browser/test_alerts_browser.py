"""An analyst adds an alert rule on /alerts with the mouse and keyboard, sees it listed with its
state, snoozes and wakes it, and deletes it after the confirmation; a viewer reads without actions.
Its own world: the rule would otherwise show on the shared world's /alerts."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from sqlalchemy.orm import Session

from data.db import make_engine
from tests.browser.conftest import screenshot, wait_until
from tests.browser.test_lifecycle_browser import click, switch_user, type_into
from tests.factories import build_world
from tests.services import create_database


@pytest.fixture(scope="module")
def browser_world(tmp_path_factory):
    url = create_database("sqlite", tmp_path_factory.mktemp("alerts-browser"))
    engine = make_engine(url)
    with Session(engine) as session:
        world = build_world(session)
    engine.dispose()
    return url, world


def rules_text(duo) -> str:
    return duo.find_element("#alerts-list").text


def test_an_analyst_adds_snoozes_and_deletes_a_rule(signed_in):
    duo = signed_in("analyst@acme.test", "/alerts")
    duo.wait_for_element("#alerts-list p", timeout=15)
    assert "No alert rules yet" in rules_text(duo)
    click(duo, "#alerts-new")
    duo.wait_for_element("#alerts-field-name", timeout=10)
    type_into(duo, "#alerts-field-name", "Meta CPA watch")
    duo.find_element("#alerts-field-condition").send_keys("CPA above")
    type_into(duo, "#alerts-field-threshold", "abc")
    click(duo, "#alerts-save")
    wait_until(
        lambda: "Threshold:" in duo.find_element("#alerts-form-notice").text,
        timeout=10,
        message="no refusal beside the form",
    )
    type_into(duo, "#alerts-field-threshold", "40")
    click(duo, "#alerts-save")
    wait_until(
        lambda: "Meta CPA watch" in rules_text(duo),
        timeout=15,
        message="the new rule is not listed",
    )
    assert "CPA above $40.00 over the last 7 days" in rules_text(duo)
    assert "Not checked yet." in rules_text(duo)
    assert "was added" in duo.find_element("#alerts-notice").text
    screenshot(duo, "alerts-with-rule")

    click(duo, duo.driver.find_element(By.XPATH, "//button[text()='Snooze 24 hours']"))
    wait_until(
        lambda: "Snoozed until" in rules_text(duo), timeout=15, message="not snoozed"
    )
    click(duo, duo.driver.find_element(By.XPATH, "//button[text()='Wake']"))
    wait_until(
        lambda: "Snoozed until" not in rules_text(duo), timeout=15, message="not woken"
    )

    switch_user(duo, "viewer@acme.test", "/alerts")
    wait_until(lambda: "Meta CPA watch" in rules_text(duo), timeout=15)
    assert not duo.driver.find_elements(By.XPATH, "//button[text()='Delete']")
    assert not duo.find_element("#alerts-new").is_displayed()

    switch_user(duo, "analyst@acme.test", "/alerts")
    wait_until(lambda: "Meta CPA watch" in rules_text(duo), timeout=15)
    click(duo, duo.driver.find_element(By.XPATH, "//button[text()='Delete']"))
    wait_until(lambda: duo.driver.switch_to.alert is not None, timeout=10)
    duo.driver.switch_to.alert.accept()
    wait_until(
        lambda: "No alert rules yet" in rules_text(duo),
        timeout=15,
        message="not deleted",
    )
    assert not duo.get_logs(), duo.get_logs()
