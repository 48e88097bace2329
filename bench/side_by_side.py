"""The overview at 10M rows beside 1M: both apps up at once, their runs alternated.

The per-scale phases of a run measure each scale ~25 minutes apart on a shared machine, and their
cold p95 is the largest but one of 15 samples: on unchanged code their 10M / 1M ratios moved
between 0.93x and 2.1x from run to run. Here each round measures both scales back to back (which
goes first alternates), the cold samples of all rounds are pooled per scale, and a scale's warm
p95 is the median of its rounds' wrk runs. Each app has its own Redis database: both hold the
bench organization under the same id, so one cache would hand the 1M answers to the 10M app.
The warm rounds all come before the cold ones (see measure).
"""

from __future__ import annotations

import statistics
from contextlib import ExitStack

from bench import callbacks, flows
from bench.client import login_many, summary_ms
from bench.dataset import END_DATE, Dataset
from bench.scale import capture_requests
from bench.server import Server, app_environment

PORTS = {"1m": 18031, "10m": 18032}
REDIS_URLS = {
    scale: f"redis://127.0.0.1:6379/{n}" for scale, n in (("1m", 12), ("10m", 13))
}
ROUNDS = 3
COLD_PER_ROUND = 15  # 45 cold samples per scale and callback
SESSIONS = 8


def _apps(stack: ExitStack, datasets: dict[str, Dataset]) -> dict[str, Server]:
    apps = {}
    for scale, dataset in datasets.items():
        env = app_environment(dataset.url, END_DATE.isoformat())
        env["REDIS_URL"] = REDIS_URLS[scale]
        apps[scale] = stack.enter_context(
            Server(f"app-{scale}-paired", "app:create_server()", PORTS[scale], env)
        )
    return apps


def _requests(app: Server, cookies: dict) -> dict[str, dict]:
    """The overview's two data requests, as Chromium sends them (the same bodies fit both
    scales: same component ids, same dates)."""
    captured = capture_requests(
        app.url, cookies, {"overview": ("/", 2), "campaigns": ("/campaigns", 0)}
    )
    return {
        "overview": flows.overview_request(captured["overview"]["clicked"]),
        "overview top campaigns": flows.find(
            captured["overview"]["payloads"], flows.TOP_KEY
        ),
    }


def _rounds(apps: dict) -> list[tuple[int, list[str]]]:
    """(round number, scales in the order measured): the order alternates."""
    scales = list(apps)
    return [(n + 1, scales if n % 2 == 0 else scales[::-1]) for n in range(ROUNDS)]


def measure(
    datasets: dict[str, Dataset], emails: list[str], seconds: float, log
) -> dict:
    """{callback: {scale: {cold, warm_p95_ms, warm_runs}}} from ROUNDS alternated rounds."""
    with ExitStack() as stack:
        apps = _apps(stack, datasets)
        clients = {s: login_many(app.url, emails[:SESSIONS]) for s, app in apps.items()}
        first = next(iter(apps))
        payloads = _requests(apps[first], clients[first][0].cookies)
        cold = {name: {s: [] for s in apps} for name in payloads}
        warm = {name: {s: [] for s in apps} for name in payloads}
        # Warm rounds first: a warm run right after the 10M cold runs (fifteen 250 ms rankings)
        # came out slower than the same run without them (p95 19-21 against 14-16 ms).
        for n, order in _rounds(apps):
            log(f"[side by side] warm round {n} of {ROUNDS}: {' then '.join(order)}")
            for scale in order:
                sessions = [c.cookies for c in clients[scale]]
                for name, payload in payloads.items():
                    warm[name][scale].append(
                        callbacks.warm(apps[scale], sessions, [payload], seconds)
                    )
        for n, order in _rounds(apps):
            log(f"[side by side] cold round {n} of {ROUNDS}: {' then '.join(order)}")
            for scale in order:
                for name, payload in payloads.items():
                    cold[name][scale] += callbacks.cold_samples(
                        clients[scale][0], payload, COLD_PER_ROUND, REDIS_URLS[scale]
                    )
    return {
        name: {
            scale: {
                "cold": summary_ms(cold[name][scale]),
                "warm_p95_ms": statistics.median(
                    r["p95_ms"] for r in warm[name][scale]
                ),
                "warm_runs": [
                    {k: r.get(k) for k in ("rps", "p50_ms", "p95_ms", "balanced")}
                    for r in warm[name][scale]
                ],
            }
            for scale in datasets
        }
        for name in payloads
    }
