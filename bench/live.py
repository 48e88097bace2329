"""`python -m bench.live [--streams 1000] [--seconds 20] [--layouts gthread,split,gevent] [--writes 20] [--browser-writes 20]`

Idle /live/events streams beside normal requests, per gunicorn layout (issue 30):

- the overview's warm p95 (its KPI callback, answered from the whole-answer cache) at a fixed
  request rate with no stream open, then with ``--streams`` idle streams open, on the same server;
- whether every stream got its first bytes and is still open after the load, and how long one
  event takes to reach all of them;
- commit to screen across two instances: a write committed by another process (sharing Redis),
  the event arriving on a stream of instance B, and B's overview callback answering with the new
  number (what an open overview does), ``--writes`` times; and with ``--browser-writes``, a
  headless Chromium on B's overview until its revenue KPI shows the new number.

Layouts: ``gthread`` (2 workers, a thread per stream), ``gevent`` (2 workers, greenlets; gevent
from GEVENT_PATH, not the app's requirements), ``split`` (the app's usual 2x4 gthread, plus a
stream-only gunicorn that nginx would route /live/ to). Streams are held by one asyncio process,
the load by a few paced threads: the bench's own CPU is the same with and without streams.
Figures go to bench/results/live-<time>.json and are copied by hand into docs/BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import multiprocessing
import os
import re
import threading
import time
from decimal import Decimal

import sqlalchemy as sa

from bench.client import USER_AGENT, ensure_users, login_many, percentile
from bench.dataset import END_DATE, ensure_dataset
from bench.server import RESULTS, Server, app_environment

KPIS = [
    "overview-kpis.children",
    "overview-trend.figure",
    "overview-breakdown.figure",
    "overview-message.children",
    "overview-exports.children",
]
SESSIONS = 20  # signed-in users sharing the streams and the load
LOAD_THREADS = 4
LOAD_RPS = 40  # a fixed rate, below the per-user limit over SESSIONS users
INVALIDATION = re.compile(rb"id: (\d+)\nevent: invalidate\n")
GEVENT_PATH = os.environ.get("GEVENT_PATH", "/tmp/kiki-gevent")


def overview_payload(live_id=None) -> dict:
    start = (END_DATE - dt.timedelta(days=29)).isoformat()
    values = [
        ("overview-dates", "start_date", start),
        ("overview-dates", "end_date", END_DATE.isoformat()),
        ("overview-platforms", "value", []),
        ("overview-granularity", "value", "day"),
        ("overview-refresh-timer", "n_intervals", None),
        ("shell-live-data", "data", live_id),
        ("shell-theme", "data", "light"),
    ]
    return {
        "output": ".." + "...".join(KPIS) + "..",
        "outputs": [{"id": i.split(".")[0], "property": i.split(".")[1]} for i in KPIS],
        "inputs": [{"id": c, "property": p, "value": v} for c, p, v in values],
        "changedPropIds": ["shell-live-data.data"],
        "state": [],
    }


class Gunicorn(Server):
    """A bench Server with a worker class and thread count of its own."""

    def __init__(self, name, port, env, worker_class="gthread", threads=4):
        super().__init__(name, "app:create_server()", port, env)
        self.worker_class, self.threads = worker_class, threads

    def command(self) -> list[str]:
        extra = ["-k", self.worker_class, "--worker-connections", "2000"]
        command = super().command()
        command[command.index("--threads") + 1] = str(self.threads)
        return command[:-1] + extra + command[-1:]


# --- the streams: one asyncio process holding them all -------------------------------------------


async def _hold(port, cookies, count, conn):
    state = {"opened": 0, "failed": 0, "closed": 0, "arrivals": {}}
    limit = asyncio.Semaphore(50)

    async def one(index: int):
        cookie = cookies[index % len(cookies)]
        async with limit:
            try:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.write(
                    (
                        f"GET /live/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                        f"Cookie: {cookie}\r\nUser-Agent: {USER_AGENT}\r\n"
                        "Accept: text/event-stream\r\n\r\n"
                    ).encode()
                )
                await writer.drain()
                head = b""
                while b"retry:" not in head:
                    chunk = await asyncio.wait_for(reader.read(4096), 60)
                    if not chunk:
                        raise ConnectionError("closed before the first event")
                    head += chunk
                if b" 200 " not in head.split(b"\r\n", 1)[0]:
                    raise ConnectionError(head[:80])
            except Exception:  # noqa: BLE001 - counted
                state["failed"] += 1
                return
        state["opened"] += 1
        while True:
            chunk = await reader.read(65536)
            if not chunk:
                state["closed"] += 1
                return
            # Invalidations only (a "ready" carries the current id too). The body is chunked
            # (HTTP/1.1): the id is found inside the chunk, after its length line.
            for match in INVALIDATION.finditer(chunk):
                number = int(match.group(1))
                state["arrivals"].setdefault(number, []).append(time.time())

    tasks = [asyncio.create_task(one(i)) for i in range(count)]
    loop = asyncio.get_running_loop()
    while True:
        command = await loop.run_in_executor(None, conn.recv)
        if command == "stop":
            break
        conn.send(
            {k: v for k, v in state.items() if k != "arrivals"}
            | {
                "arrivals": {
                    n: (min(t), max(t), len(t)) for n, t in state["arrivals"].items()
                }
            }
        )
    for task in tasks:
        task.cancel()


def _holder(port, cookies, count, conn):
    asyncio.run(_hold(port, cookies, count, conn))


class Streams:
    """``count`` idle streams in a child process; ``stats()`` asks it what it sees."""

    def __init__(self, port: int, clients, count: int) -> None:
        cookies = ["; ".join(f"{k}={v}" for k, v in c.cookies.items()) for c in clients]
        self.conn, child = multiprocessing.Pipe()
        self.process = multiprocessing.Process(
            target=_holder, args=(port, cookies, count, child), daemon=True
        )
        self.count = count
        self.process.start()

    def stats(self) -> dict:
        self.conn.send("stats")
        return self.conn.recv()

    def wait_open(self, timeout: float = 180) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            stats = self.stats()
            if stats["opened"] + stats["failed"] >= self.count:
                return stats
            time.sleep(0.5)
        return self.stats()

    def stop(self) -> None:
        self.conn.send("stop")
        self.process.join(10)
        if self.process.is_alive():
            self.process.kill()


# --- the load --------------------------------------------------------------------------------------


def paced_load(clients, seconds: float, rps: float = LOAD_RPS) -> dict:
    """LOAD_THREADS threads sending the same warm overview request at ``rps`` in total."""
    payload = overview_payload()
    clients[0].callback(payload)  # computed once: the rest are warm
    samples, errors = [], []
    interval = LOAD_THREADS / rps

    def worker(turn: int):
        started = time.monotonic()
        n = 0
        while time.monotonic() - started < seconds:
            client = clients[(turn + n * LOAD_THREADS) % len(clients)]
            took, response = client.callback(payload)
            (samples if response.status_code == 200 else errors).append(
                took if response.status_code == 200 else response.status_code
            )
            n += 1
            pause = started + n * interval - time.monotonic()
            if pause > 0:
                time.sleep(pause)

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(LOAD_THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {
        "requests": len(samples),
        "errors": len(errors),
        "p50_ms": round(percentile(samples, 50) * 1000, 2),
        "p95_ms": round(percentile(samples, 95) * 1000, 2),
        "p99_ms": round(percentile(samples, 99) * 1000, 2),
    }


# --- writes from elsewhere -------------------------------------------------------------------------


def writer_app(env: dict):
    """The app in this process, on the bench database and Redis: another instance's writes."""
    from app import create_app

    keys = ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "KIKI_TODAY")
    overrides = {k: env[k] for k in keys} | {
        "KIKI_DEMO": False,
        "KIKI_ENCRYPTION_KEYS": [env["KIKI_ENCRYPTION_KEYS"]],
    }
    return create_app(overrides)


def add_revenue(app, organization_id: int) -> float:
    """One committed write through the write path; the time.time() right after the commit."""
    from data.db import get_database
    from data.models import PerformanceMetric
    from data.writes.transaction import write_transaction

    with app.server.app_context(), write_transaction(get_database()) as session:
        row = session.scalars(
            sa.select(PerformanceMetric)
            .where(
                PerformanceMetric.organization_id == organization_id,
                PerformanceMetric.date == END_DATE,
            )
            .limit(1)
        ).one()
        row.revenue = row.revenue + Decimal(1)
    return time.time()


def fan_out(app, organization_id: int, streams: Streams) -> dict:
    """One event to every open stream: seconds from the commit to the first and last arrival."""
    committed = add_revenue(app, organization_id)
    last_id = app.server.extensions["kiki_live"].last_id(organization_id)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        stats = streams.stats()
        arrival = stats["arrivals"].get(last_id)
        if arrival and arrival[2] >= stats["opened"] - stats["closed"]:
            return {
                "streams": arrival[2],
                "first_ms": round((arrival[0] - committed) * 1000, 1),
                "last_ms": round((arrival[1] - committed) * 1000, 1),
            }
        time.sleep(0.05)
    return {"timeout": True, "arrival": streams.stats()["arrivals"].get(last_id)}


def commit_to_screen(app, organization_id, reader_client, streams, writes: int) -> dict:
    """Commit on one instance, event on the other's stream, that instance's overview answer."""
    samples = []
    broker = app.server.extensions["kiki_live"]
    for _ in range(writes):
        committed = add_revenue(app, organization_id)
        event = broker.last_id(organization_id)
        deadline = time.monotonic() + 30
        while streams.stats()["arrivals"].get(event) is None:
            if time.monotonic() > deadline:
                raise RuntimeError(f"event {event} never reached instance B's stream")
            time.sleep(0.01)
        _took, response = reader_client.callback(overview_payload(event))
        assert response.status_code == 200, response.status_code
        samples.append(time.time() - committed)
        time.sleep(0.3)
    return {
        "writes": writes,
        "p50_ms": round(percentile(samples, 50) * 1000, 1),
        "p95_ms": round(percentile(samples, 95) * 1000, 1),
        "max_ms": round(max(samples) * 1000, 1),
    }


# --- the layouts -----------------------------------------------------------------------------------


def servers(layout: str, env: dict, port: int) -> tuple[Server, Server | None]:
    """(the app server, the stream server or None when the app serves the streams)."""
    if layout == "gthread":
        return Gunicorn("live-gthread", port, env, threads=1000), None
    if layout == "gevent":
        gevent_env = env | {"EXTRA_PYTHONPATH": GEVENT_PATH}
        return Gunicorn("live-gevent", port, gevent_env, "gevent", threads=1), None
    if layout == "split":
        return (
            Gunicorn("live-split-app", port, env, threads=4),
            Gunicorn("live-split-streams", port + 1, env, threads=1000),
        )
    raise ValueError(layout)


def measure_layout(layout, env, dataset, clients_emails, args, log) -> dict:
    app_server, stream_server = servers(layout, env, args.port)
    started = [app_server.start()]
    try:
        if stream_server is not None:
            started.append(stream_server.start())
        clients = login_many(app_server.url, clients_emails)
        result = {"layout": layout}
        paced_load(clients, 5)  # warm-up, not kept: pools, plans, the first answers
        log(f"[{layout}] load with no stream open")
        result["no_streams"] = paced_load(clients, args.seconds)
        streams = Streams((stream_server or app_server).port, clients, args.streams)
        result["opening"] = streams.wait_open()
        log(f"[{layout}] {result['opening']['opened']} streams open; load again")
        result["with_streams"] = paced_load(clients, args.seconds)
        result["after_load"] = streams.stats() | {"arrivals": None}
        result["fan_out"] = fan_out(args.writer, dataset.organization_id, streams)
        result["rss_mb"] = [round(m, 1) for m in app_server.worker_rss_mb()] + (
            [round(m, 1) for m in stream_server.worker_rss_mb()]
            if stream_server
            else []
        )
        streams.stop()
        time.sleep(1)
        # Again with none open: the machine is shared, so the baseline is taken on both sides.
        result["no_streams_after"] = paced_load(clients, args.seconds)
        baseline = max(
            result["no_streams"]["p95_ms"], result["no_streams_after"]["p95_ms"]
        )
        result["p95_ratio"] = round(result["with_streams"]["p95_ms"] / baseline, 2)
        result["p95_ratio_to_best_baseline"] = round(
            result["with_streams"]["p95_ms"]
            / min(result["no_streams"]["p95_ms"], result["no_streams_after"]["p95_ms"]),
            2,
        )
        log(f"[{layout}] {json.dumps(result)}")
        return result
    finally:
        for server in started:
            server.stop()


def measure_two_instances(env, dataset, emails, args, log) -> dict:
    """Instance A (the writer, in this process) and B (a gunicorn) share Redis."""
    server = Gunicorn("live-instance-b", args.port, env, threads=8)
    with server:
        clients = login_many(server.url, emails[:2])
        streams = Streams(server.port, clients, 5)
        streams.wait_open()
        result = commit_to_screen(
            args.writer, dataset.organization_id, clients[0], streams, args.writes
        )
        streams.stop()
    log(f"[two instances] {json.dumps(result)}")
    return result


def measure_browser(env, dataset, emails, args, log) -> dict:
    """A headless Chromium on instance B's overview; the write committed by this process (A).
    Seconds from the commit to the revenue KPI showing a new value in the page."""
    from bench.browser import make_driver, sign_in

    server = Gunicorn("live-browser-b", args.port, env, threads=8)
    samples = []
    with server:
        client = login_many(server.url, emails[:1])[0]
        driver = make_driver()
        try:
            sign_in(driver, server.url, client.cookies)
            driver.get(server.url + "/")
            deadline = time.monotonic() + 60
            ready = "return !!(window.kikiLive && kikiLive.state === 'open' && kikiLive.lastId !== null && document.getElementById('kpi-revenue-value'))"
            while not driver.execute_script(ready):
                if time.monotonic() > deadline:
                    raise RuntimeError("the overview never opened its stream")
                time.sleep(0.1)
            read = "return document.getElementById('kpi-revenue-value').innerText"
            for _ in range(args.browser_writes):
                shown = driver.execute_script(read)
                committed = add_revenue(args.writer, dataset.organization_id)
                while driver.execute_script(read) == shown:
                    if time.time() - committed > 10:
                        raise RuntimeError("the KPI never changed")
                    time.sleep(0.01)
                samples.append(time.time() - committed)
                time.sleep(1.5)  # a quiet second: each write is the first of its second
        finally:
            driver.quit()
    result = {
        "writes": len(samples),
        "p50_ms": round(percentile(samples, 50) * 1000, 1),
        "p95_ms": round(percentile(samples, 95) * 1000, 1),
        "max_ms": round(max(samples) * 1000, 1),
    }
    log(f"[browser on instance B] {json.dumps(result)}")
    return result


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.live", description=__doc__)
    parser.add_argument("--streams", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--layouts", default="gthread,split,gevent")
    parser.add_argument("--writes", type=int, default=20)
    parser.add_argument("--browser-writes", type=int, default=0)
    parser.add_argument("--scale", default="tiny")
    parser.add_argument("--port", type=int, default=8731)
    args = parser.parse_args(argv)

    def log(message: str) -> None:
        print(f"{time.strftime('%H:%M:%S')} {message}", flush=True)

    dataset = ensure_dataset(args.scale, log=log)
    emails = ensure_users(dataset.url, dataset.organization_id, SESSIONS)
    env = app_environment(dataset.url, END_DATE.isoformat())
    args.writer = writer_app(env)
    results = {
        "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "streams": args.streams,
        "load_rps": LOAD_RPS,
        "seconds": args.seconds,
        "scale": args.scale,
        "layouts": [],
    }
    for layout in filter(None, args.layouts.split(",")):
        results["layouts"].append(
            measure_layout(layout, env, dataset, emails, args, log)
        )
    if args.writes:
        results["two_instances"] = measure_two_instances(
            env, dataset, emails, args, log
        )
    if args.browser_writes:
        results["browser"] = measure_browser(env, dataset, emails, args, log)
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"live-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(results, indent=2))
    log(f"written {path}")


if __name__ == "__main__":
    main()
