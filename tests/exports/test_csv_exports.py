"""CSV exports: whole filtered sets, exact numbers, empty ratios, no formula injection, role checks."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest

from data.csv_encoding import csv_chunks
from data.filters import parse_range
from data.models import CampaignDeployment
from data.reads.metric_rows import metric_rows_csv
from data.scope import PermissionDenied, Scope
from tests.factories import PASSWORD
from tests.golden import GOLDEN_DIR, expected_cases, load_golden

PLATFORM_WORDS = {"meta": "Meta", "google": "Google", "tiktok": "TikTok"}

CASE = next(
    c
    for c in expected_cases()
    if c["organization_slug"] == "acme" and c["start"] == "2026-10-05"
)


def _rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def _people_rows(response) -> list[dict]:
    """The rows of an export made for people: it starts with the UTF-8 byte-order mark."""
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff"), text[:40]
    return _rows(text[1:])


def test_csv_cells_that_look_like_formulas_are_neutralised():
    import pandas as pd

    frame = pd.DataFrame(
        {
            "name": ['=HYPERLINK("x")', "+1", "-2", "@SUM(A1)", "\tTab", "plain"],
            "roas": [float("nan"), -1.5, 0.0, 2.0, 1.0, 3.0],
        }
    )
    rows = _rows("".join(csv_chunks([frame], ["name", "roas"])))
    assert [r["name"] for r in rows] == [
        '\'=HYPERLINK("x")',
        "'+1",
        "'-2",
        "'@SUM(A1)",
        "'\tTab",
        "plain",
    ]
    assert [r["roas"] for r in rows] == [
        "",
        "-1.5",
        "0.0",
        "2.0",
        "1.0",
        "3.0",
    ]  # numbers stay numbers


def test_daily_metric_rows_stream_every_row_exactly(session):
    ids = load_golden(session)
    session.add(
        CampaignDeployment(
            organization_id=ids["orgs"]["acme"],
            name="=cmd|' /C calc'!A0",
            status="draft",
        )
    )
    session.flush()
    scope = Scope(ids["orgs"]["acme"], "analyst")
    text = b"".join(
        metric_rows_csv(session, scope, parse_range("2026-10-01", "2026-11-30"))
    ).decode()
    rows = _rows(text)
    with open(GOLDEN_DIR / "performance_metrics.csv", newline="") as handle:
        golden = list(csv.DictReader(handle))
    acme_deployments = {
        "1",
        "2",
        "3",
        "4",
        "5",
    }  # golden platformdeployments of acme's campaigns
    expected = [r for r in golden if r["platform_deployment_id"] in acme_deployments]
    assert len(rows) == len(expected)
    assert sum(Decimal(r["revenue"]) for r in rows) == sum(
        Decimal(r["revenue"]) for r in expected
    )
    assert sum(Decimal(r["spend"]) for r in rows) == sum(
        Decimal(r["spend"]) for r in expected
    )
    assert [r["date"] for r in rows] == sorted(r["date"] for r in rows)


def test_daily_metric_rows_need_the_analyst_role(session):
    ids = load_golden(session)
    with pytest.raises(PermissionDenied):
        b"".join(
            metric_rows_csv(
                session,
                Scope(ids["orgs"]["acme"], "viewer"),
                parse_range("2026-10-01", "2026-10-02"),
            )
        )


@pytest.mark.parametrize(
    "path",
    [
        "/export/campaigns.csv?start=2026-10-05&end=2026-11-01",
        "/export/trend.csv?start=2026-10-05&end=2026-11-01",
        "/export/platforms.csv?start=2026-10-05&end=2026-11-01",
        "/export/metrics/daily.csv?start=2026-10-05&end=2026-11-01",
    ],
)
def test_viewers_cannot_export(client_for, path):
    assert client_for("acme", "viewer").get(path).status_code == 403


def test_campaign_export_has_every_row_with_golden_figures(client_for):
    response = client_for("acme", "analyst").get(
        "/export/campaigns.csv?start=2026-10-05&end=2026-11-01&sort=name&desc=0"
    )
    assert response.status_code == 200
    assert (
        response.headers["Content-Disposition"]
        == 'attachment; filename="kiki-campaigns-2026-10-05-to-2026-11-01.csv"'
    )
    rows = _people_rows(response)
    assert len(rows) == 4
    headers = {"revenue": "Revenue", "spend": "Spend", "fee": "Fee"}
    totals = {k: sum(Decimal(r[h]) for r in rows) for k, h in headers.items()}
    assert totals == {
        k: Decimal(CASE["summary"][k]) for k in ("revenue", "spend", "fee")
    }
    draft = next(r for r in rows if r["Campaign"].startswith("Draft"))
    assert draft["ROAS"] == "" and draft["CPA"] == "" and draft["Spend"] == "0.00"
    assert "Black Friday Electronics" not in response.get_data(as_text=True)


def test_platform_export_matches_golden_breakdown(client_for):
    response = client_for("acme", "analyst").get(
        "/export/platforms.csv?start=2026-10-05&end=2026-11-01"
    )
    rows = {r["Platform"]: r for r in _people_rows(response)}
    for platform, expected in CASE["by_platform"].items():
        row = rows[PLATFORM_WORDS[platform]]
        assert Decimal(row["Revenue"]) == Decimal(expected["revenue"])
        assert row["CPA"] == ("" if expected["cpa"] is None else row["CPA"])


@pytest.mark.parametrize(
    "query, param",
    [
        ("start=2026-11-01&end=2026-10-01", "end"),
        ("start=yesterday&end=2026-10-01", "start"),
        ("start=2026-10-01&end=2026-10-31&platform=myspace", "platform"),
        ("start=2026-10-01&end=2026-10-31&min_spend=-5", "min_spend"),
        ("start=2026-10-01&end=2026-10-31&search=" + "x" * 10_000, "search"),
        ("start=2026-10-01&end=2026-10-31&sort=password_hash", "sort"),
    ],
)
def test_bad_export_parameters_are_named(client_for, query, param):
    response = client_for("acme", "analyst").get(f"/export/campaigns.csv?{query}")
    assert response.status_code == 400
    assert response.json["error"]["details"]["param"] == param


@pytest.mark.parametrize(
    "path",
    [
        "/export/campaigns.csv?start=2026-10-05&end=2026-10-11",
        "/export/metrics/daily.csv?start=2026-10-05&end=2026-10-11",
        "/export/trend.csv?start=2026-10-05&end=2026-10-11",
        "/export/audit.csv?start=2026-01-01&end=2026-12-31",
        "/api/v1/campaigns?start=2026-10-05&end=2026-10-11",
    ],
)
def test_a_streamed_export_gives_its_connection_back(app, client_for, path):
    """Flask tears the request down before it streams the body: a stream must not keep
    (or reopen) the request's connection, or each export leaks one until the pool is empty."""
    client = client_for("acme", "admin")
    headers = {}
    if path.startswith("/api/"):
        client = app.server.test_client()
        token = client.post(
            "/api/v1/auth/token",
            data={
                "grant_type": "password",
                "username": "admin@acme.test",
                "password": PASSWORD,
            },
        ).json["access_token"]
        headers = {"Authorization": f"Bearer {token}", "Accept": "text/csv"}
    pool = app.server.extensions["kiki_db"].engine.pool
    for _ in range(3):
        response = client.get(path, headers=headers)
        assert response.status_code == 200, response.get_data(as_text=True)[:200]
        assert response.mimetype == "text/csv" and response.get_data()
        response.close()
    assert pool.checkedout() == 0


@pytest.mark.parametrize(
    ("path", "filename"),
    [
        (
            (
                "/export/campaigns.csv?start=2026-10-05&end=2026-11-01&platform=tiktok,meta"
                "&status=active&search=Café 10%25&min_spend=50&roas_min=1.5"
            ),
            (
                "kiki-campaigns-2026-10-05-to-2026-11-01-meta-tiktok-active-search-caf-10"
                "-spend-from-50-roas-from-1-5.csv"
            ),
        ),
        (
            (
                "/export/trend.csv?start=2026-10-05&end=2026-11-01&granularity=week"
                "&platform=google"
            ),
            "kiki-trend-2026-10-05-to-2026-11-01-google-week.csv",
        ),
        (
            "/export/platforms.csv?start=2026-10-05&end=2026-11-01",
            "kiki-platforms-2026-10-05-to-2026-11-01.csv",
        ),
        (
            "/export/metrics/daily.csv?start=2026-10-05&end=2026-11-01&platform=meta",
            "kiki-daily-metrics-2026-10-05-to-2026-11-01-meta.csv",
        ),
        (
            f"/export/campaigns.csv?start=2026-10-05&end=2026-11-01&search={'x' * 100}",
            "kiki-campaigns-2026-10-05-to-2026-11-01-search-" + "x" * 30 + ".csv",
        ),
    ],
)
def test_file_names_name_the_filters(client_for, path, filename):
    response = client_for("acme", "analyst").get(path)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert (
        response.headers["Content-Disposition"] == f'attachment; filename="{filename}"'
    )
