"""The audit trail: one row per security-relevant action, written in the caller's transaction."""

from __future__ import annotations

from sqlalchemy.orm import Session

from data.models import AuditLog


def record_event(
    session: Session,
    action: str,
    *,
    organization_id: int | None,
    actor_user_id: int | None,
    ip_address: str | None = None,
    target_type: str | None = None,
    target_id=None,
    details: dict | None = None,
) -> AuditLog:
    """Add an audit row to ``session``; it commits (or rolls back) with the change it describes."""
    entry = AuditLog(
        organization_id=organization_id,
        actor_user_id=actor_user_id,
        action=action,
        target_type=target_type,
        target_id=None if target_id is None else str(target_id),
        ip_address=(ip_address or "")[:64] or None,
        details=details or {},
    )
    session.add(entry)
    return entry
