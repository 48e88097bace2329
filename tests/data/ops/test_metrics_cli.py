"""`flask import-metrics` and `flask demo-live` on a module's own world (both backends): a file in
batches inside one transaction, a re-import that replaces, a bad line that writes nothing, and the
live demo's ticks growing today's numbers through the same ingest."""

from __future__ import annotations

import csv
import datetime as dt

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from data.db import make_engine
from data.models import (
    AuditLog,
    CampaignDeployment,
    Organization,
    PerformanceMetric,
    PlatformDeployment,
)
from tests.apps import make_app

DAYS = 7000  # 3 deployments: 21,000 rows, three batches of 10,000
FIRST = dt.date(2006, 1, 1)


@pytest.fixture(scope="module")
def setup(ops_world):
    url = ops_world[0]
    engine = make_engine(url)
    with Session(engine) as session:
        org_id = session.scalar(
            sa.select(Organization.id).where(Organization.slug == "acme")
        )
        campaign = CampaignDeployment(
            organization_id=org_id, name="Imported", status="active"
        )
        session.add(campaign)
        session.flush()
        for n in range(3):
            session.add(
                PlatformDeployment(
                    organization_id=org_id,
                    campaign_id=campaign.id,
                    platform="meta",
                    external_id=f"imp-{n}",
                )
            )
        session.commit()
        campaign_id = campaign.id
    engine.dispose()
    return url, make_app(url), campaign_id


def metric_rows(url, campaign_id) -> tuple[int, str]:
    engine = make_engine(url)
    with Session(engine) as session:
        found = session.execute(
            sa.select(sa.func.count(), sa.func.sum(PerformanceMetric.spend)).where(
                PerformanceMetric.campaign_id == campaign_id
            )
        ).one()
    engine.dispose()
    return found[0], str(found[1])


def write_file(path, spend="1.25", bad_line=None, columns=None) -> None:
    columns = columns or [
        "external_id",
        "date",
        "impressions",
        "clicks",
        "spend",
        "revenue",
    ]
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        line = 1
        for n in range(3):
            for k in range(DAYS):
                line += 1
                clicks = "-3" if line == bad_line else "7"
                day = (FIRST + dt.timedelta(days=k)).isoformat()
                writer.writerow(
                    [f"imp-{n}", day, "100", clicks, spend, "2.50"][: len(columns)]
                )


def run(app, *args):
    return app.server.test_cli_runner().invoke(args=["import-metrics", *args])


def test_a_file_imports_in_batches_then_a_reimport_replaces(setup, tmp_path):
    url, app, campaign_id = setup
    path = tmp_path / "metrics.csv"
    write_file(path)
    result = run(app, str(path), "--org", "acme")
    assert result.exit_code == 0, result.output
    assert (
        "Imported 21,000 rows (21,000 new, 0 replaced) over 7,000 days" in result.output
    )
    assert metric_rows(url, campaign_id) == (21_000, "26250.00")  # 21,000 x 1.25
    write_file(path, spend="2.00")
    result = run(app, str(path), "--org", "acme")
    assert "(0 new, 21,000 replaced)" in result.output, result.output
    assert metric_rows(url, campaign_id) == (21_000, "42000.00")  # 21,000 x 2.00
    engine = make_engine(url)
    with Session(engine) as session:
        sources = session.scalars(
            sa.select(AuditLog.details).where(AuditLog.action == "metrics_ingested")
        ).all()
    engine.dispose()
    assert [d["source"] for d in sources][-2:] == ["import", "import"]


def test_a_bad_line_in_the_last_batch_writes_nothing(setup, tmp_path):
    url, app, campaign_id = setup
    before = metric_rows(url, campaign_id)
    path = tmp_path / "bad.csv"
    write_file(path, spend="9.99", bad_line=20_500)
    result = run(app, str(path), "--org", "acme")
    assert result.exit_code == 1
    assert "1 row error(s); nothing was imported." in result.output
    assert "line 20500, clicks: Enter a whole number of zero or more." in result.output
    assert metric_rows(url, campaign_id) == before  # the first two batches rolled back


def test_unknown_columns_and_organizations_are_refused(setup, tmp_path):
    _, app, _ = setup
    path = tmp_path / "odd.csv"
    write_file(path, columns=["external_id", "date", "colour"])
    assert "Unknown column(s) colour" in run(app, str(path), "--org", "acme").output
    write_file(path)
    assert (
        "No organization with slug 'nope'"
        in run(app, str(path), "--org", "nope").output
    )


def test_the_live_demo_grows_todays_numbers(setup):
    url, app, _ = setup
    today = dt.date.fromisoformat(app.server.config["KIKI_TODAY"])

    def todays() -> tuple[int, int]:
        engine = make_engine(url)
        with Session(engine) as session:
            found = session.execute(
                sa.select(
                    sa.func.count(), sa.func.sum(PerformanceMetric.impressions)
                ).where(PerformanceMetric.date == today)
            ).one()
        engine.dispose()
        return found[0], found[1] or 0

    rows_before, impressions_before = todays()
    result = app.server.test_cli_runner().invoke(
        args=["demo-live", "--ticks", "2", "--every", "0.5"]
    )
    assert result.exit_code == 0, result.output
    assert result.output.count("rows for today") == 2
    rows, impressions = todays()
    assert rows > 0 and rows >= rows_before
    # Each tick adds 200-600 impressions to every active deployment's row for today.
    assert impressions - impressions_before >= 2 * 200 * rows
