"""Bulk inserts for demo and benchmark data: executemany with returned ids, or PostgreSQL COPY."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import islice

import sqlalchemy as sa

from data.models import Base

BATCH_ROWS = 10_000
METRIC_COLUMNS = (
    *("organization_id", "campaign_id", "platform_deployment_id", "platform", "date"),
    *("impressions", "clicks", "conversions", "spend", "revenue"),
)


def insert_rows(conn: sa.Connection, table_name: str, rows: list[dict]) -> list[int]:
    """Insert ``rows`` into a table in one executemany; returns their ids, in order.

    Every row must have the same keys: executemany takes its columns from the first row.
    """
    if not rows:
        return []
    if any(row.keys() != rows[0].keys() for row in rows):
        raise ValueError(f"{table_name}: rows with different keys")
    table = Base.metadata.tables[table_name]
    stmt = sa.insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return list(conn.execute(stmt, rows).scalars())


def insert_metrics(conn: sa.Connection, rows: Iterable[tuple]) -> int:
    """executemany performance_metrics rows, BATCH_ROWS at a time; returns the count."""
    table = Base.metadata.tables["performance_metrics"]
    stmt, it, count = sa.insert(table), iter(rows), 0
    while batch := [dict(zip(METRIC_COLUMNS, r)) for r in islice(it, BATCH_ROWS)]:
        conn.execute(stmt, batch)
        count += len(batch)
    return count


def copy_metrics(conn: sa.Connection, rows: Iterable[tuple]) -> int:
    """COPY performance_metrics rows on PostgreSQL (psycopg 3); returns the count.

    Uses the raw DBAPI connection under ``conn``, so the load joins its transaction.
    """
    count, columns = 0, ", ".join(METRIC_COLUMNS)
    cursor = conn.connection.driver_connection.cursor()
    with (
        cursor,
        cursor.copy(f"COPY performance_metrics ({columns}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)
            count += 1
    return count
