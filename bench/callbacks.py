"""Callback figures: cold (empty cache, one at a time), warm (wrk), CPU per request, SQL floor."""

from __future__ import annotations

import json
import statistics
import time

import psycopg
import redis
import requests
import sqlalchemy as sa

from bench import wrk
from bench.client import USER_AGENT, Client, summary_ms
from bench.server import REDIS_URL, Server
from data.db import make_engine

NOOP_APP = {  # the app's cheapest callback (no database, no cache): its per-request floor
    "output": "..overview-refresh-timer.disabled...overview-refresh-timer.interval..",
    "outputs": [
        {"id": "overview-refresh-timer", "property": "disabled"},
        {"id": "overview-refresh-timer", "property": "interval"},
    ],
    "inputs": [
        {"id": "overview-refresh", "property": "value", "value": 30},
        {"id": "shell-live-status", "property": "data", "value": None},
    ],
    "changedPropIds": ["overview-refresh.value"],
    "state": [],
}
NOOP_FLOOR = {
    "output": "..floor-timer.disabled...floor-timer.interval..",
    "outputs": [
        {"id": "floor-timer", "property": "disabled"},
        {"id": "floor-timer", "property": "interval"},
    ],
    "inputs": [{"id": "floor-refresh", "property": "value", "value": 30}],
    "changedPropIds": ["floor-refresh.value"],
    "state": [],
}


BALANCE_TRIES = 6
BALANCED_SHARE = (
    0.5  # the least busy worker did at least half of the busiest one's work
)


def flush_cache(redis_url: str = REDIS_URL) -> None:
    """Empty the app's Redis database: the next read of every callback misses."""
    redis.Redis.from_url(redis_url).flushdb()


def cold_samples(
    client: Client, payload: dict, repeats: int, redis_url: str = REDIS_URL
) -> list[float]:
    """Seconds per request with an empty cache: flush, then one request at a time."""
    samples = []
    for _ in range(repeats):
        flush_cache(redis_url)
        seconds, response = client.callback(payload)
        if response.status_code not in (200, 204):
            raise RuntimeError(f"cold {payload['output'][:60]}: {response.status_code}")
        samples.append(seconds)
    return samples


def cold(client: Client, payload: dict, repeats: int) -> dict:
    """Latency with an empty cache (p50/p95/mean of ``cold_samples``)."""
    return summary_ms(cold_samples(client, payload, repeats))


def warm(
    server: Server,
    sessions: list[dict],
    payloads: list[dict],
    seconds: float,
    connections: int = 8,
) -> dict:
    """wrk at ``connections`` concurrent requests after one priming pass; adds CPU per request.

    wrk keeps its connections open, and a gunicorn worker accepts every connection it sees: in
    about half the runs one worker took all eight and the other idled, which halved req/s and
    raised CPU per request (GIL contention), for the floor and the app alike. So a run counts
    only when every worker did at least BALANCED_SHARE of the busiest one's work; it is retried
    up to BALANCE_TRIES times, and the result says how many runs were discarded.
    """
    _prime(server.url, sessions, payloads)  # one answer each computed and cached first
    wrk.run(server.url, sessions, payloads, 1)  # warm connection pools
    for attempt in range(BALANCE_TRIES):
        cpu_before, workers_before = server.cpu_seconds(), server.worker_cpu()
        result = wrk.run(server.url, sessions, payloads, seconds, connections)
        cpu = server.cpu_seconds() - cpu_before
        spent = [
            t - workers_before.get(pid, 0.0) for pid, t in server.worker_cpu().items()
        ]
        balanced = min(spent, default=0.0) >= BALANCED_SHARE * max(spent, default=0.0)
        if balanced:
            break
    result["cpu_ms_per_request"] = round(1000 * cpu / max(result["requests"], 1), 2)
    result["unbalanced_runs_discarded"] = attempt
    result["balanced"] = (
        balanced  # False: every try was unbalanced, the last one is kept
    )
    result["worker_cpu_s"] = [round(t, 2) for t in spent]
    return result


def check_stateless_replay(base_url: str, cookies: dict) -> None:
    """wrk and locust replay a session's cookies and never store what an answer sets: the app's
    no-op must then answer without a new session cookie, as it does for a browser, or every
    replayed request would pay for re-signing the session (the figures would not be a browser's).
    """
    response = requests.post(
        base_url + "/_dash-update-component",
        data=json.dumps(NOOP_APP),
        headers={
            "X-CSRFToken": cookies.get("_csrf_token", ""),
            "Content-Type": "application/json",
            "Origin": base_url,
            "User-Agent": USER_AGENT,
        },
        cookies=cookies,
        timeout=30,
    )
    if response.status_code != 200 or "set-cookie" in response.headers:
        raise RuntimeError(
            f"a replayed no-op answered {response.status_code} with "
            f"Set-Cookie {response.headers.get('set-cookie', '')[:40]!r}: "
            "its figures would include re-signing the session"
        )


def _prime(base_url: str, sessions: list[dict], payloads: list[dict]) -> None:
    cookies = sessions[0] if sessions else {}
    headers = {
        "X-CSRFToken": cookies.get("_csrf_token", ""),
        "Content-Type": "application/json",
        "Origin": base_url,
        "User-Agent": USER_AGENT,
        "Accept-Encoding": "gzip",  # wrk sends none: prime the plain answer too
    }
    for payload in payloads:
        for encoding in ("gzip", ""):
            requests.post(
                base_url + "/_dash-update-component",
                data=json.dumps(payload),
                headers={**headers, "Accept-Encoding": encoding},
                cookies=cookies,
                timeout=120,
            )


def serial(client: Client, payload: dict, repeats: int) -> dict:
    """Unloaded latency: one request at a time (the cache as it is)."""
    samples = []
    for _ in range(repeats):
        seconds, response = client.callback(payload)
        if response.status_code not in (200, 204):
            raise RuntimeError(f"{payload['output'][:60]}: {response.status_code}")
        samples.append(seconds)
    return summary_ms(samples)


class StatementRecorder:
    """Records the SQL an in-process app runs for one request (statement, parameters)."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine, self.statements, self.on = engine, [], False
        sa.event.listen(engine, "before_cursor_execute", self._record)

    def _record(self, _conn, _cursor, statement, parameters, _context, _many):
        if self.on:
            self.statements.append((statement, parameters))

    def capture(self, call) -> list[tuple[str, object]]:
        self.statements, self.on = [], True
        try:
            call()
        finally:
            self.on = False
        # The signed-in user (and their organization's name) is the session's cost.
        return [
            (s, p)
            for s, p in self.statements
            if "FROM users" not in s and not s.startswith("SELECT organizations.id,")
        ]


def sql_floor(database_url: str, statements: list, repeats: int = 9) -> dict:
    """Median time to run ``statements`` back to back on one raw psycopg connection, opened
    with the app's own connection settings (make_engine: jit=off): the same plans the app
    gets, so the floor is neither a JIT compile slower nor faster than what the app runs."""
    engine = make_engine(database_url, pool_size=1)
    raw = engine.raw_connection()
    conn: psycopg.Connection = raw.driver_connection
    conn.rollback()  # whatever the pool's checkout began
    conn.autocommit = True
    totals = []
    try:
        for _ in range(repeats + 1):
            started = time.perf_counter()
            for statement, parameters in statements:
                with conn.cursor() as cursor:
                    cursor.execute(statement, parameters or None)
                    if cursor.description:
                        cursor.fetchall()
            totals.append(time.perf_counter() - started)
    finally:
        raw.close()
        engine.dispose()
    totals = totals[1:]  # the first run warms the connection and the plan cache
    return {
        "statements": len(statements),
        "p50_ms": round(statistics.median(totals) * 1000, 2),
        "min_ms": round(min(totals) * 1000, 2),
    }
