"""The demo's alert rules: a few rules per organization, due at once, so a newcomer finds /alerts
populated and, with the live demo (KIKI_DEMO_LIVE), sees them evaluated and fire.

Rows only (Core executemany, as the rest of the demo), in the shape data/writes/alert_rules.py
writes.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa

from data.ops.bulk_insert import insert_rows


def _rule(org_id: int, author: int, recipients: list[int], now, **columns) -> dict:
    row = {
        "organization_id": org_id,
        "created_by_id": author,
        "target": "organization",
        "platform": None,
        "campaign_id": None,
        "window_days": 7,
        "min_spend": None,
        "for_minutes": 0,
        "reminder_hours": None,
        "channels": ["in_app"],
        "recipient_ids": recipients,
        "next_due_at": now,
    }
    row.update(columns)
    return row


def alert_rows(
    conn: sa.Connection,
    org_ids: list[int],
    staff: list[dict],
    plans: list[dict],
    now=None,
) -> list[int]:
    """Three rules per organization: its ROAS, Meta's CPA, and one active campaign's pacing."""
    now = now or dt.datetime.now(dt.UTC)
    rows = []
    for index, org_id in enumerate(org_ids):
        people = staff[index]
        tell = [people["analyst"], people["admin"]]
        rows.append(
            _rule(
                org_id,
                people["analyst"],
                tell,
                now,
                name="Organization ROAS under 2×",
                condition="roas_below",
                threshold=Decimal(2),
                channels=["in_app", "email"],
            )
        )
        rows.append(
            _rule(
                org_id,
                people["analyst"],
                tell,
                now,
                name="Meta CPA over 40",
                condition="cpa_above",
                target="platform",
                platform="meta",
                threshold=Decimal(40),
                for_minutes=30,
            )
        )
        active = [
            p for p in plans if p["org"] == index and p["row"]["status"] == "active"
        ]
        if active:
            campaign = active[0]["row"]
            rows.append(
                _rule(
                    org_id,
                    people["analyst"],
                    tell,
                    now,
                    name=f"{campaign['name']}: spend pacing over 110 %",
                    condition="pacing_above",
                    target="campaign",
                    campaign_id=campaign["id"],
                    threshold=Decimal(110),
                    reminder_hours=24,
                )
            )
    return insert_rows(conn, "alert_rules", rows)
