"""A migrated database per backend for the delivery tests (committed rows: the job opens its own
sessions, other processes read them), its app (the real SMTP sink, the bound renderer), and
tiny factories: an organization with people and a campaign with metrics, a subscription."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from data.db import make_engine
from data.models import ReportSubscription
from data.scope import Scope
from data.writes.report_subscriptions import create_subscription
from tests.data.alerts.conftest import add_metrics, make_org
from tests.services import create_database, dispose_database

PUBLIC_URL = "https://kiki.example"
LONG_AGO = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def reports_url(request, tmp_path_factory):
    url = create_database(request.param, tmp_path_factory.mktemp("reports"))
    yield url
    dispose_database(url)


@pytest.fixture(scope="module")
def reports_engine(reports_url):
    engine = make_engine(reports_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def reports_app(reports_url, smtp_sink):
    """The Flask server over the reports database (mailer: the sink; renderer: exports')."""
    from app import create_app
    from tests.factories import app_config

    app = create_app(
        app_config(
            reports_url,
            KIKI_SMTP_URL=smtp_sink.url,
            KIKI_PUBLIC_URL=PUBLIC_URL,
            KIKI_TODAY=None,  # relative ranges end on the real day (the metrics are yesterday's)
        )
    )
    yield app.server
    app.server.extensions["kiki_db"].engine.dispose()


@pytest.fixture
def database(reports_app, reports_engine):
    """The app's Database in an app context; earlier tests' subscriptions are paused, so only
    this test's are due."""
    with reports_engine.begin() as conn:
        conn.execute(sa.update(ReportSubscription).values(paused=True))
    with reports_app.app_context():
        yield reports_app.extensions["kiki_db"]


def report_org(engine) -> dict:
    """An organization with an analyst (the owner), an admin and a viewer, and yesterday's
    metrics of its campaign; ids and scopes."""
    org = make_org(engine, people=("analyst", "admin", "viewer"))
    yesterday = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)
    add_metrics(engine, org, yesterday, spend="100", revenue="250", conversions=4)
    analyst, admin, viewer = org["users"]
    return {
        **org,
        "analyst": analyst,
        "admin": admin,
        "viewer": viewer,
        "owner": Scope(org["org_id"], "analyst", analyst),
    }


def subscribe(engine, org: dict, *, due=LONG_AGO, **changes) -> int:
    """A daily campaign-list subscription of the org's analyst to the analyst and the viewer,
    due at ``due`` (the past: due now)."""
    raw = {
        "name": "Daily campaigns",
        "view": "campaigns",
        "range": "last_7",
        "frequency": "daily",
        "hour": 7,
        "recipient_ids": [org["analyst"], org["viewer"]],
        **changes,
    }
    with Session(engine) as session:
        made = create_subscription(session, org["owner"], raw)
        made.next_run_at = due
        session.commit()
        return made.id


def emails(engine, org: dict) -> dict[str, str]:
    """The org's people's addresses by role key."""
    from data.models import User

    with Session(engine) as session:
        rows = session.execute(
            sa.select(User.id, User.email).where(User.organization_id == org["org_id"])
        ).all()
    by_id = dict(rows)
    return {key: by_id[org[key]] for key in ("analyst", "admin", "viewer")}
