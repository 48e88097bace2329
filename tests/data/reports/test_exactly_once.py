"""Exactly once across real processes (tests/data/reports/processes.py): two workers racing for
the same due subscriptions send one e-mail per recipient per due time: 0 duplicates, 0 lost."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from data.models import ReportRun
from tests.data.alerts.processes import START_ENV
from tests.data.reports.conftest import emails, report_org, subscribe

ROOT = Path(__file__).resolve().parents[3]
SUBSCRIPTIONS = 4


def worker(url: str, smtp_url: str, start_dir: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.data.reports.processes", url, smtp_url],
        cwd=ROOT,
        env={**os.environ, START_ENV: str(start_dir)},
        stdout=subprocess.PIPE,
        text=True,
    )


def test_two_workers_send_each_due_report_once(
    database, reports_url, reports_engine, smtp_sink, tmp_path
):
    org = report_org(reports_engine)
    numbers = [
        subscribe(reports_engine, org, name=f"Report {n}") for n in range(SUBSCRIPTIONS)
    ]
    people = emails(reports_engine, org)
    first = worker(reports_url, smtp_sink.url, tmp_path)
    second = worker(reports_url, smtp_sink.url, tmp_path)
    deadline = time.monotonic() + 60
    while len([p for p in tmp_path.iterdir() if p.name.isdigit()]) < 2:
        assert time.monotonic() < deadline, "the workers never got ready"
        time.sleep(0.02)
    (tmp_path / "go").touch()  # both begin together
    counts = [int(p.communicate(timeout=120)[0]) for p in (first, second)]
    assert sum(counts) == SUBSCRIPTIONS and min(counts) > 0, counts  # both took part
    for key in ("analyst", "viewer"):
        subjects = Counter(m["Subject"] for m in smtp_sink.to(people[key]))
        assert subjects == {
            f"[KIKI report] Report {n}": 1 for n in range(SUBSCRIPTIONS)
        }
    with Session(reports_engine) as session:
        per_subscription = Counter(
            session.scalars(
                sa.select(ReportRun.subscription_id).where(
                    ReportRun.subscription_id.in_(numbers), ReportRun.outcome == "ok"
                )
            )
        )
    assert per_subscription == dict.fromkeys(numbers, 1)
