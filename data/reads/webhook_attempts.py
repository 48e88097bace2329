"""Webhook delivery attempts as admins see them: the latest first, with the answer or the error."""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import Session

from data.models import WebhookAttempt, WebhookEndpoint
from data.scope import Scope

ATTEMPT_COLUMNS = [
    "attempt_id", "attempted_at", "url", "event_type", "message_id", "attempt",
    "status_code", "error", "duration_ms",
]  # fmt: skip


def webhook_attempts(
    session: Session, scope: Scope, *, limit: int = 50
) -> pd.DataFrame:
    """The organization's latest ``limit`` attempts (admins). Columns ATTEMPT_COLUMNS; url is
    None once its endpoint was removed; status_code None when no answer came (see error)."""
    scope.require("admin")
    rows = session.execute(
        sa.select(
            WebhookAttempt.id,
            WebhookAttempt.attempted_at,
            WebhookEndpoint.url,
            WebhookAttempt.event_type,
            WebhookAttempt.message_id,
            WebhookAttempt.attempt,
            WebhookAttempt.status_code,
            WebhookAttempt.error,
            WebhookAttempt.duration_ms,
        )
        .outerjoin(WebhookEndpoint, WebhookEndpoint.id == WebhookAttempt.endpoint_id)
        .where(WebhookAttempt.organization_id == scope.organization_id)
        .order_by(WebhookAttempt.id.desc())
        .limit(max(1, min(int(limit), 500)))
    ).all()
    return pd.DataFrame([tuple(row) for row in rows], columns=ATTEMPT_COLUMNS)
