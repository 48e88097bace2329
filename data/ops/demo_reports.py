"""The demo's scheduled reports: one weekly overview per organization (Mondays at 09:00 in the
organization's zone, last 7 days, to its analyst and admin), so a newcomer finds /reports
populated and can press "Send now" (with no SMTP the e-mail goes to the log).

Rows only (Core executemany, as the rest of the demo), in the shape
data/writes/report_subscriptions.py writes.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from data.ops.bulk_insert import insert_rows
from data.reports.schedule import Schedule, next_due

WEEKLY = Schedule("weekly", 9, weekday=0)


def report_rows(
    conn: sa.Connection, org_ids: list[int], staff: list[dict], now=None
) -> list[int]:
    """One subscription per organization and its two recipients; the subscriptions' ids."""
    now = now or dt.datetime.now(dt.UTC)
    subscriptions = [
        {
            "organization_id": org_id,
            "owner_id": people["analyst"],
            "name": "Weekly overview",
            "view": "overview",
            "campaign_id": None,
            "params": {"range": "last_7"},
            "frequency": WEEKLY.frequency,
            "weekday": WEEKLY.weekday,
            "month_day": None,
            "hour": WEEKLY.hour,
            "include_csv": True,
            "paused": False,
            "version": 1,
            "next_run_at": next_due(WEEKLY, now, "UTC"),
        }
        for org_id, people in zip(org_ids, staff, strict=True)
    ]
    ids = insert_rows(conn, "report_subscriptions", subscriptions)
    insert_rows(
        conn,
        "report_recipients",
        [
            {"subscription_id": sub_id, "user_id": people[role]}
            for sub_id, people in zip(ids, staff, strict=True)
            for role in ("analyst", "admin")
        ],
    )
    return ids
