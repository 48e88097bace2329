"""CSV export of ~1M rows through the app's route, beside COPY of the same rows, with peak memory."""

from __future__ import annotations

import datetime as dt
import threading
import time

import psycopg

from bench.client import Client
from bench.server import Server
from data.filters import DateRange
from data.reads.metric_rows import metric_rows_statement
from data.scope import Scope

TARGET_ROWS = 1_000_000


def export_range(end: dt.date, rows_per_day: int) -> DateRange:
    """The days ending ``end`` that hold about TARGET_ROWS rows (at most a year)."""
    days = min(365, max(1, round(TARGET_ROWS / rows_per_day)))
    return DateRange(end - dt.timedelta(days=days - 1), end)


def copy_seconds(
    database_url: str, organization_id: int, rng: DateRange
) -> tuple[float, int]:
    """COPY (the route's own SELECT) TO STDOUT (FORMAT csv, HEADER), read to the end."""
    stmt = metric_rows_statement(Scope(organization_id, "analyst", 0), rng)
    dsn = database_url.replace("postgresql+psycopg://", "postgresql://")
    from sqlalchemy.dialects import postgresql

    sql = str(
        stmt.compile(
            dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}
        )
    )
    size = 0
    with psycopg.connect(dsn) as conn, conn.cursor() as cursor:
        started = time.perf_counter()
        with cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT csv, HEADER)") as copy:
            for block in copy:
                size += len(block)
        return time.perf_counter() - started, size


def route_export(server: Server, client: Client, rng: DateRange) -> dict:
    """Stream the route's CSV to nowhere while sampling the workers' memory every 20 ms."""
    before = {
        pid: rss for pid, rss in zip(server.worker_pids(), server.worker_rss_mb())
    }
    peak = dict(before)
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            for pid, rss in zip(server.worker_pids(), server.worker_rss_mb()):
                peak[pid] = max(peak.get(pid, 0.0), rss)
            stop.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    url = f"{client.base}/export/metrics/daily.csv?start={rng.start}&end={rng.end}"
    size, lines = 0, 0
    started = time.perf_counter()
    with client.http.get(url, stream=True, timeout=600) as response:
        if response.status_code != 200:
            stop.set()
            raise RuntimeError(f"export: HTTP {response.status_code}")
        for chunk in response.iter_content(1 << 16):
            size += len(chunk)
            lines += chunk.count(b"\n")
    seconds = time.perf_counter() - started
    stop.set()
    sampler.join()
    growth = max((peak[pid] - before.get(pid, peak[pid]) for pid in peak), default=0.0)
    return {
        "seconds": round(seconds, 2),
        "bytes": size,
        "rows": lines - 1,
        "peak_growth_mb": round(growth, 1),
    }


def measure_export(
    server: Server,
    client: Client,
    database_url: str,
    organization_id: int,
    rng: DateRange,
) -> dict:
    """Route then COPY, twice each alternating; the faster of each (noise only adds time)."""
    routes, copies = [], []
    for _ in range(2):
        routes.append(route_export(server, client, rng))
        copies.append(copy_seconds(database_url, organization_id, rng))
    best = min(routes, key=lambda r: r["seconds"])
    copy_s, copy_bytes = min(copies)
    return {
        **best,
        "range": [rng.start.isoformat(), rng.end.isoformat()],
        "peak_growth_mb": max(r["peak_growth_mb"] for r in routes),
        "copy_seconds": round(copy_s, 2),
        "copy_bytes": copy_bytes,
        "ratio": round(best["seconds"] / copy_s, 2),
    }
