"""The demo's budget approvals: pending requests, decisions with reasons, and the notifications
and audit rows each step would have written, so a newcomer finds a queue, a bell and a history.

Rows only (Core executemany, as the rest of the demo); what the lifecycle writes would have
written, in the same shapes (data/writes/campaigns.py, data/writes/approvals.py).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa

from data.models import Base
from data.ops.bulk_insert import insert_rows
from data.ops.demo_world import DAY, timestamp

REJECTION = "Launch after the Q1 review: the forecast ROAS is under 1.5."
LOWERED = "Capped at this month's plan; ask again after the first two weeks."
# acme has a monthly spending cap (the approver sees what remains); globex has none.
MONTHLY_CAPS = (Decimal("450000.00"), None)


def _request(p: dict, status: str, requester: int, asked: dt.datetime) -> dict:
    row = p["row"]
    return {
        "organization_id": row["organization_id"],
        "campaign_id": row["id"],
        "budget_type": "daily",
        "requested_amount": row["budget_amount"],
        "approved_amount": None,
        "currency": "USD",
        "status": status,
        "auto_approved": False,
        "requested_by_id": requester,
        "decided_by_id": None,
        "decision_reason": None,
        "version": 1,
        "requested_at": asked,
        "decided_at": None,
    }


def _audit(p: dict, actor: int, action: str, at: dt.datetime, details: dict) -> dict:
    return {
        "organization_id": p["row"]["organization_id"],
        "actor_user_id": actor,
        "action": action,
        "target_type": "campaign",
        "target_id": str(p["row"]["id"]),
        "ip_address": "203.0.113.10",
        "details": details,
        "created_at": at,
    }


def _note(p, user, kind, title, body, link, at, read) -> dict:
    return {
        "organization_id": p["row"]["organization_id"],
        "user_id": user,
        "kind": kind,
        "title": title,
        "body": body,
        "link": link,
        "created_at": at,
        "read_at": at + dt.timedelta(hours=2) if read else None,
    }


def lifecycle_rows(
    conn: sa.Connection, plans: list[dict], staff: list[dict], end: dt.date
) -> int:
    """Insert the approvals story for each organization; the number of budget requests."""
    requests, audits, notes = [], [], []
    for org, people in enumerate(staff):
        analyst, admin = people["analyst"], people["admin"]
        mine = [p for p in plans if p["org"] == org]
        for k, p in enumerate(
            x for x in mine if x["row"]["status"] == "pending_approval"
        ):
            asked = timestamp(end - (k + 1) * DAY, 11)
            requests.append(_request(p, "pending", analyst, asked))
            amount = str(p["row"]["budget_amount"])
            audits.append(
                _audit(p, analyst, "campaign_submitted", asked, {"amount": amount})
            )
            notes.append(
                _note(
                    p,
                    admin,
                    "campaign_submitted",
                    f"Budget approval requested: {p['row']['name']}",
                    f"{amount} USD (daily).",
                    "/approvals",
                    asked,
                    read=False,
                )
            )
        decided = [p for p in mine if p["row"]["status"] == "rejected"]
        decided += [p for p in mine if p["row"]["status"] == "active"][:2]
        for k, p in enumerate(decided):
            asked = p["row"]["created_at"]
            at = asked + dt.timedelta(hours=5 + k)
            row = _request(p, p["row"]["status"], analyst, asked)
            row.update(decided_by_id=admin, decided_at=at, version=2)
            budget = p["row"]["budget_amount"]
            if p["row"]["status"] == "rejected":
                row.update(decision_reason=REJECTION)
                action, kind, body = "budget_rejected", "budget_rejected", REJECTION
            else:  # the first active one was approved lower than asked, with a reason
                lower = k == len(decided) - 2
                asked_amount = (budget * Decimal("1.25")).quantize(Decimal("0.01"))
                row.update(status="approved", approved_amount=budget)
                row.update(requested_amount=asked_amount if lower else budget)
                row.update(decision_reason=LOWERED if lower else None)
                action, kind = "budget_approved", "budget_approved"
                body = f"{budget} USD approved." + (f" {LOWERED}" if lower else "")
            requests.append(row)
            details = {
                "requested": str(row["requested_amount"]),
                "approved": None if row["approved_amount"] is None else str(budget),
                "reason": row["decision_reason"],
            }
            audits.append(
                _audit(
                    p,
                    analyst,
                    "campaign_submitted",
                    asked,
                    {"amount": details["requested"]},
                )
            )
            audits.append(_audit(p, admin, action, at, details))
            word = "approved" if action == "budget_approved" else "rejected"
            notes.append(
                _note(
                    p,
                    analyst,
                    kind,
                    f"Budget {word}: {p['row']['name']}",
                    body,
                    f"/campaigns/{p['row']['id']}",
                    at,
                    read=word == "approved",
                )
            )
    insert_rows(conn, "budget_requests", requests)
    insert_rows(conn, "audit_logs", audits)
    insert_rows(conn, "notifications", notes)
    return len(requests)


def organization_settings(conn: sa.Connection, org_ids: list[int]) -> None:
    """Each demo organization's settings row: USD, four eyes, acme's monthly cap."""
    table = Base.metadata.tables["organization_settings"]
    conn.execute(
        sa.insert(table),
        [
            {
                "organization_id": org_id,
                "currency": "USD",
                "allow_self_approval": False,
                "monthly_spend_cap": cap,
            }
            for org_id, cap in zip(org_ids, MONTHLY_CAPS, strict=False)
        ],
    )
