"""Deterministic demo and benchmark data: organizations, users, campaigns, metrics."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from itertools import islice

import sqlalchemy as sa
from sqlalchemy.orm import Session

from data.models import PLATFORMS, ROLES, Base
from data.ops.bulk_insert import copy_metrics, insert_metrics, insert_rows
from data.ops.demo_alerts import alert_rows
from data.ops.demo_lifecycle import lifecycle_rows, organization_settings
from data.ops.demo_ltv import cohort_value_rows, tally_conversions
from data.ops.demo_reports import report_rows
from data.ops.demo_world import (
    DAY,
    DEPLOYMENT_STATUS,
    ORGS,
    creative_rows,
    ltv_rows,
    metric_row,
    plan_campaigns,
    platform_rates,
    staff_users,
    timestamp,
)
from data.ops.rollups import refresh_rollups

ANALYZE = "ANALYZE performance_metrics, platformdeployments, campaign_deployments"
AUDITED = {"paused": "campaign_paused"}  # the rejection: data/ops/demo_lifecycle.py


@dataclass
class DemoSummary:
    """What was loaded; ``users`` holds (email, role, org_slug, password or None)."""

    organizations: int
    users: list[tuple[str, str, str, str | None]]
    campaigns: int
    metric_rows: int


def audit_rows(
    plans: list[dict], org_ids: list[int], admins: list[int], end: dt.date
) -> list[dict]:
    """A few audit_logs rows: each admin's login and every pause."""
    rows = [
        {"organization_id": org_id, "actor_user_id": admin, "action": "user.login"}
        for org_id, admin in zip(org_ids, admins, strict=True)
    ]
    for row in rows:  # executemany needs the same keys in every row
        row.update(target_type=None, target_id=None, details={"method": "password"})
        row.update(ip_address="203.0.113.10", created_at=timestamp(end, 8))
    for p in plans:
        if action := AUDITED.get(p["row"]["status"]):
            rows.append(
                {
                    "organization_id": p["row"]["organization_id"],
                    "actor_user_id": admins[p["org"]],
                    "action": action,
                    "target_type": "campaign",
                    "target_id": str(p["row"]["id"]),
                    "ip_address": "203.0.113.10",
                    "details": {"name": p["row"]["name"], "to": p["row"]["status"]},
                    "created_at": p["row"]["updated_at"],
                }
            )
    return rows


def load_demo_data(
    session_or_connection: Session | sa.Connection,
    *,
    campaigns: int = 60,
    days: int = 180,
    seed: int = 7,
    end_date: dt.date | None = None,
    password_hasher: Callable[[str], str] | None = None,
    passwords: dict[str, str] | None = None,
) -> DemoSummary:
    """Insert the demo data set in the caller's transaction (the caller commits).

    Into a database without the acme and globex organizations (slugs and emails are
    unique). Rows are built as dicts and inserted with Core executemany.

    Tables: organizations (acme 0.20, globex 0.15); users (viewer, analyst and admin
    @<slug>.example); campaign_deployments (``campaigns``, every status but approved);
    ad_copies (variant A, and B for A/B tests); image_prompts; video_prompts;
    user_assets (metadata only, storage_path ``demo/<filename>``); platformdeployments
    (1-3 platforms, optional ad_copy_id and user_asset_id); performance_metrics (one
    row per live deployment per day of the ``days`` ending ``end_date``;
    organization_id, campaign_id and platform copied from the deployment; none for
    draft, pending_approval or rejected campaigns); ltv_predictions (1-2 per active
    campaign); ltv_cohort_values (data/ops/demo_ltv.py: per campaign and month with
    conversions, its cumulative value per customer for each month since); audit_logs (the admins' logins, pauses); organization_settings; and the
    approvals story of data/ops/demo_lifecycle.py (budget requests pending, rejected with
    a reason, approved, one lower than asked; their audit rows and notifications); and
    alert rules (data/ops/demo_alerts.py: three per organization, due at once); and a
    weekly scheduled overview report per organization (data/ops/demo_reports.py).

    Everything but passwords is a function of ``seed`` and ``end_date``. Without
    ``password_hasher`` users get NO_LOGIN_HASH and no password; with it each password
    is ``passwords[email]`` or a new ``secrets.token_urlsafe(12)``, returned in users.
    """
    if passwords and password_hasher is None:
        raise ValueError("passwords need a password_hasher")
    conn = session_or_connection
    if isinstance(conn, Session):
        conn = conn.connection()
    rng, end = random.Random(seed), end_date or dt.date.today()
    start = end - (days - 1) * DAY
    founded = timestamp(start - 120 * DAY)  # before the first campaign
    orgs = [
        {"slug": slug, "name": name, "fee_rate": fee, "created_at": founded}
        for slug, name, fee in ORGS
    ]
    org_ids = insert_rows(conn, "organizations", orgs)
    users, logins = staff_users(org_ids, founded, password_hasher, passwords or {})
    user_ids = iter(insert_rows(conn, "users", users))
    staff = [dict(zip(ROLES, islice(user_ids, len(ROLES)), strict=True)) for _ in ORGS]

    plans = plan_campaigns(rng, campaigns, start, end)
    for p in plans:
        p["row"]["organization_id"] = org_ids[p["org"]]
        p["row"]["created_by_id"] = staff[p["org"]]["analyst"]
        p["row"]["platforms"] = ",".join(sorted({dep[0] for dep in p["deps"]}))
        p["row"]["budget_amount"] = p["row"]["budget_daily"]
    campaign_rows = [p["row"] for p in plans]
    campaign_ids = insert_rows(conn, "campaign_deployments", campaign_rows)
    for row, campaign_id in zip(campaign_rows, campaign_ids, strict=True):
        row["id"] = campaign_id
    copy_ids, asset_ids = creative_rows(conn, plans, rng, seed)

    flat = [(p, j, *dep) for p in plans for j, dep in enumerate(p["deps"])]
    deployments = [
        {
            "organization_id": p["row"]["organization_id"],
            "campaign_id": p["row"]["id"],
            "platform": platform,
            "ad_copy_id": copy_ids[p["row"]["id"], variant] if with_copy else None,
            "user_asset_id": asset_ids.get(p["row"]["id"]) if j == 0 else None,
            "external_id": f"{platform}-{external_id}",
            "status": DEPLOYMENT_STATUS.get(p["row"]["status"], "pending"),
            "created_at": p["row"]["created_at"],
        }
        for p, j, platform, variant, with_copy, _, external_id in flat
    ]
    dep_ids = insert_rows(conn, "platformdeployments", deployments)
    live = []  # (deployment as metric_row wants it, campaign plan)
    for (p, *_, rates, _), d, dep_id in zip(flat, deployments, dep_ids, strict=True):
        keys = (d["organization_id"], d["campaign_id"], dep_id, d["platform"])
        live.append(((*keys, p["share"], *rates), p))
    conversions = Counter()  # (campaign id, month) -> customers: the cohorts
    metric_rows = insert_metrics(
        conn,
        tally_conversions(
            (
                metric_row(dep, p["first"] + k * DAY, rng)
                for dep, p in live
                for k in range((p["last"] - p["first"]).days + 1)
            ),
            conversions,
        ),
    )
    active = [p for p in plans if p["row"]["status"] == "active"]
    predictions = [row for p in active for row in ltv_rows(p, end, rng)]
    insert_rows(conn, "ltv_predictions", predictions)
    newest = {r["campaign_id"]: float(r["predicted_ltv"]) for r in predictions[::-1]}
    insert_rows(
        conn,
        "ltv_cohort_values",
        cohort_value_rows(plans, conversions, end, seed, newest),
    )
    admins = [roles["admin"] for roles in staff]
    insert_rows(conn, "audit_logs", audit_rows(plans, org_ids, admins, end))
    organization_settings(conn, org_ids)
    lifecycle_rows(conn, plans, staff, end)
    alert_rows(conn, org_ids, staff, plans)
    report_rows(conn, org_ids, staff)
    for org_id in org_ids:  # the overview reads the daily rollup
        refresh_rollups(session_or_connection, org_id)
    return DemoSummary(len(org_ids), logins, len(plans), metric_rows)


def bulk_load_metrics(
    engine: sa.Engine,
    *,
    campaigns: int,
    days: int,
    platforms_per_campaign: int = 3,
    seed: int = 7,
    organization_slug: str = "bench",
    end_date: dt.date | None = None,
) -> int:
    """Load campaigns x platforms_per_campaign x days performance_metrics rows.

    For benchmarks. Creates (or reuses) organization ``organization_slug``, adds
    ``campaigns`` active campaign_deployments and their platformdeployments (platforms
    cycle meta, google, tiktok), then one row per deployment per day ending ``end_date``
    in date order: COPY on PostgreSQL (then ANALYZE), batched executemany elsewhere.
    One transaction. Returns the number of performance_metrics rows written.
    """
    rng, end = random.Random(seed), end_date or dt.date.today()
    dates = [end - (days - 1 - k) * DAY for k in range(days)]
    orgs = Base.metadata.tables["organizations"]
    with engine.begin() as conn:
        query = sa.select(orgs.c.id).where(orgs.c.slug == organization_slug)
        org_id = conn.scalar(query)
        if org_id is None:
            org = {"slug": organization_slug, "name": f"Benchmark {organization_slug}"}
            org_id = insert_rows(conn, "organizations", [org])[0]
        campaign_rows = [
            {
                "organization_id": org_id,
                "name": f"Bench {i + 1:05d}",
                "status": "active",
                "budget_daily": Decimal("500.00"),
                "start_date": dates[0],
            }
            for i in range(campaigns)
        ]
        campaign_ids = insert_rows(conn, "campaign_deployments", campaign_rows)
        deployments = [
            {"organization_id": org_id, "campaign_id": c, "platform": PLATFORMS[j % 3]}
            for c in campaign_ids
            for j in range(platforms_per_campaign)
        ]
        dep_ids = insert_rows(conn, "platformdeployments", deployments)
        deps = [
            (org_id, d["campaign_id"], dep_id, d["platform"], rng.uniform(20, 200))
            + platform_rates(rng, d["platform"], rng.uniform(0.5, 4.0))
            for d, dep_id in zip(deployments, dep_ids, strict=True)
        ]
        rows = (metric_row(dep, day, rng) for day in dates for dep in deps)
        if conn.dialect.driver == "psycopg":
            count = copy_metrics(conn, rows)
        else:
            count = insert_metrics(conn, rows)
        refresh_rollups(conn, org_id, dates[0], dates[-1])
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text(ANALYZE))
    return count
