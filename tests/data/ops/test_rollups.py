"""daily_revenue_summary: kept in step with performance_metrics, and the overview's figures from it
equal the figures summed from the raw table."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from data.db import make_engine
from data.filters import DateRange
from data.metric_definitions import SUM_COLUMNS
from data.models import (
    DailyRevenueSummary,
    Organization,
    PerformanceMetric,
    PlatformDeployment,
)
from data.ops.demo import load_demo_data
from data.ops.rollups import refresh_rollups
from data.reads.overview import kpi_summary, platform_breakdown, revenue_trend
from data.scope import Scope
from tests.apps import make_app

END = dt.date(2026, 10, 31)
pm = PerformanceMetric.__table__
RAW_SUMS = [sa.func.coalesce(sa.func.sum(pm.c[n]), 0).label(n) for n in SUM_COLUMNS]


def _raw(session: Session, org_id: int, start, end, platforms=(), by=None) -> dict:
    """Sums straight from performance_metrics, keyed by ``by`` (a column) or one row."""
    keys = [by] if by is not None else []
    stmt = sa.select(*keys, *RAW_SUMS).where(
        pm.c.organization_id == org_id, pm.c.date.between(start, end)
    )
    if platforms:
        stmt = stmt.where(pm.c.platform.in_(platforms))
    if by is not None:
        stmt = stmt.group_by(by)
    return {
        (row[0] if by is not None else None): dict(zip(SUM_COLUMNS, row[len(keys) :]))
        for row in session.execute(stmt)
    }


def _same(frame_row, sums: dict | None, where: str) -> None:
    sums = sums or dict.fromkeys(SUM_COLUMNS, 0)
    for name in SUM_COLUMNS:
        want = (
            Decimal(str(sums[name]))
            if name in ("spend", "revenue")
            else int(sums[name])
        )
        got = (
            Decimal(frame_row[name])
            if name in ("spend", "revenue")
            else int(frame_row[name])
        )
        assert got == want, f"{where}: {name} {got} != {want}"


def _summary_rows(session: Session) -> set:
    table = DailyRevenueSummary.__table__
    cols = [table.c.organization_id, table.c.date, table.c.platform]
    cols += [table.c[n] for n in SUM_COLUMNS]
    return {tuple(r) for r in session.execute(sa.select(*cols))}


def _rebuilt_by_hand(session: Session) -> set:
    cols = [pm.c.organization_id, pm.c.date, pm.c.platform]
    stmt = sa.select(*cols, *[sa.func.sum(pm.c[n]) for n in SUM_COLUMNS]).group_by(
        *cols
    )
    return {tuple(r) for r in session.execute(stmt)}


@pytest.fixture
def demo(session):
    load_demo_data(session, campaigns=14, days=45, seed=11, end_date=END)
    session.flush()
    return {
        slug: oid
        for slug, oid in session.execute(sa.select(Organization.slug, Organization.id))
    }


RANGES = [
    DateRange(END - dt.timedelta(days=6), END),
    DateRange(END - dt.timedelta(days=29), END - dt.timedelta(days=3)),
    DateRange(dt.date(2026, 1, 1), END),  # longer than the data
]


@pytest.mark.parametrize("rng", RANGES, ids=["7d", "27d", "year"])
@pytest.mark.parametrize("platforms", [(), ("meta",), ("google", "tiktok")], ids=str)
def test_rollup_figures_equal_raw_table_figures(session, demo, rng, platforms):
    assert _summary_rows(session) == _rebuilt_by_hand(session) != set()
    for org_id in demo.values():
        scope = Scope(org_id, "viewer")
        kpis = kpi_summary(session, scope, rng, platforms).set_index("period")
        _same(
            kpis.loc["current"],
            _raw(session, org_id, rng.start, rng.end, platforms).get(None),
            "current",
        )
        prev = rng.previous()
        _same(
            kpis.loc["previous"],
            _raw(session, org_id, prev.start, prev.end, platforms).get(None),
            "previous",
        )
        by_day = _raw(session, org_id, rng.start, rng.end, platforms, by=pm.c.date)
        trend = revenue_trend(session, scope, rng, "day", platforms)
        assert len(trend) == rng.days
        for row in trend.itertuples(index=False):
            _same(row._asdict(), by_day.get(row.bucket), str(row.bucket))
        by_platform = _raw(
            session, org_id, rng.start, rng.end, platforms, by=pm.c.platform
        )
        for row in platform_breakdown(session, scope, rng, platforms).itertuples(
            index=False
        ):
            _same(row._asdict(), by_platform.get(row.platform), row.platform)


def test_refresh_touches_only_the_given_organization_and_days(session, demo):
    acme, globex = demo["acme"], demo["globex"]
    day = END - dt.timedelta(days=2)
    deployment = session.scalar(
        sa.select(PlatformDeployment).where(PlatformDeployment.organization_id == acme)
    )
    # A core UPDATE bypasses the ORM hook: the rollup is stale until refreshed.
    session.execute(
        sa.update(PerformanceMetric)
        .where(
            PerformanceMetric.platform_deployment_id == deployment.id,
            PerformanceMetric.date == day,
        )
        .values(revenue=PerformanceMetric.revenue + 1000)
    )
    session.execute(
        sa.update(PerformanceMetric)
        .where(
            PerformanceMetric.organization_id == globex, PerformanceMetric.date == day
        )
        .values(clicks=PerformanceMetric.clicks + 7)
    )
    before = _summary_rows(session)
    assert before != _rebuilt_by_hand(session)
    refresh_rollups(session, acme, day, day)
    after = _summary_rows(session)
    changed = before ^ after
    assert changed and {(org, d) for org, d, *_ in changed} == {(acme, day)}
    refresh_rollups(session, globex, day, day)
    assert _summary_rows(session) == _rebuilt_by_hand(session)


def test_orm_writes_to_metrics_refresh_the_rollup_at_commit(ops_world):
    url, world = ops_world
    app = make_app(url)
    from data.db import get_database

    org_id, day = world["orgs"]["acme"], dt.date(2026, 3, 3)
    with app.server.app_context():
        with get_database().session_scope() as session:
            deployment = session.scalar(
                sa.select(PlatformDeployment).where(
                    PlatformDeployment.organization_id == org_id
                )
            )
            row = PerformanceMetric(
                organization_id=org_id,
                campaign_id=deployment.campaign_id,
                platform_deployment_id=deployment.id,
                platform=deployment.platform,
                date=day,
                impressions=1000,
                clicks=10,
                conversions=1,
                spend=Decimal("12.34"),
                revenue=Decimal("56.78"),
            )
            session.add(row)
        with get_database().session_scope() as session:
            assert _summary_rows(session) == _rebuilt_by_hand(session)
            scope, rng = Scope(org_id, "viewer"), DateRange(day, day)
            assert kpi_summary(session, scope, rng).set_index("period").loc[
                "current", "revenue"
            ] >= Decimal("56.78")
            session.delete(session.get(PerformanceMetric, row.id))
        with get_database().session_scope() as session:
            assert _summary_rows(session) == _rebuilt_by_hand(session)


def test_refresh_rollups_command_rebuilds_everything(ops_world):
    url, _world = ops_world
    engine = make_engine(url)
    with Session(engine) as session:
        expected = _summary_rows(session)
        assert expected == _rebuilt_by_hand(session) != set()
        session.execute(sa.delete(DailyRevenueSummary))
        session.commit()
    result = make_app(url).server.test_cli_runner().invoke(args=["refresh-rollups"])
    assert result.exit_code == 0, result.output
    assert f"Wrote {len(expected):,} daily_revenue_summary rows" in result.output
    with Session(engine) as session:
        assert _summary_rows(session) == expected
    engine.dispose()
