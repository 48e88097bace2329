"""The live demo: every few seconds today's numbers of the demo organizations grow a little, through
the same ingest as the API (data/writes/metrics.py), so a newcomer sees open dashboards move, the
bell count change and alert rules fire. Started by the scheduler when KIKI_DEMO_LIVE=1, or by
`flask --app app demo-live`.

Each tick adds to today's row of every active deployment of the demo's organizations: a few
hundred impressions, their clicks and conversions at the deployment's own rates, and spend and
revenue at its recent cost and return. One tick in ten is a bad one (revenue does not grow), so
ROAS rules have something to say.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import sqlalchemy as sa

from data.clock import today as clock_today
from data.models import Organization, PerformanceMetric, PlatformDeployment
from data.ops.demo_world import ORGS
from data.scope import Scope
from data.writes.metrics import ingest_metrics
from data.writes.transaction import write_transaction

CENT = Decimal("0.01")
WINDOW = dt.timedelta(days=14)  # the recent days a deployment's rates are read from


def _recent_rates(session, deployment_ids: list[int], day: dt.date) -> dict:
    """deployment -> (clicks per impression, conversions per click, cost per click, revenue
    per conversion) over the last 14 days, with plausible defaults for a new one."""
    pm = PerformanceMetric
    rows = session.execute(
        sa.select(
            pm.platform_deployment_id,
            sa.func.sum(pm.impressions),
            sa.func.sum(pm.clicks),
            sa.func.sum(pm.conversions),
            sa.func.sum(pm.spend),
            sa.func.sum(pm.revenue),
        )
        .where(pm.platform_deployment_id.in_(deployment_ids), pm.date >= day - WINDOW)
        .group_by(pm.platform_deployment_id)
    ).all()
    rates = {}
    for dep, impressions, clicks, conversions, spend, revenue in rows:
        rates[dep] = (
            clicks / impressions if impressions else 0.02,
            conversions / clicks if clicks else 0.05,
            Decimal(spend) / clicks if clicks else Decimal("0.80"),
            Decimal(revenue) / conversions if conversions else Decimal(40),
        )
    return rates


def _today_rows(session, deployment_ids: list[int], day: dt.date) -> dict:
    pm = PerformanceMetric
    return {
        row.platform_deployment_id: row
        for row in session.execute(
            sa.select(pm).where(
                pm.platform_deployment_id.in_(deployment_ids), pm.date == day
            )
        ).scalars()
    }


def tick(database, now: dt.date | None = None, rng: random.Random | None = None) -> int:
    """One step of the live demo; the number of rows written."""
    rng = rng or random.Random()
    day = now or clock_today()
    written = 0
    slugs = [slug for slug, _, _ in ORGS]
    with write_transaction(database) as session:
        orgs = (
            session.execute(
                sa.select(Organization.id).where(Organization.slug.in_(slugs))
            )
            .scalars()
            .all()
        )
    for org_id in orgs:
        with write_transaction(database) as session:
            deployments = session.scalars(
                sa.select(PlatformDeployment.id).where(
                    PlatformDeployment.organization_id == org_id,
                    PlatformDeployment.status == "active",
                )
            ).all()
            if not deployments:
                continue
            rates = _recent_rates(session, deployments, day)
            current = _today_rows(session, deployments, day)
            bad = rng.random() < 0.1
            rows = []
            for dep in deployments:
                ctr, cvr, cpc, value = rates.get(
                    dep, (0.02, 0.05, Decimal("0.80"), Decimal(40))
                )
                impressions = rng.randint(200, 600)
                clicks = sum(rng.random() < ctr for _ in range(impressions))
                conversions = sum(rng.random() < cvr for _ in range(clicks))
                spend = (cpc * clicks).quantize(CENT)
                revenue = Decimal(0) if bad else (value * conversions).quantize(CENT)
                old = current.get(dep)
                rows.append(
                    {
                        "platform_deployment_id": dep,
                        "date": day.isoformat(),
                        "impressions": impressions + (old.impressions if old else 0),
                        "clicks": clicks + (old.clicks if old else 0),
                        "conversions": conversions + (old.conversions if old else 0),
                        "spend": str(spend + (old.spend if old else 0)),
                        "revenue": str(revenue + (old.revenue if old else 0)),
                    }
                )
            scope = Scope(org_id, "analyst", None)
            written += ingest_metrics(
                session, scope, rows, source="demo-live", today=day
            ).rows
    return written
