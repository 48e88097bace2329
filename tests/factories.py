"""Tiny factories for tests: a world of organizations and users, an app, a signed-in client."""

from __future__ import annotations

import re
import secrets
import tempfile

from cryptography.fernet import Fernet
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from auth.passwords import hash_password
from data.models import User
from tests.golden import load_golden

PASSWORD = "correct horse battery staple 42"
TEST_SECRET = "t" * 16 + secrets.token_hex(16)
TEST_ENCRYPTION_KEY = Fernet.generate_key().decode()


def app_config(database_url: str, **overrides) -> dict:
    """Production-like settings for a test app (not demo mode), on ``database_url``."""
    return {
        "DATABASE_URL": database_url,
        "KIKI_DEMO": False,
        "SECRET_KEY": TEST_SECRET,
        "KIKI_ENCRYPTION_KEYS": [TEST_ENCRYPTION_KEY],
        "SESSION_COOKIE_SECURE": False,
        "TESTING": True,
        "KIKI_TODAY": "2026-11-01",
        "KIKI_WEBHOOK_ALLOW_LOCAL": True,  # the tests' webhook receivers are on loopback
        "RATELIMIT_KEY_PREFIX": f"kiki-test-{secrets.token_hex(4)}",
        "CACHE_KEY_PREFIX": f"kiki-test-{secrets.token_hex(4)}:",
        # A test that reads a whole answer of every route (get_data) meets /live/events too: its
        # stream ends within half a second instead of after 15 minutes.
        "LIVE_STREAM_SECONDS": 0.3,
        "LIVE_HEARTBEAT_SECONDS": 0.1,
        # Creatives' files of a test app go to a directory of their own, never instance/.
        "KIKI_MEDIA_DIR": tempfile.mkdtemp(prefix="kiki-media-"),
        **overrides,
    }


def add_user(
    session: Session,
    organization_id: int,
    role: str,
    email: str,
    password: str = PASSWORD,
) -> User:
    user = User(
        organization_id=organization_id,
        email=email,
        name=email.split("@")[0].title(),
        role=role,
        password_hash=hash_password(password),
    )
    session.add(user)
    session.flush()
    return user


def build_world(session: Session) -> dict:
    """The golden dataset plus a viewer, analyst and admin in each organization (committed)."""
    ids = load_golden(session)
    users = {}
    for slug, org_id in ids["orgs"].items():
        for role in ("viewer", "analyst", "admin"):
            users[(slug, role)] = add_user(
                session, org_id, role, f"{role}@{slug}.test"
            ).email
    session.commit()
    return {**ids, "users": users}


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    html = client.get(path).get_data(as_text=True)
    match = re.search(
        r'name="csrf_token" type="hidden" value="([^"]+)"', html
    ) or re.search(r'value="([^"]+)"[^>]*name="csrf_token"', html)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def login(client: FlaskClient, email: str, password: str = PASSWORD):
    """Sign in through the real form (with its CSRF token); returns the response."""
    token = csrf_token(client)
    return client.post(
        "/login", data={"email": email, "password": password, "csrf_token": token}
    )


def add_bulk_organization(session: Session, campaigns: int) -> int:
    """An organization "bulk" with ``campaigns`` draft campaigns (for paging) and a viewer and analyst."""
    from decimal import Decimal

    from data.models import CampaignDeployment, Organization

    org = Organization(slug="bulk", name="Bulk Co", fee_rate=Decimal("0.2"))
    session.add(org)
    session.flush()
    session.add_all(
        CampaignDeployment(
            organization_id=org.id,
            name=f"Bulk {i:03d}",
            status="draft",
            budget_daily=Decimal(i),
        )
        for i in range(1, campaigns + 1)
    )
    for role in ("viewer", "analyst"):
        add_user(session, org.id, role, f"{role}@bulk.test")
    session.commit()
    return org.id
