"""When alert rules are due: data that affects a rule marks it due in the transaction that
writes the data, so the rule is evaluated right after that commit (and by the sweep if not)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Session

from data.models import AlertRule

RULES_DUE = "kiki_alert_rules_due"  # in a session's info: rules were marked due


def mark_rules_due(session: Session, organization_id: int) -> int:
    """Make every active rule of the organization due now, in the caller's transaction; the
    number of rules marked. After the commit, the scheduler is woken (data/scheduler.py)."""
    result = session.execute(
        sa.update(AlertRule)
        .where(
            AlertRule.organization_id == organization_id,
            AlertRule.is_active.is_(True),
        )
        .values(next_due_at=dt.datetime.now(dt.UTC))
        .execution_options(synchronize_session=False)
    )
    if result.rowcount:
        session.info[RULES_DUE] = True
    return result.rowcount
