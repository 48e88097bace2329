"""Sending report subscriptions: the scheduler's job (``deliver_due_reports``) and send-now.

A due subscription is claimed with a lease (data/leases.py), then its run row is inserted for
its due time before anything is sent: the row is unique per (subscription, due time), so a
second process that got the same slot (a lease that ran out mid-send) is refused there and sends
nothing. Then the files are made by the renderer exports/ bound (the export routes' own
function), one e-mail goes to each active recipient, the run gets its outcome, and
``next_run_at`` moves to the first slot after now: slots missed while everything was down are
sent once, as one e-mail, not once each.

Who gets it is decided at send time: active users of the organization still on the list. The
owner must still be an active analyst or admin of it, else the run is skipped (admins see such
subscriptions as "owner left" and can reassign them).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from data.errors import NotFound
from data.leases import claim_due, lease_token
from data.mail import Attachment, Mail, app_mailer, sender_domain
from data.models import (
    Organization,
    ReportRecipient,
    ReportRun,
    ReportSubscription,
    User,
)
from data.protocols import app_report_renderer
from data.reads.alert_sums import organization_zone
from data.reports.rules import resolved_params, schedule_words
from data.reports.schedule import local_today, next_due
from data.reports.unsubscribe import unsubscribe_link
from data.scope import Scope
from data.writes.audit import record_event
from data.writes.report_subscriptions import load_subscription, schedule_of
from data.writes.transaction import write_transaction

log = logging.getLogger(__name__)
LEASE = dt.timedelta(
    minutes=10
)  # a report with charts takes seconds; a stuck one is retaken
PER_TICK = 20  # subscriptions a job run sends at most (the rest in the next run)
VIEW_WORDS = {"overview": "Overview", "campaigns": "Campaigns", "campaign": "Campaign"}


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def deliver_due_reports(database, now: dt.datetime | None = None) -> str:
    """The scheduler's job: send every due subscription once; a one-line outcome."""
    sent = skipped = 0
    for _ in range(PER_TICK):
        start = now or _now()
        token = lease_token()
        with Session(database.engine) as session:
            s = ReportSubscription
            claimed = claim_due(
                session,
                s.id,
                sa.and_(
                    s.next_run_at <= start,
                    s.paused.is_(False),
                    sa.or_(s.lease_until.is_(None), s.lease_until < start),
                ),
                {"leased_by": token, "lease_until": start + LEASE},
                limit=1,
                order_by=s.next_run_at,
            )
            session.commit()
        if not claimed:
            break
        outcome = run_scheduled(database, claimed[0], token, now)
        sent, skipped = sent + (outcome == "ok"), skipped + (outcome != "ok")
    return f"{sent} reports sent, {skipped} not sent"


def run_scheduled(database, subscription_id: int, token: str, now=None) -> str:
    """Send the claimed subscription for its due time (once), then move it past now."""
    with Session(database.engine, expire_on_commit=False) as session:
        subscription = session.get(ReportSubscription, subscription_id)
        if subscription is None or subscription.leased_by != token:
            return "lost"
        due = _aware(subscription.next_run_at)
        run = ReportRun(
            organization_id=subscription.organization_id,
            subscription_id=subscription.id,
            due_at=due,
            trigger="schedule",
            started_at=now or _now(),
        )
        session.add(run)
        try:
            session.commit()
        except sa.exc.IntegrityError:  # this due time was sent by another process
            session.rollback()
            run = None
        outcome = "already sent"
        if run is not None:
            outcome, message, count = send_report(session, subscription, run.id, now)
            _finish(session, run.id, outcome, message, count, now)
        tz = organization_zone(session, subscription.organization_id)
        following = next_due(schedule_of(subscription), max(now or _now(), due), tz)
        session.execute(
            sa.update(ReportSubscription)
            .where(
                ReportSubscription.id == subscription.id,
                ReportSubscription.leased_by == token,
            )
            .values(next_run_at=following, lease_until=None, leased_by=None)
        )
        session.commit()
    return outcome


def _finish(session: Session, run_id: int, outcome, message, count, now=None) -> None:
    session.execute(
        sa.update(ReportRun)
        .where(ReportRun.id == run_id)
        .values(
            outcome=outcome,
            message=str(message)[:500],
            recipients=count,
            finished_at=now or _now(),
        )
    )
    session.commit()


def active_recipients(session: Session, subscription: ReportSubscription) -> list[User]:
    """The recipients who get the e-mail now: active users of the subscription's organization."""
    return list(
        session.scalars(
            sa.select(User)
            .join(ReportRecipient, ReportRecipient.user_id == User.id)
            .where(
                ReportRecipient.subscription_id == subscription.id,
                User.organization_id == subscription.organization_id,
                User.is_active.is_(True),
            )
            .order_by(User.id)
        )
    )


def owner_scope(session: Session, subscription: ReportSubscription) -> Scope | None:
    """The owner's scope, if the owner is still an active analyst or admin of the
    organization; None otherwise (the run is skipped)."""
    owner = session.get(User, subscription.owner_id) if subscription.owner_id else None
    if (
        owner is None
        or not owner.is_active
        or owner.organization_id != subscription.organization_id
        or owner.role not in ("analyst", "admin")
    ):
        return None
    return Scope(subscription.organization_id, owner.role, owner.id)


def send_report(
    session: Session, subscription: ReportSubscription, run_id: int, now=None
) -> tuple[str, str, int]:
    """Make the files and send one e-mail to each active recipient: (outcome, message,
    recipients sent to). Never raises: a failure is the run's outcome."""
    scope = owner_scope(session, subscription)
    if scope is None:
        return "skipped", "The owner left or is no longer an analyst: not sent.", 0
    people = active_recipients(session, subscription)
    if not people:
        return "skipped", "No active recipients: not sent.", 0
    renderer = app_report_renderer()
    if renderer is None:
        return "failed", "No report renderer is bound (exports.init_app).", 0
    tz = organization_zone(session, subscription.organization_id)
    pinned = current_app.config.get("KIKI_TODAY")  # the demo's and tests' fixed day
    today = dt.date.fromisoformat(pinned) if pinned else local_today(now or _now(), tz)
    params = resolved_params(subscription.params, today)
    try:
        files = renderer(
            session, scope, subscription.view, subscription.campaign_id,
            params, subscription.include_csv,
        )  # fmt: skip
    except Exception as exc:
        log.warning("report %s could not be made", subscription.id, exc_info=exc)
        return "failed", f"The report could not be made: {str(exc)[:300]}", 0
    attachments = tuple(Attachment(*item) for item in files)
    organization = session.get(Organization, subscription.organization_id)
    session.commit()  # end the read transaction: SMTP may take a while
    mailer, failures, sent = app_mailer(), [], 0
    for person in people:
        try:
            mailer.send(
                report_mail(subscription, organization.name, params, person, run_id,
                            attachments, mailer.sender)
            )  # fmt: skip
            sent += 1
        except Exception as exc:  # one bad address must not stop the others
            log.warning("report mail to user %s failed", person.id, exc_info=exc)
            failures.append(f"user {person.id}: {str(exc)[:100]}")  # no address kept
    if failures:
        return (
            "failed",
            f"Sent to {sent} of {len(people)}; " + "; ".join(failures),
            sent,
        )
    return "ok", f"Sent to {sent} {'person' if sent == 1 else 'people'}.", sent


def report_mail(
    subscription, organization, params, person, run_id, attachments, sender
) -> Mail:
    """One recipient's e-mail: the files, the period, and their own unsubscribe link."""
    link = unsubscribe_link(subscription.id, person.id)
    base = (current_app.config.get("KIKI_PUBLIC_URL") or "").rstrip("/")
    when = schedule_words(
        subscription.frequency,
        subscription.hour,
        subscription.weekday,
        subscription.month_day,
    )
    period = f"{params.get('start')} to {params.get('end')}"
    body = (
        f"Hello {person.name},\n\n"
        f'Attached is the report "{subscription.name}" of {organization} '
        f"({VIEW_WORDS.get(subscription.view, subscription.view)}, {period}).\n"
        f"Schedule: {when} ({'paused' if subscription.paused else 'active'}).\n\n"
        f"See and change your reports: {base}/reports\n\n"
        f"To stop receiving this report, open: {link}\n"
    )
    tag = hashlib.sha256(f"{run_id}:{person.id}".encode()).hexdigest()[:16]
    return Mail(
        to=person.email,
        subject=f"[KIKI report] {subscription.name}",
        body=body,
        message_id=f"<report.{run_id}.{tag}@{sender_domain(sender)}>",
        attachments=attachments,
        headers=(("List-Unsubscribe", f"<{link}>"),),
    )


def send_now(
    database, scope: Scope, subscription_id, *, ip_address=None, now=None
) -> tuple[str, str]:
    """Send a subscription at once (its owner, or an admin): a "manual" run is logged with its
    outcome, the schedule is unchanged; (outcome, message). Raises NotFound."""
    scope.require("analyst")
    moment = now or _now()
    with write_transaction(database) as session:
        subscription = load_subscription(session, scope, subscription_id)
        run = ReportRun(
            organization_id=subscription.organization_id,
            subscription_id=subscription.id,
            due_at=moment,
            trigger="manual",
            started_at=moment,
        )
        session.add(run)
        session.flush()
        record_event(
            session, scope.actor(ip_address), "report.send_now",
            target_type="report_subscription", target_id=subscription.id, details={},
        )  # fmt: skip
        run_id, number = run.id, subscription.id
    with Session(database.engine, expire_on_commit=False) as session:
        subscription = session.get(ReportSubscription, number)
        if subscription is None:
            raise NotFound("No such report subscription.")
        outcome, message, count = send_report(session, subscription, run_id, moment)
        _finish(session, run_id, outcome, message, count)
    return outcome, message
