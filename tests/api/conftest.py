"""API fixtures: an app with roomy API rate limits and a CORS allow-list, bearer tokens per user."""

from __future__ import annotations

import tempfile
import uuid

import pytest
from hypothesis.configuration import set_hypothesis_home_dir

from data.db import get_database
from tests.factories import PASSWORD, add_user, app_config

ALLOWED_ORIGIN = "https://bi.example.com"
# Hypothesis (under schemathesis) keeps a cache folder; keep it out of the work tree.
set_hypothesis_home_dir(tempfile.mkdtemp(prefix="kiki-hypothesis-"))


@pytest.fixture(scope="session")
def app(world_url):
    """Overrides the shared app: the same world, limits that a schemathesis run cannot reach."""
    from app import create_app

    url, _world = world_url
    app = create_app(
        app_config(
            url,
            KIKI_API_RATE_LIMIT="100000 per minute",
            KIKI_API_IP_RATE_LIMIT="100000 per minute",
            # The modules' anonymous and bad-token checks, on one address, passed the default
            # 120 refusals a minute once the LTV and ingest tests came: tests/auth/
            # test_address_limits.py tests that limit with an app of its own.
            KIKI_API_AUTH_FAILURE_LIMIT="100000 per minute",
            KIKI_CORS_ORIGINS=[ALLOWED_ORIGIN],
        )
    )
    yield app
    app.server.extensions["kiki_api_audit"].close()  # before the database is dropped


@pytest.fixture
def api(app):
    return app.server.test_client()


def request_token(client, email: str, password: str = PASSWORD):
    return client.post(
        "/api/v1/auth/token",
        data={"grant_type": "password", "username": email, "password": password},
    )


@pytest.fixture
def token_for(api):
    """token_for("acme", "viewer") -> a fresh access token of that world user."""

    def make(slug: str, role: str) -> str:
        response = request_token(api, f"{role}@{slug}.test")
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.json["access_token"]

    return make


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def make_user(app, lab):
    """make_user("analyst") -> (id, email) of a new user of the lab organization.

    In the lab, not in acme or globex, so the users, tokens and lockouts these tests create
    never show up in other tests' views of the golden organizations.
    """

    def make(role: str = "viewer") -> tuple[int, str]:
        email = f"api-{uuid.uuid4().hex[:10]}@{lab['slug']}.test"
        with app.server.app_context(), get_database().session_scope() as session:
            user = add_user(session, lab["org"], role, email)
            return user.id, email

    return make


@pytest.fixture(scope="session")
def lab(app):
    """A third organization with what the golden data lacks: A/B variants and LTV predictions.

    Its own tenant, so the golden organizations' numbers stay exactly as expected elsewhere.
    Returns ids and a personal token of its analyst.
    """
    import datetime as dt
    from decimal import Decimal

    from data.models import (
        AdCopy,
        CampaignDeployment,
        LtvPrediction,
        Organization,
        PerformanceMetric,
        PlatformDeployment,
    )
    from data.writes.api_tokens import create_token

    slug = f"apilab-{uuid.uuid4().hex[:6]}"
    with app.server.app_context(), get_database().session_scope() as session:
        org = Organization(slug=slug, name="API Lab", fee_rate=Decimal("0.1250"))
        session.add(org)
        session.flush()
        campaigns = []
        for name in ("Lab Split Test", "Lab Retargeting"):
            campaign = CampaignDeployment(
                organization_id=org.id,
                name=name,
                status="active",
                budget_daily=Decimal("75.50"),
            )
            session.add(campaign)
            session.flush()
            campaigns.append(campaign)
        split = campaigns[0]
        for index, (label, platform) in enumerate((("A", "meta"), ("B", "google"))):
            copy = AdCopy(
                organization_id=org.id,
                campaign_id=split.id,
                variant_label=label,
                headline=f"Headline {label}",
                body="Body",
            )
            session.add(copy)
            session.flush()
            deployment = PlatformDeployment(
                organization_id=org.id,
                campaign_id=split.id,
                platform=platform,
                ad_copy_id=copy.id,
            )
            session.add(deployment)
            session.flush()
            for day in range(14):
                session.add(
                    PerformanceMetric(
                        organization_id=org.id,
                        campaign_id=split.id,
                        platform_deployment_id=deployment.id,
                        platform=platform,
                        date=dt.date(2026, 10, 19) + dt.timedelta(days=day),
                        impressions=1000 + 37 * day,
                        clicks=20 + day + 9 * index,
                        conversions=2 + (day % 3) + 2 * index,
                        spend=Decimal("31.17") + day,
                        revenue=Decimal("45.03") + 3 * day * (index + 1),
                    )
                )
        for campaign, ltv, cost in zip(
            campaigns, ("120.40", "88.00"), ("30.10", "44.00")
        ):
            for version, at in (("v1", "2026-10-01"), ("v2", "2026-10-20")):
                session.add(
                    LtvPrediction(
                        organization_id=org.id,
                        campaign_id=campaign.id,
                        cohort_size=150,
                        predicted_ltv=Decimal(ltv) + (1 if version == "v2" else 0),
                        acquisition_cost=Decimal(cost),
                        payback_days=21,
                        confidence=Decimal("0.8000"),
                        model_version=version,
                        predicted_at=dt.datetime.fromisoformat(at + "T08:00:00+00:00"),
                    )
                )
        analyst = add_user(session, org.id, "analyst", f"analyst@{slug}.test")
        session.flush()
        _token, plaintext = create_token(session, analyst.id, "lab")
        ids = {
            "org": org.id,
            "slug": slug,
            "campaigns": [c.id for c in campaigns],
            "analyst": analyst.id,
        }
    return {**ids, "token": plaintext}


@pytest.fixture
def shop(app):
    """A fresh organization for lifecycle tests: a viewer, two analysts and two admins, each
    with an access token (``shop["headers"]["analyst"]``), euros, and no campaigns yet.

    Its own tenant (the golden organizations' numbers stay untouched) and a new one per test,
    so queues, notifications and row counts start empty.
    """
    from api.bearer import issue_access_token
    from data.models import Organization, OrganizationSettings, User

    slug = f"shop-{uuid.uuid4().hex[:8]}"
    people = {}
    with app.server.app_context(), get_database().session_scope() as session:
        org = Organization(slug=slug, name="Shop Ltd")
        session.add(org)
        session.flush()
        session.add(OrganizationSettings(organization_id=org.id, currency="EUR"))
        for key in ("viewer", "analyst", "analyst2", "admin", "admin2"):
            user = User(
                organization_id=org.id,
                email=f"{key}@{slug}.test",
                name=key.title(),
                role=key.rstrip("2"),
                password_hash="not a usable hash",
            )
            session.add(user)
            session.flush()
            people[key] = user
        headers = {
            key: bearer(issue_access_token(user)) for key, user in people.items()
        }
        ids = {key: user.id for key, user in people.items()}
        org_id = org.id
    return {"org": org_id, "slug": slug, "ids": ids, "headers": headers}
