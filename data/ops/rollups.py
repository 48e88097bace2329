"""The daily_revenue_summary rollup: performance_metrics summed per organization, day and platform."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Session

from data.cache import invalidate_on_commit
from data.metric_definitions import SUM_COLUMNS
from data.models import DailyRevenueSummary, Organization, PerformanceMetric

pm = PerformanceMetric.__table__
summary = DailyRevenueSummary.__table__
ROLLUP_LOCK = 5_724_301  # PostgreSQL advisory lock: one refresh at a time
NOTED_KEY = "kiki_metric_days"


def _conditions(table, organization_id, start, end) -> list:
    conditions = []
    if organization_id is not None:
        conditions.append(table.c.organization_id == organization_id)
    if start is not None:
        conditions.append(table.c.date >= start)
    if end is not None:
        conditions.append(table.c.date <= end)
    return conditions


def refresh_rollups(
    session: Session | sa.Connection,
    organization_id: int | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> int:
    """Recompute daily_revenue_summary for one organization (None: all) and the days from
    ``start`` to ``end`` (None: unbounded) from performance_metrics; returns the rows written.

    Delete and INSERT … SELECT in the caller's transaction (a Session or a Connection), so
    readers see the old or the new rows, never a mix; the organizations' cached reads expire
    when the caller commits.
    """
    bind = session.get_bind() if isinstance(session, Session) else session
    if bind.dialect.name == "postgresql":
        # Two concurrent refreshes of one day would both insert it: take turns.
        session.execute(sa.select(sa.func.pg_advisory_xact_lock(ROLLUP_LOCK)))
    session.execute(
        sa.delete(summary).where(*_conditions(summary, organization_id, start, end))
    )
    sums = [sa.func.sum(pm.c[name]) for name in SUM_COLUMNS]
    grouped = (
        sa.select(pm.c.organization_id, pm.c.date, pm.c.platform, *sums)
        .where(*_conditions(pm, organization_id, start, end))
        .group_by(pm.c.organization_id, pm.c.date, pm.c.platform)
    )
    columns = ["organization_id", "date", "platform", *SUM_COLUMNS]
    insert = sa.insert(summary).from_select(columns, grouped)
    result = session.execute(insert.execution_options(preserve_rowcount=True))
    if organization_id is not None:
        invalidate_on_commit(session, organization_id)
    else:
        for org_id in session.scalars(sa.select(Organization.id)):
            invalidate_on_commit(session, org_id)
    return max(result.rowcount or 0, 0)


def refresh_loaded_days(session: Session, rows: list[dict]) -> int:
    """After loading performance_metrics ``rows`` (dicts with organization_id and date): refresh
    each touched organization over the span of days it received."""
    spans: dict[int, tuple[dt.date, dt.date]] = {}
    for row in rows:
        org, day = row["organization_id"], row["date"]
        low, high = spans.get(org, (day, day))
        spans[org] = (min(low, day), max(high, day))
    return sum(
        refresh_rollups(session, org, low, high) for org, (low, high) in spans.items()
    )


def note_metric_writes(session: Session, _flush_context) -> None:
    """after_flush: remember the (organization, day) of every ORM-written metrics row."""
    noted = session.info.setdefault(NOTED_KEY, set())
    for obj in (*session.new, *session.dirty, *session.deleted):
        if not isinstance(obj, PerformanceMetric):
            continue
        state = sa.inspect(obj)
        orgs = {obj.organization_id, *state.attrs.organization_id.history.deleted}
        days = {obj.date, *state.attrs.date.history.deleted}
        noted.update((org, day) for org in orgs for day in days if org and day)


def refresh_noted(session: Session) -> None:
    """before_commit: bring the rollup up to date for the days written through the ORM, in
    the same transaction (bulk loaders call refresh_rollups themselves)."""
    session.flush()  # before_commit runs before commit's own flush: note those rows too
    noted = session.info.pop(NOTED_KEY, None)
    if noted:
        refresh_loaded_days(
            session, [{"organization_id": org, "date": day} for org, day in noted]
        )
