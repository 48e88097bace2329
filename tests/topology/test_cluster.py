"""The whole topology at once (docs/TOPOLOGY.md): nginx over two app instances, PgBouncer over a
PostgreSQL primary and its streaming replica, Redis. Each test says what it counted; the fault
tests run last (file order) and put the cluster back with `up`.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import math
import os
import re
import signal
import subprocess
import threading
import time
import uuid
from pathlib import Path

import pytest
import redis
import requests

from data.db import REPLICA_LAG_SECONDS
from tests.topology.conftest import bring_up
from tests.topology.http import (
    UPSTREAM,
    Browser,
    analytics_rows_read,
    log_has,
    rows_read,
    sql,
    wait_for_analytics_reads,
)

pytestmark = pytest.mark.topology

_ranges = itertools.count(1)
# A backend that went idle reports its statistics within this long (PostgreSQL 15: at once when
# a second has passed since its last report, else after PGSTAT_IDLE_INTERVAL, 10 s).
STATS_FLUSH_SECONDS = 11.0
PACE_SECONDS = 0.05  # between one client's requests under load


def overview_values() -> dict:
    """The overview's inputs over a range no earlier request asked for: a cache miss, so the
    answer is read from the database, not from Redis."""
    n = next(_ranges)
    end = dt.date.today() - dt.timedelta(days=n % 40)
    start = end - dt.timedelta(days=30 + n // 40)
    return {
        "overview-dates.start_date": start.isoformat(),
        "overview-dates.end_date": end.isoformat(),
        "overview-platforms.value": [],
        "overview-granularity.value": "day",
        "shell-theme.data": "light",
    }


def signed_in(cluster, logins, org="acme", role="viewer") -> Browser:
    browser = Browser(cluster["nginx_url"])
    browser.sign_in(*logins[(org, role)])
    return browser


def instance_log(cluster, port: str) -> Path:
    number = cluster["app_urls"].index(f"http://{port}") + 1
    return Path(cluster["dir"]) / "logs" / f"app-{number}.log"


def test_up_is_ready_on_every_instance_and_through_nginx(cluster):
    for url in [*cluster["app_urls"], cluster["nginx_url"]]:
        answer = requests.get(f"{url}/readyz", timeout=10)
        assert answer.status_code == 200, (url, answer.text)
        assert answer.json()["status"] == "ready"
    again = time.monotonic()
    assert (
        bring_up()["dir"] == cluster["dir"]
    )  # up twice: nothing restarted, still ready
    print(f"\n[topology] second up (all running) in {time.monotonic() - again:.1f} s")


def test_a_session_holds_whichever_instance_answers(cluster, logins):
    browser = signed_in(cluster, logins)
    answers = [browser.get("/") for _ in range(8)]
    assert [a.status_code for a in answers] == [200] * 8  # never sent back to /login
    upstreams = [a.headers[UPSTREAM] for a in answers]
    assert set(upstreams) == {
        url.removeprefix("http://") for url in cluster["app_urls"]
    }
    # The header is nginx's word; the instance's own request log confirms it.
    for answer in answers[:2]:
        rid = answer.headers["X-Request-ID"]
        assert log_has(instance_log(cluster, answer.headers[UPSTREAM]), f"rid={rid}")
    # A callback (which reads the session's organization) on each instance too.
    seen = set()
    for _ in range(6):
        response = browser.callback("overview-kpis", overview_values())
        assert response.status_code == 200, response.text[:300]
        seen.add(response.headers[UPSTREAM])
    assert len(seen) == len(cluster["app_urls"])
    print(
        f"\n[topology] pages answered by {sorted(set(upstreams))}, callbacks by {sorted(seen)}"
    )


def test_reads_are_served_by_the_replica(cluster, logins):
    """Counted on the servers: the replica's own table statistics grow with the page's reads
    of the analytics tables, and the primary's do not move."""
    browser = signed_in(cluster, logins)
    primary, replica = cluster["ports"]["primary"], cluster["ports"]["replica"]
    browser.callback(
        "overview-kpis", overview_values()
    )  # sign-in's writes are behind us
    time.sleep(REPLICA_LAG_SECONDS + 1)  # past the sign-in's read-your-writes window
    before = {port: analytics_rows_read(port) for port in (primary, replica)}
    for _ in range(4):
        response = browser.callback("overview-kpis", overview_values())
        assert response.status_code == 200 and "$" in response.text
    loaded = time.monotonic()
    on_replica = (
        wait_for_analytics_reads(replica, before[replica], minimum=1) - before[replica]
    )
    time.sleep(max(0.0, loaded + STATS_FLUSH_SECONDS - time.monotonic()))
    on_primary = analytics_rows_read(primary) - before[primary]
    print(
        f"\n[topology] 4 overview loads read {on_replica:,} analytics rows on the replica, "
        f"{on_primary:,} on the primary"
    )
    assert on_replica > 0  # the KPIs' rows, on the replica
    assert on_primary == 0
    assert sql(replica, "SELECT pg_is_in_recovery()") is True
    assert sql(primary, "SELECT pg_is_in_recovery()") is False


def test_a_write_is_read_back_at_once_by_the_writer(cluster, logins):
    """An admin adds a webhook through nginx and the list, read at once on both instances,
    shows it (the reads go to the primary for a while after the write: data/db.py)."""
    primary, replica = cluster["ports"]["primary"], cluster["ports"]["replica"]
    with_admin = signed_in(cluster, logins, role="admin")
    sql(
        primary,
        "DELETE FROM webhook_endpoints WHERE url LIKE 'https://topology.example.com/%'",
    )
    time.sleep(STATS_FLUSH_SECONDS)  # earlier tests' statistics are in
    replica_before = rows_read(replica).get("webhook_endpoints", 0)
    url = f"https://topology.example.com/{uuid.uuid4().hex}"
    added = with_admin.callback(
        "webhooks-secret",
        {"webhooks-add.n_clicks": 1, "webhooks-url.value": url,
         "webhooks-description.value": "topology test", "webhooks-changed.data": 0},
    )  # fmt: skip
    assert added.status_code == 200, added.text[:500]
    assert "signing secret" in added.text, added.text[:500]
    answered_by = set()
    for changed in range(1, 5):
        listed = with_admin.callback(
            "webhooks-list", {"webhooks-changed.data": changed}
        )
        assert listed.status_code == 200
        # No read missed the write, whichever instance answered.
        assert url in json.dumps(listed.json())
        answered_by.add(listed.headers[UPSTREAM])
    assert len(answered_by) == len(cluster["app_urls"])
    # And the lists were read on the primary: the replica read no webhook row meanwhile.
    time.sleep(STATS_FLUSH_SECONDS)
    assert rows_read(replica).get("webhook_endpoints", 0) == replica_before
    sql(primary, "DELETE FROM webhook_endpoints WHERE url = %s", url)


def test_replica_lag_is_measured_on_readyz_and_metrics(cluster):
    primary, replica = cluster["ports"]["primary"], cluster["ports"]["replica"]
    assert (
        sql(
            primary,
            "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'",
        )
        == 1
    )
    # A write on the primary, and how long until the replica has replayed it.
    sql(primary, "CREATE TABLE IF NOT EXISTS topology_probe (at timestamptz)")
    started = time.monotonic()
    sql(primary, "INSERT INTO topology_probe VALUES (now())")
    lsn = sql(primary, "SELECT pg_current_wal_lsn()::text")
    while (
        sql(replica, "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", lsn) is not True
    ):
        assert time.monotonic() - started < 10
        time.sleep(0.01)
    caught_up_ms = (time.monotonic() - started) * 1000
    sql(primary, "DROP TABLE topology_probe")
    for url in cluster["app_urls"]:
        detail = requests.get(f"{url}/readyz", timeout=10).json()["replicas"][
            "replica-1"
        ]
        assert detail["status"] == "ok"
        assert (
            isinstance(detail["lag_seconds"], float) and 0 <= detail["lag_seconds"] < 5
        )
        body = requests.get(f"{url}/metrics", timeout=10).text
        value = re.search(
            r'^kiki_replica_lag_seconds\{replica="replica-1"\} (\S+)$',
            body,
            re.MULTILINE,
        )
        assert value and 0 <= float(value[1]) < 5, body[-2000:]
        assert 'kiki_replica_up{replica="replica-1"} 1.0' in body
    print(
        f"\n[topology] replica replayed a write in {caught_up_ms:.0f} ms; readyz lag {detail}"
    )


def _load(
    browser: Browser, stop: threading.Event, log: list, lock: threading.Lock
) -> None:
    while not stop.is_set():
        at = time.monotonic()
        try:
            status = browser.get("/", timeout=15).status_code
        except requests.RequestException as exc:
            status = type(exc).__name__
        with lock:
            log.append((at, time.monotonic(), status))
        time.sleep(PACE_SECONDS)


def test_killing_an_instance_loses_no_request_through_nginx(cluster, logins):
    # Three users (the per-user rate limit, 1200 a minute, is shared by the instances: one user
    # hammering would be refused, rightly), each at most 1 / PACE_SECONDS requests a second.
    browsers = [
        signed_in(cluster, logins, role=role) for role in ("viewer", "analyst", "admin")
    ]
    stop, lock, log = threading.Event(), threading.Lock(), []
    threads = [
        threading.Thread(target=_load, args=(b, stop, log, lock)) for b in browsers
    ]
    for thread in threads:
        thread.start()
    time.sleep(2)
    victim = int(Path(cluster["pids"]["app-2"]).read_text())
    killed_at = time.monotonic()
    os.killpg(victim, signal.SIGKILL)  # the master and its workers, mid-request
    time.sleep(4)
    stop.set()
    for thread in threads:
        thread.join()
    before = [entry for entry in log if entry[1] < killed_at]
    after = [entry for entry in log if entry[0] >= killed_at]
    failed = [entry for entry in log if entry[2] != 200]
    print(
        f"\n[topology] {len(log)} requests through nginx ({len(before)} before the kill, "
        f"{len(after)} after): {len(failed)} failed {[f[2] for f in failed]}"
    )
    assert len(before) > 0 and len(after) > 0
    # At most the requests in flight on the killed instance (3 clients) may be lost; nginx
    # retries a GET whose upstream refused or reset the connection on the other instance.
    assert len(failed) <= len(browsers)
    assert all(entry[2] == 200 for entry in after if entry[0] > killed_at + 1)
    restored = bring_up()  # up again starts the missing instance
    assert (
        requests.get(f"{restored['app_urls'][1]}/readyz", timeout=10).status_code == 200
    )


def test_killing_the_replica_sends_reads_to_the_primary(cluster, logins):
    browser = signed_in(cluster, logins)
    primary = cluster["ports"]["primary"]
    assert browser.callback("overview-kpis", overview_values()).status_code == 200
    replica_data = Path(cluster["dir"]) / "pg" / "replica"
    stopper = [
        "/usr/lib/postgresql/15/bin/pg_ctl",
        "-D",
        str(replica_data),
        "-m",
        "immediate",
        "stop",
    ]
    if os.geteuid() == 0:
        stopper = ["runuser", "-u", "postgres", "--", *stopper]
    subprocess.run(stopper, check=True, capture_output=True)
    killed_at = time.monotonic()
    time.sleep(1.2)
    primary_before = analytics_rows_read(primary)
    outcomes = []
    while time.monotonic() - killed_at < 30:
        at = time.monotonic()
        try:
            status = browser.callback("overview-kpis", overview_values()).status_code
        except requests.RequestException as exc:
            status = type(exc).__name__
        outcomes.append((at - killed_at, time.monotonic() - at, status))
        if len(outcomes) >= 6 and all(o[2] == 200 for o in outcomes[-4:]):
            break
    first_ok = next(o for o in outcomes if o[2] == 200)
    failed = [o for o in outcomes if o[2] != 200]
    primary_after = wait_for_analytics_reads(primary, primary_before, minimum=1)
    print(
        f"\n[topology] replica killed: {len(outcomes)} overview loads, {len(failed)} failed, "
        f"first answer {first_ok[0] + first_ok[1]:.1f} s after the kill, slowest "
        f"{max(o[1] for o in outcomes):.1f} s; {primary_after - primary_before:,} rows read "
        "on the primary"
    )
    assert not failed
    assert first_ok[0] + first_ok[1] < 15  # within seconds, on the primary
    assert primary_after - primary_before > 0
    for url in cluster["app_urls"]:
        detail = requests.get(f"{url}/readyz", timeout=30).json()
        assert detail["status"] == "ready"
        assert detail["replicas"]["replica-1"]["status"] == "unreachable"
        body = requests.get(f"{url}/metrics", timeout=30).text
        assert 'kiki_replica_up{replica="replica-1"} 0.0' in body
        lag = re.search(
            r'^kiki_replica_lag_seconds\{replica="replica-1"\} (\S+)$',
            body,
            re.MULTILINE,
        )
        assert lag and math.isnan(float(lag[1]))
    bring_up()  # the replica starts again (the app tries it again after 30 s)


def _service(command: list[str]) -> list[str]:
    """PostgreSQL's tools refuse root: as root they run as postgres (as `up` runs them)."""
    return (
        ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command
    )


def _masters(cluster) -> list[int]:
    return [int(Path(cluster["pids"][f"app-{n}"]).read_text()) for n in (1, 2)]


def _until_answered(load, seconds: float = 30.0) -> list[tuple[float, float, object]]:
    """Run ``load()`` (a status) until 4 answers in a row are 200: (started, took, status)."""
    outcomes, began = [], time.monotonic()
    while time.monotonic() - began < seconds:
        at = time.monotonic()
        try:
            status = load()
        except requests.RequestException as exc:
            status = type(exc).__name__
        outcomes.append((at - began, time.monotonic() - at, status))
        if len(outcomes) >= 4 and all(o[2] == 200 for o in outcomes[-4:]):
            break
        time.sleep(0.1)
    return outcomes


def test_restarting_the_primary_needs_no_app_restart(cluster, logins):
    browser = signed_in(cluster, logins)
    masters = _masters(cluster)
    primary_data = Path(cluster["dir"]) / "pg" / "primary"
    pg_ctl = "/usr/lib/postgresql/15/bin/pg_ctl"
    started = time.monotonic()
    log = (
        Path(cluster["dir"]) / "logs" / "primary.log"
    )  # else the server keeps our pipe open
    subprocess.run(
        _service(
            [
                pg_ctl,
                "-D",
                str(primary_data),
                "-l",
                str(log),
                "-m",
                "fast",
                "-w",
                "restart",
            ]
        ),
        check=True,
        capture_output=True,
    )
    restarted = time.monotonic() - started
    outcomes = _until_answered(
        lambda: browser.callback("overview-kpis", overview_values()).status_code
    )
    failed = [o for o in outcomes if o[2] != 200]
    print(
        f"\n[topology] primary restarted in {restarted:.1f} s; then {len(outcomes)} overview "
        f"loads, {len(failed)} failed {[o[2] for o in failed]}"
    )
    assert outcomes[-1][2] == 200 and outcomes[-1][0] < 15
    # Pre-ping replaces the connections the restart closed: the first load already works.
    assert not failed
    assert _masters(cluster) == masters  # the same gunicorn masters: no app restart
    assert all(
        requests.get(f"{url}/readyz", timeout=10).status_code == 200
        for url in cluster["app_urls"]
    )


def test_with_redis_down_the_app_keeps_serving(cluster, logins):
    browser = signed_in(cluster, logins)
    redis_pid = int(Path(cluster["pids"]["redis"]).read_text())
    os.kill(redis_pid, signal.SIGKILL)
    statuses = []
    for _ in range(3):
        statuses.append(browser.get("/").status_code)
        statuses.append(
            browser.callback("overview-kpis", overview_values()).status_code
        )
    # A new sign-in too: sessions are signed cookies, the rate limits fall back to memory.
    other = Browser(cluster["nginx_url"])
    other.sign_in(*logins[("globex", "viewer")])
    statuses.append(other.callback("overview-kpis", overview_values()).status_code)
    ready = [requests.get(f"{url}/readyz", timeout=10) for url in cluster["app_urls"]]
    print(
        f"\n[topology] Redis killed: {len(statuses)} requests through nginx, "
        f"{sum(s != 200 for s in statuses)} failed; /readyz {[r.status_code for r in ready]}"
    )
    assert statuses == [200] * len(statuses)
    # Ready means every dependency answers: the instances say Redis is missing.
    assert all(
        r.status_code == 503 and "redis unreachable" in r.json()["problems"]
        for r in ready
    )
    bring_up()  # Redis again; the instances find it without a restart
    assert all(
        requests.get(f"{url}/readyz", timeout=10).status_code == 200
        for url in cluster["app_urls"]
    )


def test_the_worker_runs_its_jobs_through_pgbouncer(cluster):
    """The scheduler (`flask --app app worker`) claims its jobs with FOR UPDATE SKIP LOCKED through
    the transaction pooler: every job has run and finished, and its log holds no error."""
    primary = cluster["ports"]["primary"]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        unfinished = sql(
            primary,
            "SELECT count(*) FROM scheduled_jobs WHERE last_finished_at IS NULL"
            " OR last_finished_at < last_started_at",
        )
        if unfinished == 0 and sql(primary, "SELECT count(*) FROM scheduled_jobs") > 0:
            break
        time.sleep(0.5)
    jobs = sql(
        primary,
        "SELECT string_agg(name || ': ' || last_outcome, '; ') FROM scheduled_jobs",
    )
    print(f"\n[topology] worker jobs: {jobs}")
    assert unfinished == 0
    log = (Path(cluster["dir"]) / "logs" / "worker.log").read_text()
    assert "KIKI worker" in log
    assert '"level": "ERROR"' not in log and "Traceback" not in log


def _cluster_module():
    """deploy/local-cluster/cluster.py, for the environment it gives the app's processes."""
    import importlib.util
    import sys

    if "kiki_local_cluster" in sys.modules:
        return sys.modules["kiki_local_cluster"]
    path = (
        Path(__file__).resolve().parents[2] / "deploy" / "local-cluster" / "cluster.py"
    )
    spec = importlib.util.spec_from_file_location("kiki_local_cluster", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["kiki_local_cluster"] = (
        module  # its dataclasses look themselves up there
    )
    spec.loader.exec_module(module)
    return module


def _import_metrics(cluster, tmp_path: Path, deployment: int, revenue: str) -> None:
    """`flask import-metrics` as an operator runs it beside the cluster: its commit publishes a
    live event over the cluster's Redis, from a process no stream is connected to."""
    module = _cluster_module()
    settings = module.Settings(Path(cluster["dir"]))
    csv = tmp_path / f"metrics-{revenue}.csv"
    csv.write_text(
        "platform_deployment_id,date,impressions,clicks,conversions,spend,revenue\n"
        f"{deployment},{dt.date.today().isoformat()},100,10,1,10.00,{revenue}\n"
    )
    subprocess.run(
        [module.python(), "-m", "flask", "--app", "app", "import-metrics", str(csv),
         "--org", "acme"],
        cwd=module.ROOT, env=module.app_env(settings), check=True, capture_output=True,
    )  # fmt: skip


def _sse(response: requests.Response):
    """(event, id, data) of each Server-Sent Event on a streamed response."""
    event, ident, data = None, None, None
    for raw in response.iter_lines(decode_unicode=True):
        if raw is None:
            continue
        if raw == "":
            if event:
                yield event, ident, data
            event, ident, data = None, None, None
        elif raw.startswith("event: "):
            event = raw[7:]
        elif raw.startswith("id: "):
            ident = int(raw[4:])
        elif raw.startswith("data: "):
            data = json.loads(raw[6:])


def _next_event(stream, name: str):
    for event, ident, data in stream:
        if event == name:
            return ident, data
    raise AssertionError(f"the stream ended before an {name!r} event")


def test_a_live_stream_reconnects_to_the_other_instance_and_misses_nothing(
    cluster, logins, tmp_path
):
    primary = cluster["ports"]["primary"]
    deployment = sql(
        primary,
        "SELECT p.id FROM platformdeployments p JOIN organizations o"
        " ON o.id = p.organization_id WHERE o.slug = 'acme' ORDER BY p.id LIMIT 1",
    )
    browser = signed_in(cluster, logins)
    url = cluster["nginx_url"] + "/live/events"
    first = browser.http.get(url, stream=True, timeout=(5, 30))
    assert first.status_code == 200
    serving = first.headers[UPSTREAM]
    stream = _sse(first)
    ready_id, _ = _next_event(stream, "ready")
    sent = time.monotonic()
    _import_metrics(cluster, tmp_path, deployment, "111.00")
    seen_id, seen = _next_event(stream, "invalidate")
    delivered = time.monotonic() - sent
    assert seen_id > ready_id and "metrics" in seen["topics"]
    # The instance holding the stream dies; an event is published while no stream is open.
    number = cluster["app_urls"].index(f"http://{serving}") + 1
    killed = time.monotonic()
    os.killpg(int(Path(cluster["pids"][f"app-{number}"]).read_text()), signal.SIGKILL)
    with pytest.raises((requests.RequestException, AssertionError)):
        _next_event(stream, "invalidate")  # the stream ends with its instance
    _import_metrics(cluster, tmp_path, deployment, "222.00")
    # The organization's newest event id once the import has committed (the worker, evaluating
    # the alert rules the imports made due, may add "alerts" events of its own, before or after).
    acme = sql(primary, "SELECT id FROM organizations WHERE slug = 'acme'")
    newest = int(
        redis.Redis.from_url(cluster["redis_url"]).get(f"kiki:live:{acme}:last")
    )
    reconnecting = time.monotonic()
    again = browser.http.get(
        url, stream=True, timeout=(5, 30), headers={"Last-Event-ID": str(seen_id)}
    )
    assert again.status_code == 200
    replay = []
    for event, ident, data in _sse(again):
        assert event != "reset"  # the gap is within the replay buffer
        if event == "invalidate":
            replay.append((ident, data["topics"]))
            if ident >= newest:
                break
    replayed = time.monotonic() - reconnecting
    again.close()
    print(
        f"\n[topology] live event delivered in {delivered:.1f} s (the CLI's run included); "
        f"stream on {serving} killed; reconnected to {again.headers[UPSTREAM]}, which replayed "
        f"{replay} in {replayed:.2f} s ({time.monotonic() - killed:.1f} s after the kill, a "
        "second CLI run included)"
    )
    assert again.headers[UPSTREAM] != serving
    # Every event after the last one seen, in order, none missing, the import's among them.
    assert [ident for ident, _ in replay] == list(range(seen_id + 1, newest + 1))
    assert any("metrics" in topics for _, topics in replay)
    assert replayed < 5
    bring_up()  # the killed instance again


def test_the_sign_in_limit_counts_across_instances(cluster):
    """The per-address budget of failed sign-ins (10 a minute) lives in Redis: spread over both
    instances by nginx, the eleventh failure is refused. Last: it locks this address out."""
    browser = Browser(cluster["nginx_url"])
    statuses, answered_by = [], set()
    for attempt in range(12):
        page = browser.get("/login")
        answered_by.add(page.headers[UPSTREAM])
        match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text)
        token = match[1] if match else ""
        response = browser.http.post(
            f"{cluster['nginx_url']}/login",
            data={"email": f"nobody{attempt}@topology.test", "password": "wrong-password",
                  "csrf_token": token},
            allow_redirects=False,
            timeout=30,
        )  # fmt: skip
        statuses.append(response.status_code)
        answered_by.add(response.headers[UPSTREAM])
    print(f"\n[topology] 12 failed sign-ins through nginx: {statuses}")
    assert len(answered_by) == len(cluster["app_urls"])
    assert 429 not in statuses[:10]
    assert statuses[10:] == [429, 429]
