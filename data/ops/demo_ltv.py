"""The demo's cohort value curves (ltv_cohort_values): what a prediction model would cache per
campaign and monthly acquisition cohort, flattening with the months since acquisition."""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import Counter
from collections.abc import Iterable, Iterator

from data.ops.demo_world import mean_cpa, money, timestamp


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def months_between(first: dt.date, last: dt.date) -> int:
    """Whole calendar months from ``first``'s month to ``last``'s month (0 for the same month)."""
    return (last.year - first.year) * 12 + last.month - first.month


def tally_conversions(rows: Iterable[tuple], counts: Counter) -> Iterator[tuple]:
    """Pass performance_metrics rows (demo_world.metric_row tuples) through, counting their
    conversions per (campaign id, month) into ``counts``: the cohorts' sizes."""
    for row in rows:
        counts[row[1], month_start(row[4])] += row[7]
        yield row


def cohort_value_rows(
    plans: list[dict],
    conversions: Counter,
    end: dt.date,
    seed: int,
    predicted: dict[int, float],
) -> list[dict]:
    """ltv_cohort_values for every campaign month with customers: months_since 0 up to the
    month of ``end`` (a cohort acquired this month has one value). The value per customer
    approaches the campaign's long-run value v (its newest ``predicted`` LTV when it has one) as v·(1 − e^(−(k+0.3)/τ)), τ of 3-8 months per
    campaign, each cohort ±15 %; a function of ``seed`` and the plans alone (its own generator,
    so the rest of the demo is unchanged)."""
    rows = []
    for p in plans:
        campaign_id = p["row"]["id"]
        rng = random.Random(f"{seed}-ltv-{p['row']['name']}")
        long_run = mean_cpa(p) * max(p["roas"], 0.3) * rng.uniform(1.1, 2.4)
        long_run = predicted.get(campaign_id, long_run)
        tau = rng.uniform(3.0, 8.0)
        cohorts = sorted(
            m for (c, m), n in conversions.items() if c == campaign_id and n
        )
        for cohort in cohorts:
            level, value = long_run * rng.uniform(0.85, 1.15), 0.0
            for k in range(months_between(cohort, end) + 1):
                value = max(value, level * (1 - math.exp(-(k + 0.3) / tau)))
                rows.append(
                    {
                        "organization_id": p["row"]["organization_id"],
                        "campaign_id": campaign_id,
                        "cohort_month": cohort,
                        "months_since": k,
                        "customers": conversions[campaign_id, cohort],
                        "cumulative_value_per_customer": money(value),
                        "computed_at": timestamp(end, 6),
                    }
                )
    return rows
