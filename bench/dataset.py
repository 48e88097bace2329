"""Bench databases: one persistent PostgreSQL database per scale, generated once and reused."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

import sqlalchemy as sa

from data.ops.demo import bulk_load_metrics
from data.ops.migrate import upgrade_to_head

ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
END_DATE = dt.date(2026, 11, 1)  # the app's "today" during the bench (KIKI_TODAY)
DAYS = 365
PLATFORMS = 3
ORG_SLUG = "bench"
# scale name -> campaigns (x 365 days x 3 platforms = performance_metrics rows)
SCALES = {"1m": 1_000, "10m": 10_000, "tiny": 20}
USER_DOMAIN = "bench.test"
PASSWORD = "bench password: correct horse 42"


@dataclass(frozen=True)
class Dataset:
    scale: str
    url: str
    rows: int
    organization_id: int
    seconds_to_build: float | None  # None: reused


def database_url(scale: str) -> str:
    return ADMIN_URL.rsplit("/", 1)[0] + f"/kiki_bench_{scale}"


def expected_rows(scale: str) -> int:
    return SCALES[scale] * DAYS * PLATFORMS


def _admin(sql: str) -> None:
    engine = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(sql))
    engine.dispose()


def _state(url: str) -> tuple[int, int | None]:
    """(metric rows of the bench organization, its id) or (-1, None) when unusable."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            org_id = conn.scalar(
                sa.text("SELECT id FROM organizations WHERE slug = :s"), {"s": ORG_SLUG}
            )
            if org_id is None:
                return -1, None
            rows = conn.scalar(
                sa.text(
                    "SELECT count(*) FROM performance_metrics WHERE organization_id = :o"
                ),
                {"o": org_id},
            )
            rollup = conn.scalar(
                sa.text(
                    "SELECT count(*) FROM daily_revenue_summary WHERE organization_id = :o"
                ),
                {"o": org_id},
            )
            return (rows if rollup else -1), org_id
    except sa.exc.SQLAlchemyError:
        return -1, None
    finally:
        engine.dispose()


def ensure_dataset(scale: str, rebuild: bool = False, log=print) -> Dataset:
    """The scale's database, migrated and loaded; rebuilt when asked or when its count is off."""
    url, want = database_url(scale), expected_rows(scale)
    rows, org_id = (-1, None) if rebuild else _state(url)
    if rows == want:
        upgrade_to_head(
            url
        )  # a newer migration (e.g. an index) applies to old data too
        log(f"[data] reusing {url.rsplit('/', 1)[1]}: {rows:,} rows")
        return Dataset(scale, url, rows, org_id, None)
    log(f"[data] building {url.rsplit('/', 1)[1]}: {want:,} rows (takes a while)")
    name = url.rsplit("/", 1)[1]
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _admin(f'CREATE DATABASE "{name}"')
    started = time.perf_counter()
    upgrade_to_head(url)
    engine = sa.create_engine(url)
    count = bulk_load_metrics(
        engine,
        campaigns=SCALES[scale],
        days=DAYS,
        platforms_per_campaign=PLATFORMS,
        seed=7,
        organization_slug=ORG_SLUG,
        end_date=END_DATE,
    )
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("VACUUM ANALYZE"))  # visibility map: index-only scans work
    engine.dispose()
    seconds = time.perf_counter() - started
    rows, org_id = _state(url)
    if rows != want or count != want:
        raise RuntimeError(
            f"{name}: loaded {count:,} rows, found {rows:,}, wanted {want:,}"
        )
    log(f"[data] built {name} in {seconds:.0f} s")
    return Dataset(scale, url, rows, org_id, seconds)
