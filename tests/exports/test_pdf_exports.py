"""PDF reports read back with pypdf: a document with the filters, every row, repeated headers,
page numbers, bookmarks, vector charts and the golden figures as the screen shows them."""

from __future__ import annotations

import csv
import io

import pytest
import sqlalchemy as sa
from pypdf import PdfReader
from sqlalchemy.orm import Session

from data.db import make_engine
from tests.factories import add_bulk_organization
from tests.golden import GOLDEN_DIR, expected_cases

CASE = next(c for c in expected_cases() if c["organization_slug"] == "acme")
RANGE = f"start={CASE['start']}&end={CASE['end']}"
with open(GOLDEN_DIR / "campaign_deployments.csv", encoding="utf-8") as _handle:
    CAMPAIGN_ONE = next(csv.DictReader(_handle))
ROUTES = [
    f"/export/overview.pdf?{RANGE}&granularity=day",
    f"/export/campaigns.pdf?{RANGE}",
    "/export/campaign/{campaign}.pdf?" + RANGE,
]


@pytest.fixture(scope="module")
def bulk(world_url):
    """The organization with 60 campaigns (more than one PDF page), removed afterwards."""
    url, _world = world_url
    engine = make_engine(url)
    with Session(engine) as session:
        org_id = add_bulk_organization(session, campaigns=60)
    yield org_id
    with engine.begin() as conn:
        for table in ("users", "campaign_deployments", "organizations"):
            column = "id" if table == "organizations" else "organization_id"
            conn.execute(
                sa.text(f"DELETE FROM {table} WHERE {column} = :o"), {"o": org_id}
            )
    engine.dispose()


def route(path: str, world) -> str:
    return path.format(campaign=world["campaigns"]["1"])


def pdf_of(response) -> PdfReader:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/pdf"
    return PdfReader(io.BytesIO(response.get_data()))


def text_of(reader: PdfReader) -> str:
    return "\n".join(page.extract_text() for page in reader.pages)


def titles(outline) -> list[str]:
    found = []
    for item in outline:
        found += titles(item) if isinstance(item, list) else [item.title]
    return found


def test_overview_pdf_is_a_document_with_the_golden_figures(client_for, world):
    response = client_for("acme", "analyst").get(route(ROUTES[0], world))
    reader = pdf_of(response)
    disposition = response.headers["Content-Disposition"]
    assert (
        f'filename="kiki-overview-{CASE["start"]}-to-{CASE["end"]}-day.pdf"'
        in disposition
    )
    text = text_of(reader)
    assert "Overview" in text and "Acme Outdoor" in text
    assert f"{CASE['start']} to {CASE['end']} (14 days)" in text
    assert "Platforms: all" in text and "Granularity: daily" in text
    assert "UTC" in text and "Data up to" in text
    summary = CASE["summary"]
    # The golden figures as the KPI cards show them (money with a sign and two decimals).
    assert "$3,021.95" in text and "$6,946.12" in text and "0.44×" in text
    assert "Page 1 of" in text
    assert {"Overview", "Key figures", "Revenue and spend", "Platforms"} <= set(
        titles(reader.outline)
    )
    assert summary["conversions"] == 63 and "63" in text
    assert "vs previous period" in text
    assert "http://localhost/?start=" in text  # the link back to the view
    assert_vector_charts(reader)


def assert_vector_charts(reader: PdfReader) -> None:
    """Charts are drawn as paths and text (form XObjects at most), never as a raster image."""
    for page in reader.pages:
        resources = page.get("/Resources") or {}
        xobjects = resources.get("/XObject") or {}
        for obj in xobjects.values():
            assert obj.get_object().get("/Subtype") != "/Image"
    assert any(
        b" re" in p.get_contents().get_data() or b" l\n" in p.get_contents().get_data()
        for p in reader.pages
    )


def test_campaigns_pdf_holds_every_row_with_the_header_on_every_page(client_for, bulk):
    response = client_for("bulk", "analyst").get(
        "/export/campaigns.pdf?start=2026-10-01&end=2026-10-31&sort=name&desc=0&status=draft"
    )
    reader = pdf_of(response)
    assert (
        "kiki-campaigns-2026-10-01-to-2026-10-31-draft.pdf"
        in response.headers["Content-Disposition"]
    )
    assert len(reader.pages) >= 2
    text = text_of(reader)
    assert "Bulk Co" in text and "Statuses: Draft" in text
    assert "Sorted by Campaign (ascending)" in text
    for i in range(1, 61):
        assert f"Bulk {i:03d}" in text
    page_two = reader.pages[1].extract_text()
    assert "Campaign" in page_two and "Daily budget" in page_two  # the repeated header
    assert f"Page 2 of {len(reader.pages)}" in page_two
    assert "—" in text  # ratios without a denominator
    assert "row-limit" not in text and "holds every row" not in text


def test_campaigns_pdf_above_the_row_limit_says_so_and_points_to_the_csv(
    client_for, bulk, monkeypatch
):
    monkeypatch.setattr("exports.pdf.ROW_LIMIT", 25)
    reader = pdf_of(
        client_for("bulk", "analyst").get(
            "/export/campaigns.pdf?start=2026-10-01&end=2026-10-31&sort=name&desc=0"
        )
    )
    first = reader.pages[0].extract_text()
    assert "first 25 of 60 campaigns" in first
    assert "Download the CSV with every row." in first
    links = [
        a.get_object()["/A"].get("/URI") for a in reader.pages[0].get("/Annots", [])
    ]
    assert any(
        str(uri).startswith("http://localhost/export/campaigns.csv?start=")
        for uri in links
    )
    text = text_of(reader)
    assert "Bulk 025" in text and "Bulk 026" not in text


def test_campaign_pdf_names_the_campaign_and_its_sections(client_for, world):
    reader = pdf_of(client_for("acme", "analyst").get(route(ROUTES[2], world)))
    text = text_of(reader)
    name = CAMPAIGN_ONE["name"]
    assert f"Campaign: {name}" in text and "Acme Outdoor" in text
    assert "$3,021.95" in text  # the golden campaign 1 revenue
    assert {"Key figures", "Deployments", "Daily metrics"} <= set(
        titles(reader.outline)
    )
    assert_vector_charts(reader)


@pytest.mark.parametrize("path", ROUTES)
def test_a_viewer_is_refused_and_the_anonymous_sent_to_sign_in(client_for, world, path):
    assert client_for("acme", "viewer").get(route(path, world)).status_code == 403
    assert client_for().get(route(path, world)).status_code in (302, 401)


def test_another_organizations_campaign_is_not_found(client_for, world, bulk):
    response = client_for("bulk", "analyst").get(route(ROUTES[2], world))
    assert response.status_code == 404


@pytest.mark.parametrize(
    "path, param",
    [
        ("/export/overview.pdf?start=2026-11-01&end=2026-10-01", "end"),
        (
            "/export/overview.pdf?start=2026-10-01&end=2026-10-02&granularity=hour",
            "granularity",
        ),
        (
            "/export/campaigns.pdf?start=2026-10-01&end=2026-10-02&roas_min=x",
            "roas_min",
        ),
        ("/export/campaign/abc.pdf?start=2026-10-01&end=2026-10-02", "campaign_id"),
        ("/export/campaign/1.pdf?start=yesterday&end=2026-10-02", "start"),
    ],
)
def test_bad_parameters_are_named(client_for, path, param):
    response = client_for("acme", "analyst").get(path)
    assert response.status_code == 400
    assert response.json["error"]["details"]["param"] == param


@pytest.mark.parametrize(
    "config", [{"KIKI_PDF_BROWSER": "/bin/false"}, {"KIKI_PDF_CHART_TIMEOUT": 0.01}]
)
def test_a_renderer_failure_or_timeout_is_an_error_not_a_pdf(
    client_for, world, app, config, monkeypatch
):
    for key, value in config.items():
        monkeypatch.setitem(app.server.config, key, value)
    response = client_for("acme", "analyst").get(route(ROUTES[0], world))
    assert response.status_code == 503
    assert response.mimetype == "application/json"
    assert response.json["error"]["code"] == "pdf_failed"
    assert not response.get_data().startswith(b"%PDF")


def test_campaign_pdf_daily_rows_above_the_limit_say_so(client_for, world, monkeypatch):
    monkeypatch.setattr("exports.pdf.ROW_LIMIT", 5)
    reader = pdf_of(client_for("acme", "analyst").get(route(ROUTES[2], world)))
    first = reader.pages[0].extract_text()
    assert "The daily metrics table lists the first 5 of" in first
    links = [
        a.get_object()["/A"].get("/URI") for a in reader.pages[0].get("/Annots", [])
    ]
    assert any("/export/campaign/daily.csv?campaign_id=" in str(uri) for uri in links)
