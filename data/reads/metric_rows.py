"""The raw daily metric rows of an organization as CSV, streamed (PostgreSQL COPY, or chunks elsewhere)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import sqlalchemy as sa
from sqlalchemy.orm import Session

from data.csv_encoding import FORMULA_PREFIXES, MACHINE, CsvStyle, csv_chunks
from data.filters import DateRange
from data.models import PLATFORMS, CampaignDeployment, PerformanceMetric
from data.scope import Scope

METRIC_ROW_COLUMNS = [
    "date",
    "campaign_id",
    "campaign_name",
    "platform",
    "platform_deployment_id",
    "impressions",
    "clicks",
    "conversions",
    "spend",
    "revenue",
]
COPY_CHUNK_BYTES = 64 * 1024
pm = PerformanceMetric.__table__
campaigns = CampaignDeployment.__table__


def _neutralised(column):
    """Text a spreadsheet would run as a formula gets a leading apostrophe, in SQL."""
    starts = [sa.func.substr(column, 1, 1) == prefix for prefix in FORMULA_PREFIXES]
    return sa.case((sa.or_(*starts), sa.literal("'") + column), else_=column)


def _platform_column(style: CsvStyle):
    """The platform as the style words it ("TikTok"), in SQL: COPY writes what SELECT returns."""
    word = style.values.get("platform")
    if word is None:
        return pm.c.platform
    words = {platform: word(platform) for platform in PLATFORMS}
    return sa.case(words, value=pm.c.platform, else_=pm.c.platform).label("platform")


def metric_rows_statement(
    scope: Scope,
    rng: DateRange,
    platforms: tuple[str, ...] = (),
    style: CsvStyle = MACHINE,
):
    """SELECT of METRIC_ROW_COLUMNS for the organization and range, in date order."""
    stmt = (
        sa.select(
            pm.c.date,
            pm.c.campaign_id,
            _neutralised(campaigns.c.name).label("campaign_name"),
            _platform_column(style),
            pm.c.platform_deployment_id,
            pm.c.impressions,
            pm.c.clicks,
            pm.c.conversions,
            pm.c.spend,
            pm.c.revenue,
        )
        .join(campaigns, campaigns.c.id == pm.c.campaign_id)
        .where(
            pm.c.organization_id == scope.organization_id,
            pm.c.date.between(rng.start, rng.end),
        )
        .order_by(pm.c.date, pm.c.campaign_id, pm.c.platform_deployment_id)
    )
    if platforms:
        stmt = stmt.where(pm.c.platform.in_(platforms))
    return stmt


def metric_rows_csv(
    session: Session,
    scope: Scope,
    rng: DateRange,
    platforms: tuple[str, ...] = (),
    chunk_size: int = 10_000,
    style: CsvStyle = MACHINE,
) -> Iterator[bytes]:
    """UTF-8 CSV with a header, produced in chunks; memory stays bounded whatever the row count.
    ``style`` words the header and the platforms (data/csv_encoding.py CsvStyle)."""
    scope.require("analyst")
    stmt = metric_rows_statement(scope, rng, platforms, style)
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        # Every bound value is a validated int, date or enum: safe to inline for COPY.
        sql = str(
            stmt.compile(
                dialect=connection.dialect, compile_kwargs={"literal_binds": True}
            )
        )
        raw = connection.connection.dbapi_connection
        with (
            raw.cursor() as cursor,
            cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT csv)") as copy,
        ):
            # COPY hands over one row at a time: send ~64 KB writes, not a million tiny ones.
            header = style.header_line(METRIC_ROW_COLUMNS, line_end="\n")  # as COPY's
            buffer = bytearray(header.encode("utf-8"))
            for block in copy:
                buffer += block
                if len(buffer) >= COPY_CHUNK_BYTES:
                    yield bytes(buffer)
                    buffer.clear()
            if buffer:
                yield bytes(buffer)
        return
    import pandas as pd

    result = session.execute(stmt.execution_options(yield_per=chunk_size))
    frames = (
        pd.DataFrame(rows, columns=METRIC_ROW_COLUMNS) for rows in result.partitions()
    )
    worded = replace(style, values={})  # the statement worded the platforms already
    for text in csv_chunks(frames, METRIC_ROW_COLUMNS, worded):
        yield text.encode("utf-8")
