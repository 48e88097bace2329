"""The leased evaluation of due alert rules: claim, judge, then write the new state, the episode
and its deliveries in one transaction that only the lease's holder can commit.

1. Claim (data/leases.py): active rules whose ``next_due_at`` has come (or is unset) and whose
   lease is free or ran out get ``leased_by`` (a token unique to this claim) and ``lease_until``.
2. Judge each one outside any write: the sums of its target (data/reads/alert_sums.py) through
   its condition (data/alerts/conditions.py). An exception is the finding "error".
3. Write, in one transaction that starts with a compare-and-set on (leased_by, lease_until): a
   process whose lease was taken over (it stalled, or was killed and came back) changes 0 rows
   and writes nothing. The state follows TRANSITIONS; a firing opens an AlertEpisode; each
   event's deliveries carry a dedupe key — notifications ``alert:{episode}:{event}:{user}``,
   outbox rows ``alert:{episode}:{event}:email`` and ``…:webhook:{endpoint}`` — so one
   delivery per episode, event and channel is enforced by the database's unique constraints.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import time
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app, has_app_context
from sqlalchemy.orm import Session, sessionmaker

from data.alerts import conditions
from data.leases import claim_due, lease_token
from data.models import AlertEpisode, AlertRule, User, WebhookEndpoint
from data.reads import alert_sums
from data.scope import Scope
from data.writes.notify import enqueue, notify
from data.writes.transaction import write_transaction

log = logging.getLogger(__name__)
LEASE = dt.timedelta(seconds=60)
SWEEP = dt.timedelta(minutes=5)  # a rule is judged again at least this often
BATCH = 50
EMAIL_KIND = "alert_email"
WEBHOOK_KIND = "alert_webhook"
LINK = "/alerts"
# Test hook (tests/data/alerts, bench/alerts.py): pause this long between judging and writing,
# after appending the rule's id to the MARK file, so a test can SIGKILL a process mid-run.
PAUSE_ENV, MARK_ENV = "KIKI_ALERT_TEST_PAUSE", "KIKI_ALERT_TEST_MARK"

# (phase, finding) -> (next phase, action). Phases: quiet (nothing breached), pending (breached
# for less than for_minutes), firing (an open episode). Findings: clear (not breached, or no
# value), breach (breached for less than for_minutes), held (breached at least for_minutes).
TRANSITIONS = {
    ("quiet", "clear"): ("quiet", None),
    ("quiet", "breach"): ("pending", None),
    ("quiet", "held"): ("firing", "open"),
    ("pending", "clear"): ("quiet", None),
    ("pending", "breach"): ("pending", None),
    ("pending", "held"): ("firing", "open"),
    ("firing", "clear"): ("quiet", "close"),
    ("firing", "held"): ("firing", "remind"),
}
# While snoozed nothing is delivered: no episode opens (the breach keeps its start, so it
# fires when the snooze ends if still breached), no reminder; a clearing closes silently.
SNOOZED = {
    ("quiet", "held"): ("pending", None),
    ("pending", "held"): ("pending", None),
    ("firing", "held"): ("firing", None),
}
# action -> (event name, notification kind, title prefix)
EVENTS = {
    "open": ("firing", "alert_firing", "Alert firing"),
    "remind": ("reminder", "alert_reminder", "Alert still firing"),
    "close": ("resolved", "alert_resolved", "Alert resolved"),
}


@dataclass(frozen=True)
class Claim:
    rule_id: int
    token: str
    lease_until: dt.datetime


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    return value if value is None or value.tzinfo else value.replace(tzinfo=dt.UTC)


def _due(now: dt.datetime):
    return sa.and_(
        AlertRule.is_active.is_(True),
        sa.or_(AlertRule.next_due_at.is_(None), AlertRule.next_due_at <= now),
        sa.or_(AlertRule.lease_until.is_(None), AlertRule.lease_until < now),
    )


def lease_length() -> dt.timedelta:
    """KIKI_ALERT_LEASE_SECONDS of the current app (how long a dead evaluator's rules wait
    to be taken over), else LEASE."""
    seconds = (
        current_app.config.get("KIKI_ALERT_LEASE_SECONDS")
        if has_app_context()
        else None
    )
    return dt.timedelta(seconds=seconds) if seconds else LEASE


def claim_rules(
    session: Session, *, limit: int = BATCH, lease: dt.timedelta | None = None, now=None
) -> list[Claim]:
    """Lease up to ``limit`` due rules and commit; one Claim each."""
    now = now or _now()
    lease = lease or lease_length()
    token, until = lease_token(), now + lease
    ids = claim_due(
        session,
        AlertRule.id,
        _due(now),
        {"leased_by": token, "lease_until": until},
        limit=limit,
        order_by=AlertRule.id,
    )
    session.commit()
    return [Claim(rule_id, token, until) for rule_id in ids]


def has_due_rules(session: Session, now: dt.datetime | None = None) -> bool:
    """Whether any rule is due (the worker's cheap probe before claiming)."""
    return (
        session.scalar(sa.select(AlertRule.id).where(_due(now or _now())).limit(1))
        is not None
    )


def evaluate_due(
    make_session: sessionmaker, *, limit: int = BATCH, now: dt.datetime | None = None
) -> int:
    """Claim and evaluate due rules until none is left; the number whose result was written."""
    written = 0
    while True:
        with make_session() as session:
            claims = claim_rules(session, limit=limit, now=now)
        for claim in claims:
            written += evaluate_claimed(make_session, claim, now=now)
        if len(claims) < limit:
            return written


def judge_rule(session: Session, rule: AlertRule, now: dt.datetime):
    """The rule's finding now (conditions.Finding); raises when the sums cannot be read."""
    zone = alert_sums.organization_zone(session, rule.organization_id)
    today = conditions.local_today(now, zone)
    scope = Scope(rule.organization_id, "viewer")
    if rule.target == "campaign" and not alert_sums.campaign_exists(
        session, scope, rule.campaign_id
    ):
        raise LookupError(
            f"campaign {rule.campaign_id} is deleted or not in this organization"
        )
    target = {
        "target": rule.target,
        "platform": rule.platform,
        "campaign_id": rule.campaign_id,
    }
    if rule.condition == "pacing_above":
        frame = alert_sums.pacing_budgets(session, scope, today=today, **target)
        budgets = [
            conditions.Budget(
                r.budget_type, r.amount, r.start_date, r.end_date, r.spend_today,
                r.spend_to_date,
            )
            for r in frame.itertuples()
        ]  # fmt: skip
        return conditions.judge(
            rule.condition, rule.threshold, budgets=budgets, today=today
        )
    periods = conditions.periods(rule.condition, today, rule.window_days)
    frame = alert_sums.rule_sums(session, scope, periods=periods, **target)
    sums = {
        r.period: conditions.Sums(r.spend, r.revenue, int(r.conversions))
        for r in frame.itertuples()
    }
    return conditions.judge(
        rule.condition, rule.threshold, sums=sums, min_spend=rule.min_spend
    )


def evaluate_claimed(
    make_session: sessionmaker, claim: Claim, *, now: dt.datetime | None = None
) -> bool:
    """Judge one claimed rule and write the result if the lease is still ours; whether it was."""
    now = now or _now()
    finding, error = None, None
    with make_session() as session:
        rule = session.get(AlertRule, claim.rule_id)
        if rule is None:
            return False
        try:
            finding = judge_rule(session, rule, now)
        except Exception as exc:  # the rule shows the error; the sweep tries again
            log.exception("alert rule %s could not be evaluated", claim.rule_id)
            error = f"error: {type(exc).__name__}: {exc}"[:500]
    _test_pause(claim.rule_id)
    with write_transaction(make_session()) as session:
        held = session.execute(
            sa.update(AlertRule)
            .where(
                AlertRule.id == claim.rule_id,
                AlertRule.leased_by == claim.token,
                AlertRule.lease_until == claim.lease_until,
            )
            .values(lease_until=None, leased_by=None)
            .execution_options(synchronize_session=False)
        )
        if held.rowcount != 1:
            log.warning("lease on alert rule %s was taken over", claim.rule_id)
            session.rollback()
            return False
        rule = session.get(AlertRule, claim.rule_id, populate_existing=True)
        apply_finding(session, rule, finding, error, now)
    return True


def apply_finding(
    session: Session,
    rule: AlertRule,
    finding: conditions.Finding | None,
    error: str | None,
    now: dt.datetime,
) -> str | None:
    """Move ``rule`` by TRANSITIONS and write its episode and deliveries; the event, if any."""
    episode = session.scalar(
        sa.select(AlertEpisode)
        .where(AlertEpisode.rule_id == rule.id, AlertEpisode.resolved_at.is_(None))
        .order_by(AlertEpisode.id.desc())
        .limit(1)
    )
    snoozed_until = _aware(rule.snoozed_until)
    snoozed = snoozed_until is not None and snoozed_until > now
    rule.last_evaluated_at = now
    if error is not None:
        rule.state, rule.last_message = "error", error
        rule.next_due_at = now + SWEEP
        return None
    breached_since = _aware(rule.breached_since)
    phase = "firing" if episode else ("pending" if breached_since else "quiet")
    if finding.breached:
        breached_since = breached_since or now
        held = now - breached_since >= dt.timedelta(minutes=rule.for_minutes or 0)
        kind = "held" if held or phase == "firing" else "breach"
    else:
        breached_since, kind = None, "clear"
    table = SNOOZED if snoozed and (phase, kind) in SNOOZED else TRANSITIONS
    next_phase, action = table[(phase, kind)]
    event = None
    if action == "open":
        episode = AlertEpisode(
            organization_id=rule.organization_id,
            rule_id=rule.id,
            breached_since=breached_since,
            fired_at=now,
            fired_value=_stored(finding.value),
            last_notified_at=now,
        )
        session.add(episode)
        session.flush()
        event = "firing"
    elif action == "remind" and _reminder_due(rule, episode, now):
        episode.reminders_sent += 1
        episode.last_notified_at = now
        event = f"reminder{episode.reminders_sent}"
    elif action == "close":
        episode.resolved_at, episode.resolved_value = now, _stored(finding.value)
        event = None if snoozed else "resolved"
    if event is not None:
        deliver(session, rule, episode, event, action, finding)
    rule.breached_since = breached_since
    rule.last_value = _stored(finding.value)
    rule.last_message = finding.message[:500]
    if snoozed:
        rule.state = "snoozed"
    elif next_phase == "quiet":
        resolved = action == "close" or rule.state == "resolved"
        rule.state = "resolved" if resolved else "ok"
    else:
        rule.state = next_phase
    rule.next_due_at = _next_due(rule, episode, next_phase, snoozed_until, now)
    return event


def _stored(value: Decimal | None) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(Decimal("0.0001"))


def _reminder_due(rule: AlertRule, episode: AlertEpisode, now: dt.datetime) -> bool:
    if not rule.reminder_hours:
        return False
    last = _aware(episode.last_notified_at)
    return now - last >= dt.timedelta(hours=rule.reminder_hours)


def _next_due(rule, episode, phase, snoozed_until, now) -> dt.datetime:
    """The next sweep, sooner when a "for" time, a reminder or a snooze ends before it."""
    times = [now + SWEEP]
    if phase == "pending":
        times.append(
            _aware(rule.breached_since) + dt.timedelta(minutes=rule.for_minutes or 0)
        )
    if phase == "firing" and rule.reminder_hours and episode is not None:
        last = _aware(episode.last_notified_at)
        times.append(last + dt.timedelta(hours=rule.reminder_hours))
    if snoozed_until is not None and snoozed_until > now:
        times.append(snoozed_until)
    return max(min(times), now)


def recipients(session: Session, rule: AlertRule) -> list[int]:
    """The rule's recipients that are active users of its organization."""
    ids = [int(uid) for uid in rule.recipient_ids or [] if str(uid).isdigit()]
    if not ids:
        return []
    return list(
        session.scalars(
            sa.select(User.id)
            .where(
                User.id.in_(ids),
                User.organization_id == rule.organization_id,
                User.is_active.is_(True),
            )
            .order_by(User.id)
        )
    )


def deliver(
    session: Session,
    rule: AlertRule,
    episode: AlertEpisode,
    event: str,
    action: str,
    finding: conditions.Finding,
) -> None:
    """Write ``event``'s deliveries on the rule's channels, each under its dedupe key."""
    name, kind, prefix = EVENTS[action]
    key = f"alert:{episode.id}:{event}"
    channels = set(rule.channels or [])
    value = None if finding.value is None else str(_stored(finding.value))
    payload = {
        "rule_id": rule.id,
        "episode_id": episode.id,
        "event": name,
        "key": key,
        "value": value,
        "threshold": str(rule.threshold),
        "message": finding.message[:300],
    }
    if "in_app" in channels:
        notify(
            session,
            rule.organization_id,
            recipients(session, rule),
            kind,
            f"{prefix}: {rule.name}",
            body=finding.message,
            link=LINK,
            dedupe=key,
        )
    if "email" in channels:
        enqueue(
            session,
            rule.organization_id,
            EMAIL_KIND,
            payload,
            dedupe_key=f"{key}:email",
        )
    if "webhook" in channels:
        endpoints = session.scalars(
            sa.select(WebhookEndpoint.id)
            .where(
                WebhookEndpoint.organization_id == rule.organization_id,
                WebhookEndpoint.is_active.is_(True),
            )
            .order_by(WebhookEndpoint.id)
        )
        for endpoint_id in endpoints:
            enqueue(
                session,
                rule.organization_id,
                WEBHOOK_KIND,
                {**payload, "endpoint_id": endpoint_id},
                dedupe_key=f"{key}:webhook:{endpoint_id}",
            )


def _test_pause(rule_id: int) -> None:
    """Tests only (PAUSE_ENV unset in production): hold the claimed lease for a while."""
    seconds = os.environ.get(PAUSE_ENV)
    if not seconds:
        return
    if mark := os.environ.get(MARK_ENV):
        with open(mark, "a", encoding="utf-8") as file:
            file.write(f"{os.getpid()} {rule_id}\n")
    time.sleep(float(seconds))
