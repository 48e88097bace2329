"""GET /export/ltv.pdf read back with pypdf: every campaign and cohort row with the CSV's figures
(formatted as the page formats them), both charts as vectors, the definitions; who may make it,
audited; another organization's data never in it."""

from __future__ import annotations

import csv
import datetime as dt
import io
import math

import pytest
import sqlalchemy as sa

from components.format import metric
from components.ltv import payback_text
from data.db import get_database
from data.ltv_definitions import DEFINITIONS
from data.models import AuditLog
from exports.pdf_charts import ChartError
from tests.exports.test_pdf_exports import assert_vector_charts, pdf_of, text_of, titles
from tests.factories import add_user, login
from tests.ltv_world import END, START, commit_ltv_world

QUERY = f"start={START}&end={END}"


@pytest.fixture(scope="module")
def world(app):
    world = commit_ltv_world(app)
    with app.server.app_context(), get_database().session_scope() as session:
        other = add_user(
            session, world["orgs"]["ltv-b"], "analyst", f"b-{world['users']['analyst']}"
        )
        world["users"]["other"] = other.email
    return world


@pytest.fixture(scope="module")
def document(app, world):
    """(the analyst's client, the PDF's text, its reader): made once for the module."""
    client = app.server.test_client()
    assert login(client, world["users"]["analyst"]).status_code == 302
    response = client.get(f"/export/ltv.pdf?{QUERY}")
    assert (
        "kiki-ltv-2026-06-01-to-2026-09-30.pdf"
        in response.headers["Content-Disposition"]
    )
    reader = pdf_of(response)
    return client, text_of(reader), reader


def machine_rows(client, kind: str) -> list[dict]:
    answer = client.get(f"/export/ltv/{kind}.csv?{QUERY}&names=machine")
    assert answer.status_code == 200
    return list(
        csv.DictReader(io.StringIO(answer.get_data(as_text=True).lstrip("\ufeff")))
    )


def number(value: str):
    return math.nan if value == "" else float(value)


def figures(row: dict) -> list[str]:
    """A CSV row's summary figures as the page (and so the PDF) shows them."""
    return [
        metric("customers", int(row["customers"])),
        metric("spend", number(row["spend"])),
        metric("cac", number(row["cac"])),
        metric("ltv_per_customer", number(row["ltv_per_customer"])),
        metric("ltv_cac", number(row["ltv_cac"])),
        payback_text(number(row["payback_months"]), number(row["cac"])),
    ]


def young_words(row: dict) -> str:
    young, cohorts = int(row["young_cohorts"]), int(row["cohorts"])
    return f"{young} of {cohorts}" if young else "none"


def test_every_campaign_and_cohort_has_the_csvs_figures(document):
    client, text, _reader = document
    lines = text.splitlines()
    campaigns = machine_rows(client, "campaigns")
    assert [row["campaign_name"] for row in campaigns] == ["Alpha", "Beta", "Gamma"]
    for row in campaigns:  # each a line of the table: name, figures, young cohorts
        expected = " ".join([row["campaign_name"], *figures(row), young_words(row)])
        assert expected in lines, (
            expected,
            [x for x in lines if x.startswith(row["campaign_name"])],
        )
    assert "Alpha 29 $750.00 $26.00 $120.00 4.62× 2 months 1 of 3" in lines
    cohorts = machine_rows(client, "cohorts")
    assert len(cohorts) == 4
    for row in cohorts:
        label = dt.date.fromisoformat(row["cohort_month"][:10]).strftime("%b %Y")
        status = "too young" if row["too_young"] == "True" else "judged"
        expected = " ".join([label, status, *figures(row)])
        assert expected in lines, (expected, [x for x in lines if x.startswith(label)])
    assert "Other org campaign" not in text and "LTV-B" not in text


def test_the_document_has_its_figures_charts_and_definitions(document):
    _client, text, reader = document
    assert "LTV and payback" in text and "LTV-A" in text
    assert f"{START} to {END} (122 days)" in text and "Platforms: all" in text
    assert "Customers 39" in text  # the page's KPI card
    assert {"Key figures", "Value per customer by cohort", "Payback curves",
            "By acquisition campaign", "By monthly cohort",
            "How these are computed"} <= set(titles(reader.outline))  # fmt: skip
    for term, _meaning in DEFINITIONS:
        assert term in text
    assert "http://localhost/ltv?start=" in text  # the link back to the view
    assert_vector_charts(reader)
    assert "Months since acquisition" in text  # the charts' text is text, not pixels


def test_it_is_audited_and_offered_beside_the_csvs(app, document):
    client = document[0]
    page = client.get(f"/ltv?{QUERY}")
    assert page.status_code == 200
    with app.server.app_context(), get_database().session_scope() as session:
        kinds = session.scalars(
            sa.select(AuditLog.target_type).where(AuditLog.action == "export_made")
        ).all()
    assert "ltv_pdf" in kinds


def test_only_analysts_of_the_organization_get_its_figures(app, world):
    anonymous = app.server.test_client()
    assert anonymous.get(f"/export/ltv.pdf?{QUERY}").status_code in (302, 401)
    viewer = app.server.test_client()
    assert login(viewer, world["users"]["viewer"]).status_code == 302
    assert viewer.get(f"/export/ltv.pdf?{QUERY}").status_code == 403
    other = app.server.test_client()
    assert login(other, world["users"]["other"]).status_code == 302
    text = text_of(pdf_of(other.get(f"/export/ltv.pdf?{QUERY}")))
    assert "Other org campaign" in text
    assert "Alpha" not in text and "Beta" not in text and "Gamma" not in text


def test_a_bad_parameter_is_named(document):
    response = document[0].get("/export/ltv.pdf?start=2026-09-30&end=2026-06-01")
    assert response.status_code == 400
    assert response.json["error"]["details"]["param"] == "end"


def test_a_chart_failure_is_an_error_not_a_pdf(document, monkeypatch):
    def fail(*_args, **_kwargs):
        raise ChartError("the chart renderer did not draw in time")

    monkeypatch.setattr("exports.pdf_document.figures_to_svg", fail)
    response = document[0].get(f"/export/ltv.pdf?{QUERY}")
    assert response.status_code == 503 and response.mimetype == "application/json"
    assert response.json["error"]["code"] == "pdf_failed"
    assert not response.get_data().startswith(b"%PDF")
