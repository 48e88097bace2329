"""A small fixed LTV world, its expected figures worked out by hand in tests/data/reads/test_ltv.py.

Organization ltv-a, range June-September 2026:
  Alpha (meta + google, newest prediction 120.00; an older one of 999.00)
    Jun: meta 10 conv / 300.00, google 10 / 100.00   values 10, 18, 24, 28
    Jul: meta 5 / 250.00                              values 30, 45, 55
    Sep: meta 4 / 100.00                              values 12 (too young)
    and outside the range: May 31 and Oct 1 (100 conversions, 1000.00 each)
  Beta (meta, prediction 40.00)
    Jun: 0 conversions / 80.00 (no customers)         values 5, 9, 12
    Jul: 8 conversions / 0.00 (no spend)              values 6, 10, 13
  Gamma (tiktok, no prediction)
    Aug: 2 / 60.00, no values at all (too young)
Organization ltv-b: "Other org campaign", Jun 50 / 500.00, prediction 77.00, values 1..4: must
never show.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from sqlalchemy.orm import Session

from data.db import get_database
from data.models import (
    CampaignDeployment,
    LtvCohortValue,
    LtvPrediction,
    Organization,
    PerformanceMetric,
    PlatformDeployment,
)
from data.ops.rollups import refresh_rollups
from tests.factories import add_user

START, END = "2026-06-01", "2026-09-30"
D = dt.date.fromisoformat
PLAN = {  # org slug -> campaign -> (platform rows, predictions (ltv, day), cohort values)
    "ltv-a": {
        "Alpha": (
            [
                ("meta", "2026-06-10", 10, "300.00"),
                ("google", "2026-06-20", 10, "100.00"),
                ("meta", "2026-07-05", 5, "250.00"),
                ("meta", "2026-09-02", 4, "100.00"),
                ("meta", "2026-05-31", 100, "1000.00"),
                ("meta", "2026-10-01", 100, "1000.00"),
            ],
            [("999.00", "2026-08-01"), ("120.00", "2026-10-01")],
            {
                "2026-06-01": [10, 18, 24, 28],
                "2026-07-01": [30, 45, 55],
                "2026-09-01": [12],
            },
        ),
        "Beta": (
            [("meta", "2026-06-15", 0, "80.00"), ("meta", "2026-07-15", 8, "0.00")],
            [("40.00", "2026-10-01")],
            {"2026-06-01": [5, 9, 12], "2026-07-01": [6, 10, 13]},
        ),
        "Gamma": ([("tiktok", "2026-08-01", 2, "60.00")], [], {}),
    },
    "ltv-b": {
        "Other org campaign": (
            [("meta", "2026-06-10", 50, "500.00")],
            [("77.00", "2026-10-01")],
            {"2026-06-01": [1, 2, 3, 4]},
        ),
    },
}


def load_ltv_world(session: Session, suffix: str = "") -> dict:
    """Insert PLAN (slugs ending in ``suffix``); returns {"orgs": slug -> id, "campaigns": name
    -> id}, keyed by the plan's slugs."""
    orgs, campaign_ids = {}, {}
    for slug, campaigns in PLAN.items():
        org = Organization(
            slug=slug + suffix, name=slug.upper(), fee_rate=Decimal("0.20")
        )
        session.add(org)
        session.flush()
        orgs[slug] = org.id
        for name, (rows, predictions, values) in campaigns.items():
            campaign = CampaignDeployment(
                organization_id=org.id,
                name=name,
                status="active",
                budget_daily=Decimal(100),
            )
            session.add(campaign)
            session.flush()
            campaign_ids[name] = campaign.id
            deployments = {}
            for platform in sorted({row[0] for row in rows}):
                dep = PlatformDeployment(
                    organization_id=org.id, campaign_id=campaign.id, platform=platform
                )
                session.add(dep)
                session.flush()
                deployments[platform] = dep.id
            for platform, day, conversions, spend in rows:
                session.add(
                    PerformanceMetric(
                        organization_id=org.id,
                        campaign_id=campaign.id,
                        platform_deployment_id=deployments[platform],
                        platform=platform,
                        date=D(day),
                        impressions=1000,
                        clicks=100,
                        conversions=conversions,
                        spend=Decimal(spend),
                        revenue=Decimal(0),
                    )
                )
            for ltv, day in predictions:
                session.add(
                    LtvPrediction(
                        organization_id=org.id,
                        campaign_id=campaign.id,
                        cohort_size=10,
                        predicted_ltv=Decimal(ltv),
                        acquisition_cost=Decimal(10),
                        model_version="test",
                        predicted_at=dt.datetime.combine(D(day), dt.time(6), dt.UTC),
                    )
                )
            for month, curve in values.items():
                for k, value in enumerate(curve):
                    session.add(
                        LtvCohortValue(
                            organization_id=org.id,
                            campaign_id=campaign.id,
                            cohort_month=D(month),
                            months_since=k,
                            customers=0,
                            cumulative_value_per_customer=Decimal(value),
                        )
                    )
        session.flush()
        refresh_rollups(session, org.id)
    session.flush()
    return {"orgs": orgs, "campaigns": campaign_ids}


def commit_ltv_world(app) -> dict:
    """The world committed into the shared app's database under fresh slugs, with a viewer and
    an analyst of ltv-a: {"orgs", "campaigns", "users": role -> e-mail}."""
    suffix = f"-{uuid.uuid4().hex[:6]}"
    with app.server.app_context(), get_database().session_scope() as session:
        world = load_ltv_world(session, suffix)
        users = {
            role: add_user(
                session, world["orgs"]["ltv-a"], role, f"{role}@ltv{suffix}.test"
            ).email
            for role in ("viewer", "analyst")
        }
    return {**world, "users": users}


def add_young_cohort_values(session: Session, organization_id: int) -> None:
    """For the browser world: a prediction and cohort values for each campaign of the golden
    organization (October and November 2026 cohorts, both too young to judge on 2026-11-01)."""
    import sqlalchemy as sa

    campaign_ids = session.scalars(
        sa.select(CampaignDeployment.id).where(
            CampaignDeployment.organization_id == organization_id
        )
    ).all()
    for n, campaign_id in enumerate(campaign_ids):
        session.add(
            LtvPrediction(
                organization_id=organization_id,
                campaign_id=campaign_id,
                cohort_size=10,
                predicted_ltv=Decimal(150 + 40 * n),
                acquisition_cost=Decimal(40),
                model_version="test",
            )
        )
        for month, curve in (
            ("2026-10-01", [35 + 5 * n, 60 + 8 * n]),
            ("2026-11-01", [30]),
        ):
            for k, value in enumerate(curve):
                session.add(
                    LtvCohortValue(
                        organization_id=organization_id,
                        campaign_id=campaign_id,
                        cohort_month=D(month),
                        months_since=k,
                        customers=0,
                        cumulative_value_per_customer=Decimal(value),
                    )
                )
    session.commit()
