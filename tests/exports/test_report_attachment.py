"""A scheduled report's attachment is the export route's PDF: the same text, read back with
pypdf, for the same view and parameters (both come from exports/pdf.py build_pdf)."""

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
    """A campaign-list subscription of acme's analyst to themself, due now; removed after."""
    database = app.server.extensions["kiki_db"]
    with Session(database.engine) as session:
        analyst = session.query(User).filter_by(email="analyst@acme.test").one()
        subscription = ReportSubscription(
            organization_id=analyst.organization_id, owner_id=analyst.id,
            name="Acme list", view="campaigns",
            params={"start": CASE["start"], "end": CASE["end"]},
            frequency="daily", hour=6,
            next_run_at=dt.datetime(2000, 1, 1, tzinfo=dt.UTC),
        )  # fmt: skip
        session.add(subscription)
        session.flush()
        session.add(
            ReportRecipient(subscription_id=subscription.id, user_id=analyst.id)
        )
        session.commit()
        number = subscription.id
    yield number
    with Session(database.engine) as session:
        session.delete(session.get(ReportSubscription, number))
        session.commit()


def test_the_attachment_is_the_routes_pdf(
    app, client_for, acme_subscription, smtp_sink, monkeypatch
):
    # The route links under the request's root; the e-mail under KIKI_PUBLIC_URL: the same here.
    monkeypatch.setitem(app.server.config, "KIKI_PUBLIC_URL", "http://localhost")
    before = len(smtp_sink.to("analyst@acme.test", timeout=0))
    with app.server.app_context():
        deliver_due_reports(app.server.extensions["kiki_db"])
    mails = smtp_sink.to("analyst@acme.test")
    assert len(mails) == before + 1
    (attachment,) = [p for p in mails[-1].iter_attachments()]
    route = client_for("acme", "analyst").get(
        f"/export/campaigns.pdf?start={CASE['start']}&end={CASE['end']}"
    )
    assert route.status_code == 200
    assert attachment.get_filename() in route.headers["Content-Disposition"]
    mailed, downloaded = text_of(attachment.get_content()), text_of(route.get_data())
    assert "Acme" in mailed and f"{CASE['start']} to {CASE['end']}" in mailed
    assert mailed == downloaded
