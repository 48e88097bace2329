"""Delivery (data/reports/deliver.py) through the real SMTP sink: one e-mail per recipient per due
time with the PDF (and CSV), the run logged; catch-up once after a stop; deactivated recipients
and departed owners; a due time already sent; send-now; the unsubscribe link.

Sending is synchronous and the sink keeps a message before it answers 250, so once the job has
returned, "nothing arrived" needs no wait (``timeout=0``)."""

from __future__ import annotations

import datetime as dt
import io
import re

import sqlalchemy as sa
from pypdf import PdfReader
from sqlalchemy.orm import Session

from data.models import (
    CampaignDeployment,
    ReportRecipient,
    ReportRun,
    ReportSubscription,
    User,
)
from data.reports.deliver import deliver_due_reports, run_scheduled, send_now
from tests.data.reports.conftest import LONG_AGO, emails, report_org, subscribe
from tests.factories import csrf_token


def runs(engine, subscription_id: int) -> list[ReportRun]:
    with Session(engine) as session:
        return list(
            session.scalars(
                sa.select(ReportRun)
                .where(ReportRun.subscription_id == subscription_id)
                .order_by(ReportRun.id)
            )
        )


def subscription(engine, subscription_id: int) -> ReportSubscription:
    with Session(engine) as session:
        return session.get(ReportSubscription, subscription_id)


def deactivate(engine, user_id: int) -> None:
    with engine.begin() as conn:
        conn.execute(sa.update(User).where(User.id == user_id).values(is_active=False))


def aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def test_a_due_report_is_one_mail_per_recipient_with_its_files(
    database, reports_engine, smtp_sink
):
    org = report_org(reports_engine)
    number = subscribe(reports_engine, org, include_csv=True)
    people = emails(reports_engine, org)
    before = dt.datetime.now(dt.UTC)
    assert deliver_due_reports(database) == "1 reports sent, 0 not sent"
    for key in ("analyst", "viewer"):
        (mail,) = smtp_sink.to(people[key])
        assert mail["Subject"] == "[KIKI report] Daily campaigns"
        assert (
            mail["List-Unsubscribe"]
            .strip()
            .startswith("<https://kiki.example/unsubscribe/")
        )
        files = {part.get_filename(): part for part in mail.iter_attachments()}
        pdf = next(name for name in files if name.endswith(".pdf"))
        assert pdf.startswith("kiki-campaigns-")
        reader = PdfReader(io.BytesIO(files[pdf].get_content()))
        assert "$250.00" in reader.pages[0].extract_text()  # yesterday's revenue
        csv_name = pdf[: -len(".pdf")] + ".csv"
        assert "Winter sale" in files[csv_name].get_content()
    assert not smtp_sink.to(people["admin"], timeout=0)  # not a recipient
    (run,) = runs(reports_engine, number)
    assert (run.outcome, run.recipients, run.trigger) == ("ok", 2, "schedule")
    assert aware(run.due_at) == LONG_AGO
    after = subscription(reports_engine, number)
    assert aware(after.next_run_at) > before and after.leased_by is None


def test_due_times_missed_while_down_are_caught_up_once(
    database, reports_engine, smtp_sink
):
    org = report_org(reports_engine)
    number = subscribe(
        reports_engine, org
    )  # daily, last due in 2000: ~9,800 slots missed
    people = emails(reports_engine, org)
    deliver_due_reports(database)
    deliver_due_reports(database)  # nothing is due any more
    assert len(smtp_sink.to(people["analyst"])) == 1
    assert len(smtp_sink.to(people["viewer"])) == 1
    assert len(runs(reports_engine, number)) == 1
    next_run = aware(subscription(reports_engine, number).next_run_at)
    assert (
        dt.datetime.now(dt.UTC)
        < next_run
        <= dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    )


def test_a_deactivated_recipient_gets_nothing_at_once(
    database, reports_engine, smtp_sink
):
    org = report_org(reports_engine)
    number = subscribe(reports_engine, org)
    people = emails(reports_engine, org)
    deactivate(reports_engine, org["viewer"])
    deliver_due_reports(database)
    assert len(smtp_sink.to(people["analyst"])) == 1
    assert smtp_sink.to(people["viewer"], timeout=0) == []
    (run,) = runs(reports_engine, number)
    assert (run.outcome, run.recipients) == ("ok", 1)


def test_a_subscription_whose_owner_left_is_skipped_and_logged(
    database, reports_engine, smtp_sink
):
    org = report_org(reports_engine)
    number = subscribe(reports_engine, org)
    people = emails(reports_engine, org)
    deactivate(reports_engine, org["analyst"])
    deliver_due_reports(database)
    assert smtp_sink.to(people["viewer"], timeout=0) == []
    (run,) = runs(reports_engine, number)
    assert run.outcome == "skipped" and "owner" in run.message
    assert aware(subscription(reports_engine, number).next_run_at) > dt.datetime.now(
        dt.UTC
    )


def test_a_due_time_another_process_already_ran_sends_nothing(
    database, reports_engine, smtp_sink
):
    """The unique (subscription, due time) is the last guard: a process whose lease ran out
    while another took the same slot finds the run row there and sends nothing."""
    org = report_org(reports_engine)
    number = subscribe(reports_engine, org)
    people = emails(reports_engine, org)
    with Session(reports_engine) as session:
        session.add(
            ReportRun(
                organization_id=org["org_id"], subscription_id=number, due_at=LONG_AGO,
                trigger="schedule", outcome="ok", started_at=LONG_AGO,
            )
        )  # fmt: skip
        session.execute(
            sa.update(ReportSubscription)
            .where(ReportSubscription.id == number)
            .values(leased_by="mine", lease_until=dt.datetime.now(dt.UTC))
        )
        session.commit()
    assert run_scheduled(database, number, "mine") == "already sent"
    assert smtp_sink.to(people["analyst"], timeout=0) == []
    assert len(runs(reports_engine, number)) == 1
    assert aware(subscription(reports_engine, number).next_run_at) > dt.datetime.now(
        dt.UTC
    )


def test_send_now_sends_at_once_and_logs_a_manual_run(
    database, reports_engine, smtp_sink
):
    org = report_org(reports_engine)
    future = dt.datetime.now(dt.UTC) + dt.timedelta(days=3)
    number = subscribe(reports_engine, org, due=future)
    people = emails(reports_engine, org)
    outcome, message = send_now(database, org["owner"], number)
    assert (outcome, message) == ("ok", "Sent to 2 people.")
    assert len(smtp_sink.to(people["viewer"])) == 1
    (run,) = runs(reports_engine, number)
    assert (run.trigger, run.outcome, run.recipients) == ("manual", "ok", 2)
    assert aware(subscription(reports_engine, number).next_run_at) == future


def test_the_unsubscribe_link_removes_that_recipient_and_a_tampered_one_is_refused(
    database, reports_app, reports_engine, smtp_sink
):
    org = report_org(reports_engine)
    number = subscribe(reports_engine, org)
    people = emails(reports_engine, org)
    deliver_due_reports(database)
    (mail,) = smtp_sink.to(people["viewer"])
    link = re.search(
        r"https://kiki\.example(/unsubscribe/\S+)", mail.get_body().get_content()
    )
    path = link.group(1)
    client = (
        reports_app.test_client()
    )  # not signed in: the link works without an account
    page = client.get(path)
    assert page.status_code == 200 and "Daily campaigns" in page.get_data(as_text=True)
    assert recipients(reports_engine, number) == {
        org["analyst"],
        org["viewer"],
    }  # GET: no change
    tampered = path[:-2] + ("A" if path[-2] != "A" else "B") + path[-1]
    assert client.get(tampered).status_code == 404
    token = csrf_token(client, path)
    assert client.post(tampered, data={"csrf_token": token}).status_code == 404
    assert client.post(path, data={}).status_code == 400  # no CSRF token
    done = client.post(path, data={"csrf_token": token})
    assert done.status_code == 200 and "no longer receive" in done.get_data(
        as_text=True
    )
    assert recipients(reports_engine, number) == {org["analyst"]}
    with reports_engine.begin() as conn:
        conn.execute(
            sa.update(ReportSubscription)
            .where(ReportSubscription.id == number)
            .values(next_run_at=LONG_AGO + dt.timedelta(days=1))  # another due time
        )
    deliver_due_reports(database)
    assert len(smtp_sink.to(people["analyst"])) == 2
    assert len(smtp_sink.to(people["viewer"], timeout=0)) == 1  # the first one only


def recipients(engine, number: int) -> set[int]:
    with Session(engine) as session:
        return set(
            session.scalars(
                sa.select(ReportRecipient.user_id).where(
                    ReportRecipient.subscription_id == number
                )
            )
        )


def test_a_report_that_cannot_be_made_is_a_failed_run_and_nothing_is_sent(
    database, reports_engine, smtp_sink
):
    org = report_org(reports_engine)
    number = subscribe(
        reports_engine, org, view="campaign", campaign_id=org["campaign_id"]
    )
    people = emails(reports_engine, org)
    with (
        reports_engine.begin() as conn
    ):  # the campaign is deleted after the subscription
        conn.execute(
            sa.update(CampaignDeployment)
            .where(CampaignDeployment.id == org["campaign_id"])
            .values(deleted_at=dt.datetime.now(dt.UTC))
        )
    assert deliver_due_reports(database) == "0 reports sent, 1 not sent"
    assert smtp_sink.to(people["analyst"], timeout=0) == []
    (run,) = runs(reports_engine, number)
    assert run.outcome == "failed" and "no longer in the organization" in run.message
    assert aware(subscription(reports_engine, number).next_run_at) > dt.datetime.now(
        dt.UTC
    )
