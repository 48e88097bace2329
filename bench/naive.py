"""The naive baseline (what the prototype did): read the raw rows into pandas, group there.

Run as a fresh process (`python -m bench.naive URL ORG_ID START END`) that first builds the app
like a gunicorn worker does, so its memory figures compare with a worker's. Prints JSON.
"""

from __future__ import annotations

import datetime as dt
import json
import resource
import sys
import time
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

RAW_ROWS = """
SELECT pm.date, pm.platform, pm.campaign_id, c.name, c.status, pm.impressions, pm.clicks,
       pm.conversions, pm.spend, pm.revenue
FROM performance_metrics pm JOIN campaign_deployments c ON c.id = pm.campaign_id
WHERE pm.organization_id = :org
"""
SUMS = ["impressions", "clicks", "conversions", "spend", "revenue"]


def naive_overview(engine: sa.Engine, org: int, start: dt.date, end: dt.date) -> dict:
    """KPIs (current and previous period), daily trend, platforms, top 5: all in pandas."""
    with engine.connect() as conn:
        rows = pd.read_sql(sa.text(RAW_ROWS), conn, params={"org": org})
    rows["date"] = pd.to_datetime(rows["date"])
    days = (end - start).days + 1
    previous_start = start - dt.timedelta(days=days)
    current = rows[(rows["date"] >= str(start)) & (rows["date"] <= str(end))]
    previous = rows[(rows["date"] >= str(previous_start)) & (rows["date"] < str(start))]
    kpis = {
        name: frame[SUMS].sum()
        for name, frame in (("cur", current), ("prev", previous))
    }
    trend = current.groupby("date")[SUMS].sum()
    platforms = current.groupby("platform")[SUMS].sum()
    top = current.groupby(["campaign_id", "name"])[SUMS].sum().nlargest(5, "revenue")
    return {
        "rows_read": len(rows),
        "revenue": str(kpis["cur"]["revenue"]),
        "trend_days": len(trend),
        "platforms": len(platforms),
        "top": len(top),
        "active": int(
            (rows.drop_duplicates("campaign_id")["status"] == "active").sum()
        ),
    }


def _rss_mb() -> float:
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * resource.getpagesize() / 2**20


def main(argv: list[str]) -> None:
    url, org = argv[0], int(argv[1])
    start, end = dt.date.fromisoformat(argv[2]), dt.date.fromisoformat(argv[3])
    from bench.sqlcapture import worker_like_app

    worker_like_app(url, argv[3])  # the same imports and app a gunicorn worker holds
    engine = sa.create_engine(url)
    baseline = _rss_mb()
    timings, answer = [], None
    for _ in range(3):
        started = time.perf_counter()
        answer = naive_overview(engine, org, start, end)
        timings.append(time.perf_counter() - started)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "seconds": sorted(timings)[1],
                "baseline_rss_mb": round(baseline, 1),
                "peak_rss_mb": round(peak, 1),
                "answer": answer,
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1:])
