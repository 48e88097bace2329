"""/ltv through its layout and callback, and its CSV exports: the hand-worked figures of
tests/ltv_world.py, who may open and export it, and another organization never in it."""

from __future__ import annotations

import csv
import io
import json

import pytest
import sqlalchemy as sa

from data.db import get_database
from data.models import AuditLog
from tests.apps import call_callback
from tests.factories import login
from tests.ltv_world import END, START, commit_ltv_world
from tests.shell.test_page_container import ORIGIN, find, first_layout

KPIS = "ltv-kpis"


@pytest.fixture(scope="module")
def world(app):
    return commit_ltv_world(app)


@pytest.fixture
def client_as(app, world):
    def make(role: str):
        client = app.server.test_client()
        assert login(client, world["users"][role]).status_code == 302
        return client

    return make


def values(start=START, end=END, platforms=None) -> dict:
    return {
        "ltv-dates.start_date": start,
        "ltv-dates.end_date": end,
        "ltv-platforms.value": platforms or [],
        "shell-theme.data": "light",
    }


def _text(node) -> str:
    return json.dumps(node, ensure_ascii=False)


def _kpi(node, name: str) -> str:
    return find(node, f"ltv-kpi-{name}-value")["children"]


def test_a_viewer_sees_the_hand_worked_figures_of_the_link(client_as):
    page = first_layout(client_as("viewer"), f"{ORIGIN}/ltv?start={START}&end={END}")
    page = page["_pages_content"]["children"]
    # 39 customers and 890.00 of spend in all; the judged cohorts: 730.00 over 33 customers,
    # predicted value 3,320.00 (LTV:CAC 4.55x), both judged cohorts with a CAC paid back in month 2.
    assert _kpi(page, "customers") == "39"
    assert _kpi(page, "spend") == "$890.00"
    assert _kpi(page, "cac") == "$22.12"
    assert _kpi(page, "ltv") == "$100.61"
    assert _kpi(page, "ratio") == "4.55×"
    assert _kpi(page, "payback") == "2 months"
    cohorts = _text(find(page, "ltv-cohorts"))
    assert cohorts.count("too young") == 2  # August and September, in words
    campaigns = _text(find(page, "ltv-campaigns"))
    assert "Alpha" in campaigns and "Other org campaign" not in campaigns
    assert "not yet" not in campaigns and "How these are computed" in _text(page)
    heatmap = find(page, "ltv-heatmap")["figure"]["data"][0]
    cells = zip(heatmap["customdata"], heatmap["marker"]["color"], strict=True)
    june = [value for row, value in cells if row == "Jun 2026"]
    assert june == [10.0, 18.0, 24.0, 28.0]
    assert (
        heatmap["customdata"][-1] == "Sep 2026 (too young)"
        and heatmap["text"][-1] == "$12"
    )
    summary = find(page, "ltv-heatmap-summary")["children"]
    assert summary.startswith("3 monthly cohorts; the oldest (Jun 2026) reached $28.00")
    assert find(page, "ltv-exports")["children"] is None  # a viewer exports nothing


def test_the_callback_follows_the_platform_filter(app, client_as):
    response = call_callback(app, client_as("viewer"), KPIS, values(platforms=["meta"]))
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    answer = response.json["response"]
    cards = _text(answer[KPIS]["children"])
    assert '"27"' in cards and "$730.00" in cards  # Meta's conversions and spend
    assert "Gamma" not in _text(answer["ltv-campaigns"]["children"])  # TikTok only


def test_a_bad_range_is_explained(app, client_as):
    response = call_callback(
        app, client_as("viewer"), KPIS, values(START, "2026-05-01")
    )
    assert "The end date is before the start date." in _text(
        response.json["response"]["ltv-message"]["children"]
    )


def test_the_anonymous_are_sent_to_sign_in(app):
    client = app.server.test_client()
    page = client.get("/ltv")
    assert page.status_code == 302 and "/login" in page.headers["Location"]
    assert call_callback(app, client, KPIS, values()).status_code in (400, 401, 403)
    assert client.get(
        f"/export/ltv/campaigns.csv?start={START}&end={END}"
    ).status_code in (
        302,
        401,
    )


def test_an_analyst_exports_both_tables_audited(app, client_as):
    client = client_as("analyst")
    answer = call_callback(app, client, KPIS, values())
    links = _text(answer.json["response"]["ltv-exports"]["children"])
    assert f"/export/ltv/campaigns.csv?start={START}&end={END}" in links
    response = client.get(f"/export/ltv/campaigns.csv?start={START}&end={END}")
    assert response.status_code == 200
    assert (
        "kiki-ltv-campaigns-2026-06-01-to-2026-09-30.csv"
        in response.headers["Content-Disposition"]
    )
    rows = list(
        csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")))
    )
    assert rows[0][:3] == ["Campaign ID", "Campaign", "Cohorts"]
    alpha = dict(zip(rows[0], rows[1], strict=True))
    assert (alpha["Campaign"], alpha["Customers"], alpha["Spend"], alpha["CAC"]) == (
        "Alpha",
        "29",
        "750.00",
        "26.00",
    )
    gamma = dict(zip(rows[0], rows[3], strict=True))
    assert gamma["CAC"] == "" and gamma["LTV:CAC"] == ""  # no value: an empty cell
    machine = client.get(
        f"/export/ltv/cohorts.csv?start={START}&end={END}&names=machine"
    )
    lines = machine.get_data(as_text=True).splitlines()
    assert lines[0].startswith("cohort_month,too_young,") and len(lines) == 5
    with app.server.app_context(), get_database().session_scope() as session:
        kinds = session.scalars(
            sa.select(AuditLog.target_type).where(AuditLog.action == "export_made")
        ).all()
    assert {"ltv_campaigns", "ltv_cohorts"} <= set(kinds)


def test_a_viewer_may_not_export(client_as):
    response = client_as("viewer").get(
        f"/export/ltv/cohorts.csv?start={START}&end={END}"
    )
    assert response.status_code == 403
