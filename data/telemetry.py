"""Prometheus instruments: request and callback latency, cache results, rate limits, DB pool.

Under gunicorn set PROMETHEUS_MULTIPROC_DIR in the environment before start: every worker then
writes its samples there and /metrics sums them (see deploy/gunicorn.conf.py).
"""

from __future__ import annotations

import os
import time

import sqlalchemy as sa
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)

REQUEST_SECONDS = Histogram(
    "kiki_request_seconds",
    "HTTP request latency by route template, method and status class.",
    ["route", "method", "status"],
    buckets=LATENCY_BUCKETS,
)
CALLBACK_SECONDS = Histogram(
    "kiki_callback_seconds",
    "Dash callback latency by output id.",
    ["output"],
    buckets=LATENCY_BUCKETS,
)
CACHE_READS = Counter(
    "kiki_cache_reads_total",
    "Cached repository reads by result (hit, miss, error, bypass); "
    "hit ratio = hit / (hit + miss).",
    ["read", "result"],
)
RATE_LIMITED = Counter(
    "kiki_rate_limited_total",
    "Requests refused by a rate limit (HTTP 429), by route template.",
    ["route"],
)
DB_POOL = Gauge(
    "kiki_db_pool_connections",
    "Database pool connections by engine (primary, replica-N) and state.",
    ["engine", "state"],
    multiprocess_mode="livesum",
)

REPLICA_LAG = Gauge(
    "kiki_replica_lag_seconds",
    "Replication lag of each read replica (replica-N) as measured at the last scrape: seconds "
    "since the last replayed transaction, 0 when it has replayed all it received; NaN when "
    "unreachable or not a standby.",
    ["replica"],
    multiprocess_mode="livemostrecent",
)
REPLICA_UP = Gauge(
    "kiki_replica_up",
    "1 when the read replica answered at the last scrape, else 0.",
    ["replica"],
    multiprocess_mode="livemostrecent",
)

READY = Gauge(
    "kiki_ready",
    "1 when this instance's /readyz checks pass at the scrape (database, and Redis when "
    "configured), else 0.",
    multiprocess_mode="livemostrecent",
)
JOB_NEXT_RUN = Gauge(
    "kiki_scheduler_job_next_run_timestamp_seconds",
    "When each scheduler job (scheduled_jobs) is next due, Unix seconds; lag = time() - this.",
    ["scheduled_job"],
    multiprocess_mode="livemostrecent",
)
JOB_LAST_FINISHED = Gauge(
    "kiki_scheduler_job_last_finished_timestamp_seconds",
    "When each scheduler job last finished a run, Unix seconds; 0 = never.",
    ["scheduled_job"],
    multiprocess_mode="livemostrecent",
)
JOB_LAST_FAILED = Gauge(
    "kiki_scheduler_job_last_failed",
    "1 when the job's last run ended in an exception (last_outcome 'error: ...'), else 0.",
    ["scheduled_job"],
    multiprocess_mode="livemostrecent",
)
OUTBOX_UNDELIVERED = Gauge(
    "kiki_outbox_undelivered",
    "Undelivered outbox rows (e-mail, webhooks, ...) by kind and state: pending (never "
    "tried), retrying (failed, due again after a backoff), failed (attempts used up).",
    ["kind", "state"],
    multiprocess_mode="livemostrecent",
)
BACKUP_LAST_SUCCESS = Gauge(
    "kiki_backup_last_success_timestamp_seconds",
    "The newest complete backup in KIKI_BACKUP_DIR as this instance sees it, Unix seconds; "
    "0 when there is none.",
    multiprocess_mode="livemostrecent",
)
OUTBOX_STATES = ("pending", "retrying", "failed")


def cache_result(read: str, result: str) -> None:
    CACHE_READS.labels(read, result).inc()


def observe_request(route: str, method: str, status: int, seconds: float) -> None:
    REQUEST_SECONDS.labels(route, method, f"{status // 100}xx").observe(seconds)
    if status == 429:
        RATE_LIMITED.labels(route).inc()


def observe_callback(output: str, seconds: float) -> None:
    CALLBACK_SECONDS.labels(output).observe(seconds)


POOL_SAMPLE_SECONDS = 1.0
_pools_sampled_at = 0.0


def observe_pools(engines: dict[str, sa.Engine]) -> None:
    """Sample the pools' gauges at most once a second per process, not on every request."""
    global _pools_sampled_at
    now = time.monotonic()
    if now - _pools_sampled_at < POOL_SAMPLE_SECONDS:
        return
    _pools_sampled_at = now
    for name, engine in engines.items():
        observe_pool(name, engine)


def observe_replicas(status: dict[str, dict]) -> None:
    """The replicas' lag and reachability (data/db.py Database.replica_status) into gauges."""
    for name, entry in status.items():
        lag = entry.get("lag_seconds")
        REPLICA_UP.labels(name).set(1 if entry.get("status") == "ok" else 0)
        REPLICA_LAG.labels(name).set(float("nan") if lag is None else lag)


def observe_ready(ready: bool) -> None:
    READY.set(1 if ready else 0)


def observe_scheduler(jobs: dict[str, dict]) -> None:
    """data/ops/oncall_facts.py scheduler_jobs into the job gauges."""
    for name, job in jobs.items():
        JOB_NEXT_RUN.labels(name).set(job["next_run"])
        JOB_LAST_FINISHED.labels(name).set(job["last_finished"])
        JOB_LAST_FAILED.labels(name).set(job["last_failed"])


def observe_outbox(counts: dict[tuple[str, str], int]) -> None:
    """Undelivered rows by (kind, state); every state of a kind seen is set, zeros included,
    so a count that drops to nothing reads 0 instead of keeping its last value."""
    for kind in {kind for kind, _ in counts} | _outbox_kinds:
        for state in OUTBOX_STATES:
            OUTBOX_UNDELIVERED.labels(kind, state).set(counts.get((kind, state), 0))
    _outbox_kinds.update(kind for kind, _ in counts)


_outbox_kinds: set[str] = set()


def observe_backup(newest: float) -> None:
    BACKUP_LAST_SUCCESS.set(newest)


def observe_pool(name: str, engine: sa.Engine) -> None:
    """Record how many of the engine's pooled connections are in use, idle and overflowing."""
    pool = engine.pool
    for state, method in (
        ("checked_out", "checkedout"),
        ("idle", "checkedin"),
        ("overflow", "overflow"),
    ):
        read = getattr(pool, method, None)
        if read is not None:
            DB_POOL.labels(name, state).set(max(int(read()), 0))


def exposition() -> tuple[bytes, str]:
    """The text exposition of every metric: summed over workers in multiprocess mode."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
