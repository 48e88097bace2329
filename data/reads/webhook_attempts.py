"""The log of webhook delivery attempts, for the organization's admins."""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import Session

from data.models import WebhookAttempt, WebhookEndpoint
from data.scope import Scope

ATTEMPT_COLUMNS = [
    "attempt_id", "attempted_at", "endpoint_id", "endpoint_url", "event_type",
    "message_id", "attempt", "status_code", "error", "duration_ms", "ok",
]  # fmt: skip
MAX_ROWS = 500


def webhook_attempts(
    session: Session,
    scope: Scope,
    *,
    endpoint_id: int | None = None,
    limit: int = 100,
) -> pd.DataFrame:
    """The newest attempts first (admins only). Columns ATTEMPT_COLUMNS: attempted_at UTC;
    endpoint_url None once the endpoint was deleted; status_code None when nothing answered;
    attempt 1 for the first try of a delivery; ok True for a 2xx answer."""
    scope.require("admin")
    query = (
        sa.select(
            WebhookAttempt.id, WebhookAttempt.attempted_at, WebhookAttempt.endpoint_id,
            WebhookEndpoint.url, WebhookAttempt.event_type, WebhookAttempt.message_id,
            WebhookAttempt.attempt, WebhookAttempt.status_code, WebhookAttempt.error,
            WebhookAttempt.duration_ms,
        )
        .outerjoin(WebhookEndpoint, WebhookEndpoint.id == WebhookAttempt.endpoint_id)
        .where(WebhookAttempt.organization_id == scope.organization_id)
    )  # fmt: skip
    if endpoint_id is not None:
        query = query.where(WebhookAttempt.endpoint_id == int(endpoint_id))
    limit = min(max(int(limit), 1), MAX_ROWS)
    rows = session.execute(query.order_by(WebhookAttempt.id.desc()).limit(limit)).all()
    frame = pd.DataFrame(rows, columns=ATTEMPT_COLUMNS[:-1])
    codes = frame["status_code"]
    frame["ok"] = pd.Series(
        [bool(pd.notna(code) and 200 <= code < 300) for code in codes], dtype=bool
    )
    return frame
