"""Helpers of the lifecycle API tests: bodies, calls and row counts of one organization."""

from __future__ import annotations

import sqlalchemy as sa

from data.db import get_database
from data.models import (
    AdCopy,
    AuditLog,
    BudgetRequest,
    CampaignDeployment,
    IdempotencyKey,
    Notification,
    OutboxEntry,
    User,
)
from tests.data.lifecycle.conftest import campaign_body

API = "/api/v1"


def create(api, shop, who: str = "analyst", headers: dict | None = None, **changes):
    """POST /campaigns as ``who`` of the shop with the standard body and ``changes``."""
    return api.post(
        f"{API}/campaigns",
        json=campaign_body(**changes),
        headers={**shop["headers"][who], **(headers or {})},
    )


def created_id(api, shop, who: str = "analyst", **changes) -> int:
    response = create(api, shop, who, **changes)
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.json["data"]["campaign_id"]


def act(api, shop, campaign_id: int, action: str, who: str, body=None, **kwargs):
    """POST /campaigns/{id}/{action} as ``who`` (no body unless given)."""
    headers = {**shop["headers"][who], **kwargs.pop("headers", {})}
    if body is None:
        return api.post(
            f"{API}/campaigns/{campaign_id}/{action}", headers=headers, **kwargs
        )
    return api.post(
        f"{API}/campaigns/{campaign_id}/{action}",
        json=body,
        headers=headers,
        **kwargs,
    )


def submitted_id(api, shop, who: str = "analyst", **changes) -> int:
    campaign_id = created_id(api, shop, who, **changes)
    response = act(api, shop, campaign_id, "submit", who)
    assert response.status_code == 200, response.get_data(as_text=True)
    return campaign_id


def row_counts(app, org_id: int) -> dict[str, int]:
    """What the lifecycle writes of one organization: rows per table (API call audit rows,
    written in the background, are left out)."""
    tables = {
        "campaigns": (CampaignDeployment, CampaignDeployment.organization_id == org_id),
        "ad_copies": (AdCopy, AdCopy.organization_id == org_id),
        "requests": (BudgetRequest, BudgetRequest.organization_id == org_id),
        "audit": (
            AuditLog,
            sa.and_(AuditLog.organization_id == org_id, AuditLog.action != "api_call"),
        ),
        "notifications": (Notification, Notification.organization_id == org_id),
        "outbox": (OutboxEntry, OutboxEntry.organization_id == org_id),
        "idempotency_keys": (
            IdempotencyKey,
            IdempotencyKey.user_id.in_(
                sa.select(User.id).where(User.organization_id == org_id)
            ),
        ),
    }
    with app.server.app_context(), get_database().session_scope() as session:
        return {
            name: session.scalar(
                sa.select(sa.func.count()).select_from(model).where(where)
            )
            for name, (model, where) in tables.items()
        }


def set_settings(app, org_id: int, **values) -> None:
    from data.models import OrganizationSettings

    with app.server.app_context(), get_database().session_scope() as session:
        settings = session.get(OrganizationSettings, org_id)
        for name, value in values.items():
            setattr(settings, name, value)
