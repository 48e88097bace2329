"""A scheduled report's attachment is the export route's PDF: the same text, read back with
pypdf, for the same view and parameters (both come from exports/pdf.py build_pdf). The campaign
list, which has no chart: a view with charts costs Chromium's start twice (10-25 s here) for the
same function."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from pypdf import PdfReader
from sqlalchemy.orm import Session

from data.models import ReportRecipient, ReportSubscription, User
from data.reports.deliver import deliver_due_reports
from tests.golden import expected_cases

CASE = next(c for c in expected_cases() if c["organization_slug"] == "acme")
GENERATED = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC")  # the minute it was made


def text_of(body: bytes) -> str:
    reader = PdfReader(io.BytesIO(body))
    return GENERATED.sub(
        "<generated>", "\n".join(p.extract_text() for p in reader.pages)
    )


@pytest.fixture
def acme_subscription(app, world):
    """acme_subscription(view, params): a subscription of acme's analyst to themself, due now;
    removed after the test."""
    database = app.server.extensions["kiki_db"]
    made = []

    def make(view: str, params: dict) -> int:
        with Session(database.engine) as session:
            analyst = session.query(User).filter_by(email="analyst@acme.test").one()
            subscription = ReportSubscription(
                organization_id=analyst.organization_id, owner_id=analyst.id,
                name=f"Acme {view}", view=view, params=params, frequency="daily", hour=6,
                next_run_at=dt.datetime(2000, 1, 1, tzinfo=dt.UTC),
            )  # fmt: skip
            session.add(subscription)
            session.flush()
            session.add(
                ReportRecipient(subscription_id=subscription.id, user_id=analyst.id)
            )
            session.commit()
            made.append(subscription.id)
            return subscription.id

    yield make
    with Session(database.engine) as session:
        for number in made:
            session.delete(session.get(ReportSubscription, number))
        session.commit()


def mailed_and_downloaded(app, client_for, smtp_sink, route: str) -> tuple:
    """(the attachment's part, its text, the route's answer, its text) after one job run."""
    before = len(smtp_sink.to("analyst@acme.test", timeout=0))
    with app.server.app_context():
        deliver_due_reports(app.server.extensions["kiki_db"])
    mails = smtp_sink.to("analyst@acme.test")
    assert len(mails) == before + 1
    (attachment,) = [p for p in mails[-1].iter_attachments()]
    downloaded = client_for("acme", "analyst").get(route)
    assert downloaded.status_code == 200
    return (
        attachment,
        text_of(attachment.get_content()),
        downloaded,
        text_of(downloaded.get_data()),
    )


def test_the_attachment_is_the_routes_pdf(
    app, client_for, acme_subscription, smtp_sink, monkeypatch
):
    # The route links under the request's root; the e-mail under KIKI_PUBLIC_URL: the same here.
    monkeypatch.setitem(app.server.config, "KIKI_PUBLIC_URL", "http://localhost")
    acme_subscription("campaigns", {"start": CASE["start"], "end": CASE["end"]})
    route = f"/export/campaigns.pdf?start={CASE['start']}&end={CASE['end']}"
    part, mailed, answer, downloaded = mailed_and_downloaded(
        app, client_for, smtp_sink, route
    )
    assert part.get_filename() in answer.headers["Content-Disposition"]
    assert "Acme" in mailed and f"{CASE['start']} to {CASE['end']}" in mailed
    assert mailed == downloaded
