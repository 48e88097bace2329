"""A migrated database per backend for the alert tests (committed rows: evaluation opens its own
sessions and other processes read them), and tiny factories: an organization with people, a
campaign on two platforms, daily metrics, rules and webhook endpoints. Each test makes its own
organization, so tests never see each other's rows."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from data.db import make_engine
from data.models import (
    AlertRule,
    CampaignDeployment,
    Organization,
    PerformanceMetric,
    PlatformDeployment,
    User,
    WebhookEndpoint,
)
from tests.services import create_database, dispose_database

_serial = itertools.count(1)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def alerts_url(request, tmp_path_factory):
    url = create_database(request.param, tmp_path_factory.mktemp("alerts"))
    yield url
    dispose_database(url)


@pytest.fixture(scope="module")
def alerts_engine(alerts_url):
    engine = make_engine(alerts_url)
    yield engine
    engine.dispose()


@pytest.fixture
def make_session(alerts_engine):
    """Plain sessions (no commit effects): deliveries stay in the outbox to be looked at. The
    rules of earlier tests are switched off, so only this test's rules are due."""
    with alerts_engine.begin() as conn:
        conn.execute(sa.update(AlertRule).values(is_active=False))
    return sessionmaker(alerts_engine, expire_on_commit=False)


def make_org(engine, *, people=("analyst", "admin")) -> dict:
    """An organization with users, one active campaign on meta and google; ids."""
    n = next(_serial)
    with Session(engine) as session:
        org = Organization(slug=f"alerts-{n}-{id(engine)}", name=f"Alerts {n} Ltd")
        session.add(org)
        session.flush()
        users = []
        for role in people:
            user = User(
                organization_id=org.id,
                email=f"{role}{n}@alerts{n}.test",
                name=f"{role.title()} {n}",
                role=role,
                password_hash="x",
            )
            session.add(user)
            session.flush()
            users.append(user.id)
        campaign = CampaignDeployment(
            organization_id=org.id,
            name="Winter sale",
            status="active",
            budget_type="daily",
            budget_amount=Decimal("100.00"),
            budget_daily=Decimal("100.00"),
        )
        session.add(campaign)
        session.flush()
        deployments = {}
        for platform in ("meta", "google"):
            deployment = PlatformDeployment(
                organization_id=org.id, campaign_id=campaign.id, platform=platform
            )
            session.add(deployment)
            session.flush()
            deployments[platform] = deployment.id
        session.commit()
        return {
            "org_id": org.id,
            "users": users,
            "campaign_id": campaign.id,
            "deployments": deployments,
        }


def add_metrics(
    engine,
    org: dict,
    day: dt.date,
    *,
    spend,
    revenue="0",
    conversions=0,
    platform="meta",
) -> None:
    """The day's row of the campaign on ``platform`` (replacing any)."""
    deployment = org["deployments"][platform]
    with Session(engine) as session:
        session.execute(
            sa.delete(PerformanceMetric).where(
                PerformanceMetric.platform_deployment_id == deployment,
                PerformanceMetric.date == day,
            )
        )
        session.add(
            PerformanceMetric(
                organization_id=org["org_id"],
                campaign_id=org["campaign_id"],
                platform_deployment_id=deployment,
                platform=platform,
                date=day,
                spend=Decimal(spend),
                revenue=Decimal(revenue),
                conversions=conversions,
            )
        )
        session.commit()


def add_rule(engine, org: dict, **fields) -> int:
    values = {
        "organization_id": org["org_id"],
        "name": "ROAS under 2",
        "condition": "roas_below",
        "target": "organization",
        "threshold": Decimal(2),
        "window_days": 7,
        "for_minutes": 0,
        "channels": ["in_app", "email", "webhook"],
        "recipient_ids": org["users"],
        **fields,
    }
    with Session(engine) as session:
        rule = AlertRule(**values)
        session.add(rule)
        session.commit()
        return rule.id


def add_endpoint(engine, org: dict, url: str, secret_encrypted: str = "x") -> int:
    with Session(engine) as session:
        endpoint = WebhookEndpoint(
            organization_id=org["org_id"], url=url, secret_encrypted=secret_encrypted
        )
        session.add(endpoint)
        session.commit()
        return endpoint.id


def make_due(engine, rule_ids=None) -> None:
    with engine.begin() as conn:
        query = sa.update(AlertRule).values(
            next_due_at=dt.datetime(2000, 1, 1, tzinfo=dt.UTC),
            lease_until=None,
            leased_by=None,
        )
        if rule_ids is not None:
            query = query.where(AlertRule.id.in_(rule_ids))
        conn.execute(query)


@pytest.fixture(scope="module")
def alerts_app(alerts_url, smtp_sink):
    """The app over the alerts database (its sessionmaker has the commit effects; the outbox
    handlers need its mailer and cipher); its Flask server."""
    from app import create_app
    from tests.factories import app_config

    app = create_app(
        app_config(
            alerts_url,
            KIKI_SMTP_URL=smtp_sink.url,
            KIKI_PUBLIC_URL="https://kiki.example",
        )
    )
    yield app.server
    app.server.extensions["kiki_db"].engine.dispose()
