"""Loads ../shared/fixtures/golden (an independently computed dataset) into the schema."""

from __future__ import annotations

import csv
import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from data.models import (
    CampaignDeployment,
    Organization,
    PerformanceMetric,
    PlatformDeployment,
)
from data.ops.rollups import refresh_rollups

GOLDEN_DIR = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "golden"


def _rows(name: str) -> list[dict]:
    with open(GOLDEN_DIR / f"{name}.csv", newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def expected_cases() -> list[dict]:
    return json.loads((GOLDEN_DIR / "expected.json").read_text())["cases"]


def load_golden(session: Session, slug_suffix: str = "") -> dict:
    """Insert the golden CSVs; returns maps from golden ids to database ids (orgs by slug, campaigns)."""
    orgs, campaigns, deployments = {}, {}, {}
    for row in _rows("organizations"):
        org = Organization(
            slug=row["slug"] + slug_suffix,
            name=row["name"],
            fee_rate=Decimal(row["fee_rate"]),
        )
        session.add(org)
        session.flush()
        orgs[row["id"]] = org
    for row in _rows("campaign_deployments"):
        campaign = CampaignDeployment(
            organization_id=orgs[row["organization_id"]].id,
            name=row["name"],
            status=row["status"],
            budget_daily=Decimal(row["budget_daily"]),
        )
        session.add(campaign)
        session.flush()
        campaigns[row["id"]] = campaign
    for row in _rows("platformdeployments"):
        campaign = campaigns[row["campaign_id"]]
        deployment = PlatformDeployment(
            organization_id=campaign.organization_id,
            campaign_id=campaign.id,
            platform=row["platform"],
        )
        session.add(deployment)
        session.flush()
        deployments[row["id"]] = deployment
    metrics = []
    for row in _rows("performance_metrics"):
        deployment = deployments[row["platform_deployment_id"]]
        metrics.append(
            {
                "organization_id": deployment.organization_id,
                "campaign_id": deployment.campaign_id,
                "platform_deployment_id": deployment.id,
                "platform": deployment.platform,
                "date": dt.date.fromisoformat(row["date"]),
                "impressions": int(row["impressions"]),
                "clicks": int(row["clicks"]),
                "conversions": int(row["conversions"]),
                "spend": Decimal(row["spend"]),
                "revenue": Decimal(row["revenue"]),
            }
        )
    session.execute(sa.insert(PerformanceMetric), metrics)
    for org in orgs.values():
        refresh_rollups(session, org.id)
    session.flush()
    return {
        "orgs": {org.slug.removesuffix(slug_suffix): org.id for org in orgs.values()},
        "campaigns": {golden_id: c.id for golden_id, c in campaigns.items()},
    }
