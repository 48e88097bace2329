"""Privacy fixtures: a private world per backend, an app on it (Redis-backed caches), a person."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from data.db import make_engine
from data.models import (
    CampaignDeployment,
    Invitation,
    Organization,
    PlatformCredential,
    User,
    UserAsset,
)
from data.scope import Scope
from data.writes.api_tokens import create_token
from data.writes.users import create_user
from tests.conftest import BACKENDS
from tests.factories import PASSWORD, app_config, build_world
from tests.services import create_database, dispose_database, redis_url


@pytest.fixture(scope="module", params=BACKENDS)
def privacy_world(request, tmp_path_factory):
    """(url, world): golden data and users of every role, private to one test module."""
    url = create_database(request.param, tmp_path_factory.mktemp("privacy"))
    engine = make_engine(url)
    with Session(engine) as session:
        world = build_world(session)
    engine.dispose()
    yield url, world
    dispose_database(url)


def privacy_app(url: str, tmp_path, **overrides):
    from app import create_app

    settings = {"KIKI_BACKUP_DIR": str(tmp_path / "backups"), **overrides}
    return create_app(app_config(url, **settings))


def add_person(session: Session, org_id: int, admin_id: int) -> dict:
    """A person with something in every place the registry names; committed."""
    tag = uuid.uuid4().hex[:8]
    email, name = f"erin.{tag}@acme.test", f"Erin Erasable{tag}"
    scope = Scope(organization_id=org_id, role="admin", user_id=admin_id)
    user = create_user(
        session, scope, email=email, name=name, role="analyst",
        password=PASSWORD, ip_address="10.1.2.3",
    )  # fmt: skip
    _token, _plain = create_token(session, user.id, "laptop", ip_address="10.9.9.9")
    campaign = CampaignDeployment(
        organization_id=org_id, name=f"Winter {tag}", created_by_id=user.id,
        budget_daily=Decimal(10),
    )  # fmt: skip
    session.add(campaign)
    session.flush()
    session.add(
        UserAsset(
            organization_id=org_id, campaign_id=campaign.id, kind="image",
            filename="banner.png", content_type="image/png", size_bytes=10,
            sha256="0" * 64, storage_path=f"assets/{tag}.png", uploaded_by_id=user.id,
        )
    )  # fmt: skip
    credential = session.query(PlatformCredential).filter_by(organization_id=org_id)
    for row in credential:
        row.updated_by_id = user.id
    expires = dt.datetime.now(dt.UTC) + dt.timedelta(days=7)
    session.add_all(
        [  # an earlier invitation of their address, and one they sent
            Invitation(
                organization_id=org_id, email=email, name=name, role="analyst",
                invited_by=admin_id, token_hash=uuid.uuid4().hex * 2,
                expires_at=expires, revoked_at=dt.datetime.now(dt.UTC),
            ),
            Invitation(
                organization_id=org_id, email=f"friend.{tag}@example.test",
                name="A Friend", role="viewer", invited_by=user.id,
                token_hash=uuid.uuid4().hex * 2, expires_at=expires,
            ),
        ]
    )  # fmt: skip
    session.commit()
    return {"id": user.id, "email": email, "name": name, "campaign_id": campaign.id}


@pytest.fixture
def redis_app(privacy_world, tmp_path):
    url, _world = privacy_world
    app = privacy_app(url, tmp_path, REDIS_URL=redis_url())
    yield app
    app.server.extensions["kiki_db"].engine.dispose()


def acme_admin_id(session: Session) -> tuple[int, int]:
    org = session.query(Organization).filter_by(slug="acme").one()
    admin = session.query(User).filter_by(email="admin@acme.test").one()
    return org.id, admin.id
