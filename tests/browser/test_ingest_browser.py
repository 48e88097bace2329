"""Issue 30's end to end: a pipeline POSTs rows to /api/v1/metrics; the viewer's open overview
shows the new revenue, and, once the worker has evaluated the rule the ingest made due, the bell
counts the alert, without a reload. In a world of its own (it changes acme's numbers)."""

from __future__ import annotations

from decimal import Decimal

import pytest
import requests
import sqlalchemy as sa

from data.alerts.evaluate import evaluate_due
from data.db import get_database
from data.models import AlertRule, PlatformDeployment, User
from data.writes.api_tokens import create_token
from tests.browser.conftest import sqlite_world, wait_until


@pytest.fixture(scope="module")
def browser_world(tmp_path_factory):
    return sqlite_world(tmp_path_factory, "ingest-browser")


def _pipeline_and_rule(app, acme: int) -> tuple[str, int]:
    """An ingest token of acme's analyst, a meta deployment of acme, and a rule that fires
    (ROAS below 1,000x over 90 days) telling the viewer in the app."""
    with app.server.app_context(), get_database().session_scope() as session:
        analyst = session.scalar(
            sa.select(User).where(User.email == "analyst@acme.test")
        )
        viewer = session.scalar(sa.select(User).where(User.email == "viewer@acme.test"))
        _token, plaintext = create_token(
            session, analyst.id, "pipeline", scope="ingest"
        )
        deployment = session.scalar(
            sa.select(PlatformDeployment.id)
            .where(PlatformDeployment.organization_id == acme)
            .order_by(PlatformDeployment.id)
        )
        session.add(
            AlertRule(
                organization_id=acme,
                name="ROAS watch",
                condition="roas_below",
                target="organization",
                threshold=Decimal(1000),
                window_days=90,
                channels=["in_app"],
                recipient_ids=[viewer.id],
                created_by_id=analyst.id,
            )
        )
        session.commit()
    return plaintext, deployment


def test_an_ingest_through_the_api_moves_the_open_overview_and_its_bell(
    signed_in, browser_app, browser_world
):
    _url, world = browser_world
    acme = world["orgs"]["acme"]
    token, deployment = _pipeline_and_rule(browser_app, acme)
    duo = signed_in("viewer@acme.test", "/")
    duo.wait_for_element("#kpi-revenue-value", timeout=15)
    wait_until(
        lambda: duo.driver.execute_script(
            "return window.kikiLive && kikiLive.state === 'open' && kikiLive.lastId !== null"
        ),
        message="the page never opened /live/events",
    )
    revenue = duo.find_element("#kpi-revenue-value").text
    unread = int(duo.find_element("#notifications-unread").text)
    duo.driver.execute_script("window.kikiNotReloaded = true")

    answer = requests.post(
        duo.server.url + "/api/v1/metrics",
        json={
            "rows": [
                {
                    "platform_deployment_id": deployment,
                    "date": "2026-10-31",  # inside the overview's default range
                    "spend": "10.00",
                    "revenue": "98765.43",
                    "conversions": 3,
                }
            ]
        },
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    wait_until(
        lambda: duo.find_element("#kpi-revenue-value").text != revenue,
        timeout=10,
        message=f"the revenue KPI stayed {revenue}",
    )
    # The worker's pass (flask worker, or the in-app scheduler): the ingest made the rule due.
    with browser_app.server.app_context():
        assert evaluate_due(get_database().sessionmaker) == 1
    wait_until(
        lambda: int(duo.find_element("#notifications-unread").text) == unread + 1,
        timeout=10,
        message="the bell did not count the alert",
    )
    assert duo.driver.execute_script("return window.kikiNotReloaded === true")
    assert not [entry for entry in duo.get_logs() if entry.get("level") == "SEVERE"], (
        duo.get_logs()
    )
