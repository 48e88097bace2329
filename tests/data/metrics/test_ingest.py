"""Metrics ingestion on both backends: upserts (a revised day replaces the stored one), every
bad row named by row and field with nothing written, tenancy, the rollup and the overview's KPIs
after an ingest (expected figures worked out by hand), the audit row, the rules made due."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from data.errors import Invalid
from data.filters import DateRange
from data.models import (
    AlertRule,
    AuditLog,
    CampaignDeployment,
    DailyRevenueSummary,
    PerformanceMetric,
    PlatformDeployment,
)
from data.reads.overview import kpi_summary
from data.scope import PermissionDenied
from data.writes.metrics import (
    MAX_BATCH,
    IngestRefused,
    MetricsImport,
    batches,
    ingest_metrics,
)
from tests.data.lifecycle.conftest import make_org

TODAY = dt.date(2026, 11, 10)


@pytest.fixture
def world(session):
    orgs = {}
    for slug in ("ing", "other"):
        org = make_org(session, slug)
        campaign = CampaignDeployment(
            organization_id=org["org_id"], name=f"{slug} campaign", status="active"
        )
        session.add(campaign)
        session.flush()
        deployments = {}
        for platform in ("meta", "google"):
            deployment = PlatformDeployment(
                organization_id=org["org_id"],
                campaign_id=campaign.id,
                platform=platform,
                external_id=f"{slug}-{platform}-1",
            )
            session.add(deployment)
            session.flush()
            deployments[platform] = deployment.id
        orgs[slug] = {**org, "campaign_id": campaign.id, "deployments": deployments}
    return orgs


def row(deployment_id, day="2026-11-09", **values) -> dict:
    base = {
        "platform_deployment_id": deployment_id,
        "date": day,
        "impressions": 1000,
        "clicks": 50,
        "conversions": 5,
        "spend": "100.00",
        "revenue": "250.50",
    }
    base.update(values)
    return base


def stored(session, org_id) -> list[tuple]:
    return session.execute(
        sa.select(
            PerformanceMetric.platform_deployment_id,
            PerformanceMetric.date,
            PerformanceMetric.clicks,
            PerformanceMetric.spend,
            PerformanceMetric.revenue,
        )
        .where(PerformanceMetric.organization_id == org_id)
        .order_by(PerformanceMetric.platform_deployment_id, PerformanceMetric.date)
    ).all()


def count(session, model) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(model))


def test_a_batch_inserts_then_a_revision_replaces_the_day(session, world):
    org = world["ing"]
    meta, google = org["deployments"]["meta"], org["deployments"]["google"]
    first = ingest_metrics(
        session,
        org["analyst"],
        [row(meta), row(google, spend="40.10"), row(meta, "2026-11-08")],
        today=TODAY,
    )
    assert (first.rows, first.inserted, first.updated) == (3, 3, 0)
    revised = ingest_metrics(
        session,
        org["analyst"],
        [
            row(meta, clicks=60, spend="120.00"),
            {"external_id": "ing-google-1", "date": "2026-11-10", "spend": "1.00"},
        ],
        today=TODAY,
    )
    assert (revised.rows, revised.inserted, revised.updated) == (2, 1, 1)
    assert stored(session, org["org_id"]) == [
        (meta, dt.date(2026, 11, 8), 50, Decimal("100.00"), Decimal("250.50")),
        (meta, dt.date(2026, 11, 9), 60, Decimal("120.00"), Decimal("250.50")),
        (google, dt.date(2026, 11, 9), 50, Decimal("40.10"), Decimal("250.50")),
        (google, dt.date(2026, 11, 10), 0, Decimal("1.00"), Decimal("0.00")),
    ]


def test_the_rollup_and_the_overview_follow_the_ingest(session, world):
    org = world["ing"]
    meta, google = org["deployments"]["meta"], org["deployments"]["google"]
    ingest_metrics(
        session,
        org["analyst"],
        [row(meta), row(google, spend="40.10", revenue="9.90", conversions=2)],
        today=TODAY,
    )
    # Nov 9: spend 100.00 + 40.10 = 140.10, revenue 250.50 + 9.90 = 260.40, conversions 7.
    summary = session.execute(
        sa.select(
            sa.func.sum(DailyRevenueSummary.spend),
            sa.func.sum(DailyRevenueSummary.revenue),
            sa.func.sum(DailyRevenueSummary.conversions),
        ).where(DailyRevenueSummary.organization_id == org["org_id"])
    ).one()
    assert tuple(summary) == (Decimal("140.10"), Decimal("260.40"), 7)
    kpis = kpi_summary(
        session, org["viewer"], DateRange(dt.date(2026, 11, 9), dt.date(2026, 11, 9))
    )
    current = kpis[kpis["period"] == "current"].iloc[0]
    assert current["spend"] == Decimal("140.10")
    assert current["revenue"] == Decimal("260.40")
    assert current["conversions"] == 7


def test_one_audit_row_per_batch_and_the_rules_made_due(session, world):
    org = world["ing"]
    rule = AlertRule(
        organization_id=org["org_id"], name="r", condition="roas_below",
        target="organization", threshold=Decimal(1), channels=["in_app"],
        recipient_ids=[], next_due_at=None,
    )  # fmt: skip
    session.add(rule)
    session.flush()
    meta = org["deployments"]["meta"]
    ingest_metrics(
        session, org["analyst"], [row(meta), row(meta, "2026-11-01")], today=TODAY
    )
    audits = session.execute(
        sa.select(AuditLog.action, AuditLog.details).where(
            AuditLog.organization_id == org["org_id"]
        )
    ).all()
    assert [a.action for a in audits] == ["metrics_ingested"]
    assert audits[0].details["rows"] == 2
    assert audits[0].details["first_date"] == "2026-11-01"
    session.refresh(rule)
    assert rule.next_due_at is not None


def refused(session, scope, rows) -> list[tuple]:
    before = (count(session, PerformanceMetric), count(session, AuditLog))
    with pytest.raises(IngestRefused) as caught:
        ingest_metrics(session, scope, rows, today=TODAY)
    assert (count(session, PerformanceMetric), count(session, AuditLog)) == before
    return [(e.row, e.field) for e in caught.value.errors]


def test_bad_rows_are_named_by_row_and_field_and_nothing_is_written(session, world):
    org, other = world["ing"], world["other"]
    meta = org["deployments"]["meta"]
    theirs = other["deployments"]["meta"]
    rows = [
        row(meta),  # 0: fine
        row(999_999),  # 1: unknown deployment
        row(theirs),  # 2: another organization's: looks unknown
        {
            "external_id": "other-meta-1",
            "date": "2026-11-09",
        },  # 3: theirs, by external id
        row(meta, "2026-11-08", clicks=-1),  # 4: negative
        row(meta, "2026-11-07", spend="abc"),  # 5: not a number
        row(meta, "2026-11-06", revenue="1.005"),  # 6: a third decimal
        row(meta, "2027-01-01"),  # 7: far in the future
        row(meta, "2026-02-30"),  # 8: no such day
        row(meta),  # 9: the same deployment and day as row 0
        row(meta, "2026-11-05", spend=float("nan")),  # 10: not finite
        row(meta, "2026-11-04", impressions=True),  # 11: a boolean is not a count
        {"date": "2026-11-09"},  # 12: no deployment
        row(meta, "2026-11-03", colour="red"),  # 13: an unknown field
    ]
    assert refused(session, org["analyst"], rows) == [
        (1, "platform_deployment_id"),
        (2, "platform_deployment_id"),
        (3, "external_id"),
        (4, "clicks"),
        (5, "spend"),
        (6, "revenue"),
        (7, "date"),
        (8, "date"),
        (9, "date"),
        (10, "spend"),
        (11, "impressions"),
        (12, "platform_deployment_id"),
        (13, "colour"),
    ]
    assert stored(session, other["org_id"]) == []


def test_the_unknown_and_the_foreign_deployment_read_the_same(session, world):
    org, other = world["ing"], world["other"]
    with pytest.raises(IngestRefused) as unknown:
        ingest_metrics(session, org["analyst"], [row(999_999)], today=TODAY)
    with pytest.raises(IngestRefused) as foreign:
        ingest_metrics(
            session, org["analyst"], [row(other["deployments"]["meta"])], today=TODAY
        )
    assert unknown.value.errors[0].message == foreign.value.errors[0].message


def test_tomorrow_is_accepted_the_day_after_is_not(session, world):
    meta = world["ing"]["deployments"]["meta"]
    ingest_metrics(
        session, world["ing"]["analyst"], [row(meta, "2026-11-11")], today=TODAY
    )
    assert refused(session, world["ing"]["analyst"], [row(meta, "2026-11-12")]) == [
        (0, "date")
    ]


def test_roles_and_batch_limits(session, world):
    org = world["ing"]
    meta = org["deployments"]["meta"]
    with pytest.raises(PermissionDenied):
        ingest_metrics(session, org["viewer"], [row(meta)], today=TODAY)
    for rows in ([], "rows", [row(meta)] * (MAX_BATCH + 1)):
        with pytest.raises(Invalid):
            ingest_metrics(session, org["analyst"], rows, today=TODAY)
    assert count(session, PerformanceMetric) == 0


def test_an_import_in_batches_is_all_or_nothing(session, world):
    org = world["ing"]
    meta = org["deployments"]["meta"]
    days = [TODAY - dt.timedelta(days=n) for n in range(25)]
    rows = [row(meta, day.isoformat()) for day in days]
    job = MetricsImport(session, org["analyst"], today=TODAY)
    for first, batch in batches(rows, size=10):
        job.add(batch, first + 2)  # line numbers: the header is line 1
    assert job.finish().rows == 25
    session.commit()
    assert count(session, PerformanceMetric) == 25

    bad = [row(meta, day.isoformat(), spend="7.00") for day in days]
    bad[23]["clicks"] = "many"
    job = MetricsImport(session, org["analyst"], today=TODAY)
    for first, batch in batches(bad, size=10):
        job.add(batch, first + 2)
    with pytest.raises(IngestRefused) as caught:
        job.finish()
    assert [(e.row, e.field) for e in caught.value.errors] == [(25, "clicks")]
    # The first two batches were written in this transaction before the refusal: the caller
    # rolls it back (the CLI does), so nothing of the file stays.
    session.rollback()
    assert count(session, PerformanceMetric) == 25
    assert set(stored(session, org["org_id"])) == {
        (meta, day, 50, Decimal("100.00"), Decimal("250.50")) for day in days
    }
