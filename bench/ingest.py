"""`python -m bench.ingest [--rows 200000] [--write]`: metrics ingestion through the API beside
PostgreSQL's COPY of the same rows, in one run (issue 30's target: >= 50,000 rows/s through
`POST /api/v1/metrics` in batches of 10,000).

A fresh PostgreSQL database with one organization, 100 deployments and an ingest token; the app
under gunicorn (the deployment's settings, 2 workers) on loopback. The rows are new days first
(INSERT), then the same rows again (every one replaces a stored day: the upsert's other branch).
COPY writes the same rows into an empty copy of performance_metrics (no upsert, no validation,
no rollup: the floor). With --write the table goes into docs/BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import psycopg
import requests
import sqlalchemy as sa
from cryptography.fernet import Fernet

from bench.dataset import ADMIN_URL, END_DATE, database_url
from bench.server import ROOT, Server, app_environment
from data.models import CampaignDeployment, Organization, PlatformDeployment, User
from data.ops.migrate import upgrade_to_head
from data.writes.api_tokens import create_token
from data.writes.metrics import MAX_BATCH

SCALE = "ingest"
PORT = 18051
DEPLOYMENTS = 100
REPORT = ROOT / "docs" / "BENCHMARKS.md"
HEADING = "## Ingestion (issue 30)"


def log(message: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} {message}", flush=True)


def fresh_database() -> tuple[str, list[int], int]:
    """(URL, deployment ids, analyst id) of a new database with one organization."""
    url = database_url(SCALE)
    name = url.rsplit("/", 1)[1]
    admin = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    upgrade_to_head(url)
    engine = sa.create_engine(url)
    with sa.orm.Session(engine) as session:
        org = Organization(slug="ingest", name="Ingest Co")
        session.add(org)
        session.flush()
        campaign = CampaignDeployment(
            organization_id=org.id, name="Feed", status="active"
        )
        analyst = User(
            organization_id=org.id,
            email="pipe@ingest.example",
            name="Pipe",
            role="analyst",
            password_hash="x",
        )
        session.add_all([campaign, analyst])
        session.flush()
        deployments = [
            PlatformDeployment(
                organization_id=org.id,
                campaign_id=campaign.id,
                platform=("meta", "google", "tiktok")[n % 3],
                external_id=f"ext-{n}",
            )
            for n in range(DEPLOYMENTS)
        ]
        session.add_all(deployments)
        session.commit()
        ids, analyst_id = [d.id for d in deployments], analyst.id
    engine.dispose()
    return url, ids, analyst_id


def make_rows(deployments: list[int], count: int) -> list[dict]:
    """``count`` rows: every deployment, one day after another back from END_DATE."""
    rows = []
    for index in range(count):
        dep = deployments[index % len(deployments)]
        day = END_DATE - dt.timedelta(days=index // len(deployments))
        rows.append(
            {
                "platform_deployment_id": dep,
                "date": day.isoformat(),
                "impressions": 1000 + index % 997,
                "clicks": 40 + index % 37,
                "conversions": index % 7,
                "spend": f"{50 + index % 50}.{index % 100:02d}",
                "revenue": f"{120 + index % 80}.{(index * 7) % 100:02d}",
            }
        )
    return rows


def through_api(base: str, token: str, bodies: list[bytes], clients: int) -> float:
    """Seconds to POST every body (``clients`` at a time, each its own connection)."""
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def send(body: bytes) -> None:
        answer = requests.post(
            base + "/api/v1/metrics", data=body, headers=headers, timeout=300
        )
        if answer.status_code != 200:
            raise RuntimeError(
                f"ingest answered {answer.status_code}: {answer.text[:300]}"
            )

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(send, bodies))
    return time.perf_counter() - started


def by_copy(url: str, rows: list[dict], org_id: int = 1) -> float:
    """Seconds to COPY the same rows into an empty copy of performance_metrics."""
    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    columns = (
        "organization_id, campaign_id, platform_deployment_id, platform, date, "
        "impressions, clicks, conversions, spend, revenue"
    )
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS copy_floor")
        conn.execute("CREATE TABLE copy_floor (LIKE performance_metrics INCLUDING ALL)")
        campaign = conn.execute("SELECT min(id) FROM campaign_deployments").fetchone()[
            0
        ]
        platforms = dict(conn.execute("SELECT id, platform FROM platformdeployments"))
        started = time.perf_counter()
        with (
            conn.cursor() as cursor,
            cursor.copy(f"COPY copy_floor ({columns}) FROM STDIN") as copy,
        ):
            for row in rows:
                dep = row["platform_deployment_id"]
                copy.write_row(
                    (
                        org_id,
                        campaign,
                        dep,
                        platforms[dep],
                        row["date"],
                        row["impressions"],
                        row["clicks"],
                        row["conversions"],
                        Decimal(row["spend"]),
                        Decimal(row["revenue"]),
                    )
                )
        seconds = time.perf_counter() - started
        conn.execute("DROP TABLE copy_floor")
    return seconds


def write_report(text: str) -> None:
    report = REPORT.read_text(encoding="utf-8")
    if HEADING in report:
        start = report.index(HEADING)
        end = report.find("\n## ", start + len(HEADING))
        report = report[:start] + text + (report[end:] if end != -1 else "")
    else:
        report = report.rstrip("\n") + "\n\n" + text
    REPORT.write_text(report, encoding="utf-8")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.ingest", description=__doc__)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--clients", type=int, default=2)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args(argv)
    log(f"[data] a fresh database, {DEPLOYMENTS} deployments")
    url, deployments, analyst = fresh_database()
    engine = sa.create_engine(url)
    with sa.orm.Session(engine) as session:
        _row, token = create_token(session, analyst, "bench", scope="ingest")
        session.commit()
    engine.dispose()
    rows = make_rows(deployments, args.rows)
    bodies = [
        json.dumps({"rows": rows[i : i + MAX_BATCH]}).encode()
        for i in range(0, len(rows), MAX_BATCH)
    ]
    env = {
        **app_environment(url, END_DATE.isoformat()),
        "KIKI_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "KIKI_API_RATE_LIMIT": "100000 per minute",  # the bench measures the path, not the limit
    }
    results = {}
    with Server("ingest", "app:create_server()", PORT, env) as app:
        for phase in ("insert", "replace"):
            seconds = through_api(app.url, token, bodies, args.clients)
            results[phase] = seconds
            log(
                f"API {phase}: {len(rows):,} rows in {seconds:.2f} s = {len(rows) / seconds:,.0f} rows/s"
            )
    seconds = by_copy(url, rows)
    results["copy"] = seconds
    log(
        f"COPY: {len(rows):,} rows in {seconds:.2f} s = {len(rows) / seconds:,.0f} rows/s"
    )
    load = os.getloadavg()[0]
    rate = {k: len(rows) / v for k, v in results.items()}
    verdict = "PASS" if min(rate["insert"], rate["replace"]) >= 50_000 else "MISS"
    text = f"""{HEADING}

`python -m bench.ingest --rows {args.rows} --clients {args.clients}` on {dt.date.today()}: {len(rows):,}
rows in batches of {MAX_BATCH:,} through `POST /api/v1/metrics` (gunicorn, 2 workers, PostgreSQL,
{args.clients} clients), then the same rows again (each replaces its stored day), beside
`COPY` of the same rows into an empty copy of the table, in one run; load average {load:.1f}.

| path | seconds | rows/s | vs COPY | target |
|---|---|---|---|---|
| API, new days (INSERT) | {results["insert"]:.2f} | {rate["insert"]:,.0f} | {results["insert"] / results["copy"]:.1f}x | >= 50,000 rows/s: {verdict} |
| API, revised days (ON CONFLICT … DO UPDATE) | {results["replace"]:.2f} | {rate["replace"]:,.0f} | {results["replace"] / results["copy"]:.1f}x | |
| COPY (no validation, no upsert, no rollup) | {results["copy"]:.2f} | {rate["copy"]:,.0f} | 1.0x | |

The API's time includes parsing the JSON, validating every row (deployments looked up once a
batch), the upsert, the rollup of the touched days, the audit row, the alert rules made due and
the live event.
"""
    print(text)
    if args.write:
        write_report(text)


if __name__ == "__main__":
    main()
