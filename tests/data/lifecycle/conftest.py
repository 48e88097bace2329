"""An organization with a viewer, two analysts and two admins, in the rolled-back test session
(tests/conftest.py's ``session``)."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from data.models import Organization, OrganizationSettings, User
from data.scope import Scope

TODAY = dt.date(2026, 11, 1)


def make_org(session: Session, slug: str = "lc") -> dict:
    org = Organization(slug=f"{slug}-{id(session)}", name="Lifecycle Ltd")
    session.add(org)
    session.flush()
    session.add(OrganizationSettings(organization_id=org.id, currency="EUR"))
    people = {}
    for key, role in [
        ("viewer", "viewer"),
        ("analyst", "analyst"),
        ("analyst2", "analyst"),
        ("admin", "admin"),
        ("admin2", "admin"),
    ]:
        user = User(
            organization_id=org.id,
            email=f"{key}@{org.slug}.test",
            name=key.title(),
            role=role,
            password_hash="x",
        )
        session.add(user)
        session.flush()
        people[key] = Scope(org.id, role, user.id)
    session.flush()
    return {"org_id": org.id, **people}


@pytest.fixture
def org(session):
    return make_org(session)


def campaign_body(**overrides) -> dict:
    body = {
        "name": "Winter sale",
        "objective": "conversions",
        "platforms": ["meta", "google"],
        "budget_type": "daily",
        "budget_amount": "250.00",
        "start_date": "2026-11-10",
        "end_date": "2026-11-30",
        "variants": [
            {
                "headline": "Warm coats",
                "body": "Up to 40 % off.",
                "call_to_action": "Shop",
            },
            {"headline": "Cosy scarves", "body": "Knitted in Porto."},
        ],
    }
    body.update(overrides)
    return body


def count(session: Session, model, *where) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))
