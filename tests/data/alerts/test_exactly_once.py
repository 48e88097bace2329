"""Exactly once across real processes (tests/data/alerts/processes.py): two evaluators racing
for the same due rules; an evaluator SIGKILLed mid-evaluation and another taking over after
its lease; a stalled evaluator that comes back after losing its lease. Each ends with one
episode per rule and one delivery per episode and channel: 0 duplicates, 0 lost."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from data.alerts.evaluate import MARK_ENV, PAUSE_ENV, claim_rules
from data.models import AlertEpisode, AlertRule, Notification, OutboxEntry
from tests.data.alerts.conftest import add_metrics, add_rule, make_org
from tests.data.alerts.processes import START_ENV

ROOT = Path(__file__).resolve().parents[3]


def evaluator(url: str, limit: int, **env) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.data.alerts.processes",
            "evaluate",
            url,
            str(limit),
        ],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        text=True,
    )


def breaching_rules(engine, count: int) -> tuple[dict, list[int]]:
    org = make_org(engine)
    yesterday = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)
    add_metrics(engine, org, yesterday, spend="100", revenue="150")
    rules = [
        add_rule(engine, org, name=f"rule {n}", channels=["in_app", "email"])
        for n in range(count)
    ]
    return org, rules


def assert_exactly_once(engine, org, rules) -> None:
    with Session(engine) as session:
        per_rule = dict(
            session.execute(
                sa.select(AlertEpisode.rule_id, sa.func.count())
                .where(AlertEpisode.organization_id == org["org_id"])
                .group_by(AlertEpisode.rule_id)
            ).all()
        )
        notes = session.scalar(
            sa.select(sa.func.count())
            .select_from(Notification)
            .where(Notification.organization_id == org["org_id"])
        )
        mails = session.scalar(
            sa.select(sa.func.count())
            .select_from(OutboxEntry)
            .where(OutboxEntry.organization_id == org["org_id"])
        )
        states = set(
            session.scalars(sa.select(AlertRule.state).where(AlertRule.id.in_(rules)))
        )
    assert per_rule == dict.fromkeys(rules, 1)  # none lost, none twice
    assert notes == len(rules) * len(org["users"])
    assert mails == len(rules)
    assert states == {"firing"}


def paused_evaluator(url: str, limit: int, seconds: float, mark: Path):
    """An evaluator that claimed up to ``limit`` rules, judged the first and now pauses for
    ``seconds`` before writing (returned once it has got there)."""
    process = evaluator(url, limit, **{PAUSE_ENV: str(seconds), MARK_ENV: str(mark)})
    deadline = time.monotonic() + 30
    while not (mark.exists() and mark.read_text().strip()):
        assert time.monotonic() < deadline, "the evaluator never reached its pause"
        time.sleep(0.05)
    return process


def expire_leases(engine, rules) -> None:
    """What 60 seconds would do: the leases run out (without waiting for them)."""
    with engine.begin() as conn:
        conn.execute(
            sa.update(AlertRule)
            .where(AlertRule.id.in_(rules))
            .values(lease_until=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
        )


def test_two_processes_evaluate_each_due_rule_once(
    alerts_url, alerts_engine, make_session, tmp_path
):
    org, rules = breaching_rules(alerts_engine, 30)
    # One rule a claim and a short pause each, so the two interleave over all 30 rules; both
    # start together once both are ready (processes.py wait_for_start).
    env = {PAUSE_ENV: "0.1", START_ENV: str(tmp_path)}
    first, second = evaluator(alerts_url, 1, **env), evaluator(alerts_url, 1, **env)
    deadline = time.monotonic() + 60
    while len([p for p in tmp_path.iterdir() if p.name.isdigit()]) < 2:
        assert time.monotonic() < deadline, "the evaluators never got ready"
        time.sleep(0.02)
    (tmp_path / "go").touch()
    counts = [int(p.communicate(timeout=120)[0]) for p in (first, second)]
    assert sum(counts) == 30 and min(counts) > 0, counts  # both took part
    assert_exactly_once(alerts_engine, org, rules)


def test_sigkill_mid_evaluation_then_a_takeover(
    alerts_url, alerts_engine, make_session, tmp_path
):
    org, rules = breaching_rules(alerts_engine, 5)
    victim = paused_evaluator(alerts_url, 5, 60, tmp_path / "mark")  # kill it there
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait(timeout=10)
    with Session(alerts_engine) as session:
        assert not session.scalar(
            sa.select(sa.func.count())
            .select_from(AlertEpisode)
            .where(AlertEpisode.organization_id == org["org_id"])
        )
    rescuer = evaluator(alerts_url, 5)
    assert int(rescuer.communicate(timeout=60)[0]) == 0  # still leased to the dead one
    expire_leases(alerts_engine, rules)
    rescuer = evaluator(alerts_url, 5)
    assert int(rescuer.communicate(timeout=60)[0]) == 5
    assert_exactly_once(alerts_engine, org, rules)


def test_a_stalled_process_that_lost_its_lease_writes_nothing(
    alerts_url, alerts_engine, make_session, tmp_path
):
    org, rules = breaching_rules(alerts_engine, 1)
    stalled = paused_evaluator(alerts_url, 1, 3, tmp_path / "mark")
    expire_leases(alerts_engine, rules)
    taker = evaluator(alerts_url, 1)
    assert int(taker.communicate(timeout=60)[0]) == 1
    assert int(stalled.communicate(timeout=60)[0]) == 0  # its compare-and-set failed
    assert_exactly_once(alerts_engine, org, rules)


def test_a_claim_that_loses_its_first_candidate_takes_the_next(
    alerts_engine, make_session
):
    """Another process leases the first due rule between this claim's look and its write: the
    claim goes on to the next due rule instead of coming back empty (which made a second
    evaluator stop while 29 rules were still due). On PostgreSQL the row is taken just before
    the locking select (SKIP LOCKED); on SQLite, between the select and the conditional
    update."""
    org = make_org(alerts_engine)
    first, second = add_rule(alerts_engine, org), add_rule(alerts_engine, org)
    stolen = []

    def steal_first(conn, _cursor, statement, *_args):
        text = statement.lstrip().upper()
        moment = (
            "FOR UPDATE" in text
            if conn.dialect.name == "postgresql"
            else text.startswith("UPDATE ALERT_RULES")
        )
        if stolen or not moment:
            return
        stolen.append(first)
        with alerts_engine.connect().execution_options(
            isolation_level="AUTOCOMMIT"
        ) as other:
            other.execute(
                sa.update(AlertRule)
                .where(AlertRule.id == first)
                .values(
                    leased_by="other",
                    lease_until=dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5),
                )
            )

    sa.event.listen(alerts_engine, "before_cursor_execute", steal_first)
    try:
        with make_session() as session:
            claims = claim_rules(session, limit=1)
    finally:
        sa.event.remove(alerts_engine, "before_cursor_execute", steal_first)
    assert [claim.rule_id for claim in claims] == [second]
