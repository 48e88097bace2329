"""An analyst schedules a weekly report on /reports with the mouse and keyboard and presses
"Send now": the SMTP sink receives the e-mail with its PDF. Its own world: the subscription
would otherwise show on the shared world's pages."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from sqlalchemy.orm import Session

from data.db import make_engine
from tests.browser.conftest import screenshot, wait_until
from tests.browser.test_lifecycle_browser import click, tick, type_into
from tests.factories import build_world
from tests.services import create_database

NAME = "Browser weekly campaigns"


@pytest.fixture(scope="module")
def browser_world(tmp_path_factory):
    url = create_database("sqlite", tmp_path_factory.mktemp("reports-browser"))
    engine = make_engine(url)
    with Session(engine) as session:
        world = build_world(session)
    engine.dispose()
    return url, world


def test_an_analyst_schedules_a_weekly_report_and_sends_it_now(signed_in, smtp_sink):
    duo = signed_in("analyst@acme.test", "/reports")
    duo.wait_for_element("#reports-list p", timeout=15)
    click(duo, "#reports-new")
    duo.wait_for_element("#reports-field-name", timeout=10)
    type_into(duo, "#reports-field-name", NAME)
    duo.find_element("#reports-field-view").send_keys("Campaign list")
    duo.find_element("#reports-field-frequency").send_keys("Weekly")
    duo.find_element("#reports-field-weekday").send_keys("Friday")
    tick(duo, "#reports-field-recipient_ids", "Analyst")
    screenshot(duo, "reports-form")
    click(duo, "#reports-save")
    wait_until(
        lambda: NAME in duo.find_element("#reports-list").text,
        timeout=15,
        message="the new report is not listed",
    )
    assert "Every Friday at 08:00" in duo.find_element("#reports-list").text
    click(duo, duo.driver.find_element(By.XPATH, "//button[text()='Send now']"))
    wait_until(
        lambda: "Sent to 1 person." in duo.find_element("#reports-notice").text,
        timeout=30,
        message="send now did not report success",
    )
    screenshot(duo, "reports-after-send")
    mails = [m for m in smtp_sink.to("analyst@acme.test") if NAME in m["Subject"]]
    assert len(mails) == 1
    (pdf,) = [
        p for p in mails[0].iter_attachments() if p.get_filename().endswith(".pdf")
    ]
    assert pdf.get_content().startswith(b"%PDF")
