"""Metrics ingestion: daily rows of platform deployments, validated row by row and upserted in the
caller's transaction, all or nothing.

A row names its deployment by ``platform_deployment_id`` or ``external_id`` (the ad platform's
own id), a ``date`` and the day's impressions, clicks, conversions, spend and revenue. A row
for a (deployment, day) already stored replaces it: ad platforms revise the last ~28 days. Every
refusal names its row and field; one refused row refuses the batch (``IngestRefused``), and
nothing is written. A batch that passes refreshes the daily rollup for the days it touched
(cached reads and open dashboards follow the commit), makes the organization's alert rules due,
and writes one audit row.

The API (``POST /api/v1/metrics``) sends one batch per request; the CLI (``flask import-metrics``)
streams a file in batches inside one transaction (``MetricsImport``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session

from data.alerts.due import mark_rules_due
from data.errors import Invalid
from data.models import PerformanceMetric, PlatformDeployment
from data.ops.rollups import refresh_rollups
from data.scope import Scope
from data.writes.audit import record_event

MAX_BATCH = 10_000
MAX_REPORTED = 100  # errors listed in an answer; the total is always given
COUNT_FIELDS = ("impressions", "clicks", "conversions")
MONEY_FIELDS = ("spend", "revenue")
ROW_FIELDS = (
    "platform_deployment_id", "external_id", "date", *COUNT_FIELDS, *MONEY_FIELDS,
)  # fmt: skip
MAX_COUNT = 2**63 - 1
MAX_MONEY = Decimal("999999999999.99")  # Numeric(14, 2)
EARLIEST = dt.date(2000, 1, 1)
_MONEY = re.compile(r"[0-9]{1,12}(\.[0-9]{1,2})?")
_COUNT = re.compile(r"[0-9]{1,19}")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
UNKNOWN = "No such deployment in your organization."
pm = PerformanceMetric.__table__


@dataclass(frozen=True)
class RowError:
    row: int  # 0-based in an API batch; the file's line number in an import
    field: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "field": self.field, "message": self.message}


class IngestRefused(Invalid):
    """At least one row was refused: ``errors`` (the first MAX_REPORTED) and ``total``."""

    def __init__(self, errors: list[RowError], total: int) -> None:
        first = errors[0]
        super().__init__(
            f"{total} row error(s); nothing was written. "
            f"First: row {first.row}, {first.field}: {first.message}"
        )
        self.errors = errors[:MAX_REPORTED]
        self.total = total


@dataclass
class IngestSummary:
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    first_date: dt.date | None = None
    last_date: dt.date | None = None
    days: set = field(default_factory=set)

    def add(self, other: IngestSummary) -> None:
        self.rows += other.rows
        self.inserted += other.inserted
        self.updated += other.updated
        self.days |= other.days
        dates = [d for d in (self.first_date, other.first_date) if d]
        self.first_date = min(dates) if dates else None
        dates = [d for d in (self.last_date, other.last_date) if d]
        self.last_date = max(dates) if dates else None

    def as_dict(self) -> dict:
        return {
            "rows": self.rows,
            "inserted": self.inserted,
            "updated": self.updated,
            "days": len(self.days),
            "first_date": self.first_date.isoformat() if self.first_date else None,
            "last_date": self.last_date.isoformat() if self.last_date else None,
        }


def _count(value) -> int:
    if isinstance(value, bool):
        raise ValueError("Enter a whole number of zero or more.")  # noqa: TRY004 - a message
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and _COUNT.fullmatch(value.strip()):
        number = int(value.strip())
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    else:
        raise ValueError("Enter a whole number of zero or more.")
    if not 0 <= number <= MAX_COUNT:
        raise ValueError("Enter a whole number of zero or more.")
    return number


def _money(value) -> Decimal:
    if isinstance(value, bool) or value is None:
        raise ValueError("Enter an amount of zero or more, e.g. 12.50.")
    text = repr(value) if isinstance(value, float) else str(value).strip()
    if isinstance(value, int | float | Decimal | str) and _MONEY.fullmatch(text):
        try:
            amount = Decimal(text)
        except InvalidOperation:
            amount = None
        if amount is not None and amount <= MAX_MONEY:
            return amount
    raise ValueError(
        "Enter an amount of zero or more with at most two decimals, e.g. 12.50."
    )


def _date(value, latest: dt.date) -> dt.date:
    if isinstance(value, dt.datetime) or not isinstance(value, str | dt.date):
        raise ValueError("Enter a date as YYYY-MM-DD.")  # noqa: TRY004 - a message
    if isinstance(value, str):
        if not _DATE.fullmatch(value.strip()):
            raise ValueError("Enter a date as YYYY-MM-DD.")
        try:
            value = dt.date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError("Enter a real date as YYYY-MM-DD.") from None
    if value > latest:
        raise ValueError(f"A day after {latest.isoformat()} has no numbers yet.")
    if value < EARLIEST:
        raise ValueError(f"Days before {EARLIEST.isoformat()} are not accepted.")
    return value


def _key(raw: dict):
    """("id", 12) or ("external", "meta-123"), or raises ValueError naming the problem."""
    number, external = raw.get("platform_deployment_id"), raw.get("external_id")
    if number not in (None, "") and external not in (None, ""):
        raise ValueError("Send platform_deployment_id or external_id, not both.")
    if number not in (None, ""):
        if isinstance(number, bool) or not (
            isinstance(number, int) or (isinstance(number, str) and number.isdigit())
        ):
            raise ValueError("A deployment id is a positive whole number.")
        if not 0 < int(number) <= MAX_COUNT:
            raise ValueError("A deployment id is a positive whole number.")
        return ("id", int(number))
    if isinstance(external, str) and 0 < len(external.strip()) <= 128:
        return ("external", external.strip())
    raise ValueError("Name the deployment: platform_deployment_id or external_id.")


def _deployments(session: Session, scope: Scope, keys: set) -> dict:
    """key -> (deployment id, campaign id, platform), only the organization's deployments."""
    ids = [value for kind, value in keys if kind == "id"]
    externals = [value for kind, value in keys if kind == "external"]
    found = {}
    d = PlatformDeployment
    columns = (d.id, d.external_id, d.campaign_id, d.platform)
    for kind, column, values in (
        ("id", d.id, ids),
        ("external", d.external_id, externals),
    ):
        for start in range(0, len(values), 1000):
            rows = session.execute(
                sa.select(*columns).where(
                    d.organization_id == scope.organization_id,
                    column.in_(values[start : start + 1000]),
                )
            ).all()
            for row in rows:
                key = (kind, row.id if kind == "id" else row.external_id)
                found[key] = (row.id, row.campaign_id, row.platform)
    return found


def parse_rows(
    session: Session,
    scope: Scope,
    raw_rows: list,
    *,
    first_row: int = 0,
    today: dt.date | None = None,
    seen: dict | None = None,
) -> tuple[list[dict], list[RowError]]:
    """The rows as performance_metrics values, and every refusal (row numbers from
    ``first_row``). ``seen`` carries (deployment, day) -> row across a file's batches."""
    latest = (today or dt.datetime.now(dt.UTC).date()) + dt.timedelta(days=1)
    seen = {} if seen is None else seen
    errors: list[RowError] = []
    keyed = []
    for index, raw in enumerate(raw_rows, start=first_row):
        if not isinstance(raw, dict):
            errors.append(RowError(index, "row", "Send each row as an object."))
            keyed.append(None)
            continue
        unknown = sorted(set(raw) - set(ROW_FIELDS))
        if unknown:
            errors.append(RowError(index, unknown[0], "Unknown field."))
        try:
            keyed.append(_key(raw))
        except ValueError as exc:
            errors.append(RowError(index, "platform_deployment_id", str(exc)))
            keyed.append(None)
    deployments = _deployments(session, scope, {k for k in keyed if k})
    values = []
    for index, (raw, key) in enumerate(
        zip(raw_rows, keyed, strict=True), start=first_row
    ):
        if key is None:
            continue
        found = deployments.get(key)
        if found is None:
            name = "platform_deployment_id" if key[0] == "id" else "external_id"
            errors.append(RowError(index, name, UNKNOWN))
        row, bad = {}, False
        try:
            row["date"] = _date(raw.get("date"), latest)
        except ValueError as exc:
            errors.append(RowError(index, "date", str(exc)))
            bad = True
        for name in COUNT_FIELDS:
            try:
                row[name] = _count(raw.get(name, 0))
            except ValueError as exc:
                errors.append(RowError(index, name, str(exc)))
                bad = True
        for name in MONEY_FIELDS:
            try:
                row[name] = _money(raw.get(name, 0))
            except ValueError as exc:
                errors.append(RowError(index, name, str(exc)))
                bad = True
        if found is None or bad:
            continue
        deployment_id, campaign_id, platform = found
        day_key = (deployment_id, row["date"])
        if day_key in seen:
            errors.append(
                RowError(
                    index,
                    "date",
                    f"The same deployment and day as row {seen[day_key]}.",
                )
            )
            continue
        seen[day_key] = index
        row.update(
            organization_id=scope.organization_id,
            campaign_id=campaign_id,
            platform_deployment_id=deployment_id,
            platform=platform,
        )
        values.append(row)
    errors.sort(key=lambda error: error.row)  # stable: a row's errors keep their order
    return values, errors


def _existing(session: Session, values: list[dict]) -> set:
    """The (deployment, day) pairs among ``values`` already stored."""
    if not values:
        return set()
    ids = sorted({v["platform_deployment_id"] for v in values})
    low, high = min(v["date"] for v in values), max(v["date"] for v in values)
    stored = set()
    for start in range(0, len(ids), 1000):
        stored |= {
            (row[0], row[1])
            for row in session.execute(
                sa.select(pm.c.platform_deployment_id, pm.c.date).where(
                    pm.c.platform_deployment_id.in_(ids[start : start + 1000]),
                    pm.c.date.between(low, high),
                )
            )
        }
    return stored


PG_COLUMNS = {  # column -> its array type
    "organization_id": "integer[]",
    "campaign_id": "integer[]",
    "platform_deployment_id": "integer[]",
    "platform": "varchar[]",
    "date": "date[]",
    "impressions": "bigint[]",
    "clicks": "bigint[]",
    "conversions": "bigint[]",
    "spend": "numeric[]",
    "revenue": "numeric[]",
}
# The number of rows inserted (not replaced): xmax is 0 on a row version no transaction has
# touched before, i.e. one this INSERT made rather than one its ON CONFLICT updated.
PG_UPSERT = sa.text(
    "WITH upserted AS ("
    f"INSERT INTO performance_metrics ({', '.join(PG_COLUMNS)}) "
    "SELECT * FROM unnest("
    + ", ".join(
        f"CAST(CAST(:{name} AS text) AS {kind})" for name, kind in PG_COLUMNS.items()
    )
    + ") ON CONFLICT (platform_deployment_id, date) DO UPDATE SET "
    + ", ".join(f"{name} = excluded.{name}" for name in (*COUNT_FIELDS, *MONEY_FIELDS))
    + " RETURNING (xmax = 0) AS inserted"
    + ") SELECT count(*) FILTER (WHERE inserted) FROM upserted"
)


def upsert_rows(session: Session, values: list[dict]) -> IngestSummary:
    """INSERT … ON CONFLICT (deployment, day) DO UPDATE: a revised day replaces the stored one."""
    summary = IngestSummary(rows=len(values))
    if not values:
        return summary
    if session.get_bind().dialect.name == "postgresql":
        # One statement over arrays: an executemany made one round trip a row (0.44 s of
        # 0.71 s for 10,000 rows in bench/ingest.py's profile). Each array goes as one array
        # literal: its elements are numbers, ISO dates and platform names (validated above),
        # none of which needs quoting; psycopg's per-element escaping cost 0.16 s a batch.
        summary.inserted = session.scalar(
            PG_UPSERT,
            {
                name: "{" + ",".join(str(v[name]) for v in values) + "}"
                for name in PG_COLUMNS
            },
        )
        summary.updated = summary.rows - summary.inserted
    else:
        stored = _existing(session, values)
        summary.updated = sum(
            (v["platform_deployment_id"], v["date"]) in stored for v in values
        )
        summary.inserted = summary.rows - summary.updated
        insert = sqlite.insert(pm)
        replace = {
            name: insert.excluded[name] for name in (*COUNT_FIELDS, *MONEY_FIELDS)
        }
        statement = insert.on_conflict_do_update(
            index_elements=[pm.c.platform_deployment_id, pm.c.date], set_=replace
        )
        session.execute(statement, values)
    dates = [v["date"] for v in values]
    summary.first_date, summary.last_date = min(dates), max(dates)
    summary.days = set(dates)
    return summary


def _finish(
    session: Session, scope: Scope, summary: IngestSummary, source: str, ip_address
) -> None:
    """The rollup over the touched days, the rules made due, the audit row."""
    if summary.rows:
        refresh_rollups(
            session, scope.organization_id, summary.first_date, summary.last_date
        )
        mark_rules_due(session, scope.organization_id)
    record_event(
        session,
        scope.actor(ip_address),
        "metrics_ingested",
        target_type="performance_metrics",
        details={"source": source, **summary.as_dict()},
    )


def ingest_metrics(
    session: Session,
    scope: Scope,
    raw_rows,
    *,
    source: str = "api",
    ip_address: str | None = None,
    today: dt.date | None = None,
) -> IngestSummary:
    """Validate and upsert one batch (at most MAX_BATCH rows) for the caller's organization
    (analyst or admin), in the caller's transaction. IngestRefused when any row is refused."""
    scope.require("analyst")
    if not isinstance(raw_rows, list) or not raw_rows:
        raise Invalid("Send rows: a list of 1 to 10,000 daily rows.")
    if len(raw_rows) > MAX_BATCH:
        raise Invalid(
            f"At most {MAX_BATCH:,} rows a batch (this one has {len(raw_rows):,})."
        )
    values, errors = parse_rows(session, scope, raw_rows, today=today)
    if errors:
        raise IngestRefused(errors, len(errors))
    summary = upsert_rows(session, values)
    _finish(session, scope, summary, source, ip_address)
    return summary


class MetricsImport:
    """A file's rows in batches, in one transaction: ``add(batch, first_line)`` for each, then
    ``finish()``. Errors are collected across batches (nothing is written once one is found);
    ``finish`` raises IngestRefused with them, or writes the rollup, the due rules and the audit
    row. Memory holds one batch and the (deployment, day) pairs seen."""

    def __init__(self, session: Session, scope: Scope, *, today=None, source="import"):
        scope.require("analyst")
        self.session, self.scope, self.today, self.source = (
            session,
            scope,
            today,
            source,
        )
        self.summary = IngestSummary()
        self.errors: list[RowError] = []
        self.error_total = 0
        self.seen: dict = {}

    def add(self, raw_rows: list[dict], first_row: int) -> None:
        values, errors = parse_rows(
            self.session, self.scope, raw_rows, first_row=first_row,
            today=self.today, seen=self.seen,
        )  # fmt: skip
        if errors:
            self.error_total += len(errors)
            self.errors.extend(errors[: MAX_REPORTED - len(self.errors)])
        if self.error_total:
            return  # refused already: validate the rest, write nothing more
        self.summary.add(upsert_rows(self.session, values))

    def finish(self, ip_address: str | None = None) -> IngestSummary:
        if self.error_total:
            raise IngestRefused(self.errors, self.error_total)
        _finish(self.session, self.scope, self.summary, self.source, ip_address)
        return self.summary


def batches(rows: Iterable[dict], size: int = MAX_BATCH):
    """(first index, list) of consecutive rows, ``size`` at a time."""
    batch, first = [], 0
    for index, row in enumerate(rows):
        if not batch:
            first = index
        batch.append(row)
        if len(batch) == size:
            yield first, batch
            batch = []
    if batch:
        yield first, batch
