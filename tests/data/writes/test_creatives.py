"""The creatives library's writes and read: spec-checked links, archive/delete, performance per creative."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from data.errors import Conflict, Invalid, NotFound
from data.filters import DateRange
from data.media import uploads
from data.media.settings import MediaSettings
from data.models import (
    AdCopy,
    AuditLog,
    CampaignDeployment,
    Organization,
    PerformanceMetric,
    PlatformDeployment,
    UserAsset,
)
from data.reads.creative_library import LIBRARY_COLUMNS, creative_library
from data.scope import PermissionDenied, Scope
from data.writes.creatives import (
    add_copy_creative,
    add_uploaded_creative,
    archive_creative,
    delete_creative,
    link_creative,
)
from tests import media_corpus as corpus

NOVEMBER = DateRange(dt.date(2026, 11, 1), dt.date(2026, 11, 30))


@pytest.fixture
def shop(session, tmp_path):
    org, other = (
        Organization(slug="shop", name="Shop"),
        Organization(slug="x", name="X"),
    )
    session.add_all([org, other])
    session.flush()
    campaign = CampaignDeployment(
        organization_id=org.id, name="Winter", status="active"
    )
    session.add(campaign)
    session.flush()
    deployments = {
        platform: PlatformDeployment(
            organization_id=org.id, campaign_id=campaign.id, platform=platform
        )
        for platform in ("meta", "google", "tiktok")
    }
    session.add_all(deployments.values())
    session.flush()
    return {
        "scope": Scope(org.id, "analyst", None),
        "viewer": Scope(org.id, "viewer", None),
        "other": Scope(other.id, "admin", None),
        "campaign": campaign,
        "deployments": deployments,
        "settings": MediaSettings(root=Path(tmp_path) / "media"),
    }


def _upload(session, shop, content: bytes, name: str = "a.jpg"):
    settings, scope = shop["settings"], shop["scope"]
    upload = uploads.start_upload(
        settings, scope.organization_id, None, name, len(content), 0
    )
    uploads.write_chunk(upload, 0, len(content), [content])
    return add_uploaded_creative(session, scope, upload, settings)


def _metric(session, deployment, day: int, spend: str, revenue: str, clicks=10):
    session.add(
        PerformanceMetric(
            organization_id=deployment.organization_id,
            campaign_id=deployment.campaign_id,
            platform_deployment_id=deployment.id,
            platform=deployment.platform,
            date=dt.date(2026, 11, day),
            impressions=1000,
            clicks=clicks,
            conversions=2,
            spend=Decimal(spend),
            revenue=Decimal(revenue),
        )
    )


def test_upload_link_and_performance(session, shop):
    square = _upload(session, shop, corpus.jpeg(size=(1080, 1080))).asset
    wide = _upload(session, shop, corpus.jpeg(size=(1200, 628), color="blue")).asset
    meta, google = shop["deployments"]["meta"], shop["deployments"]["google"]
    scope = shop["scope"]
    link_creative(session, scope, square.id, deployment_id=meta.id)
    link_creative(session, scope, wide.id, deployment_id=google.id)
    _metric(session, meta, 3, "10.00", "50.00")
    _metric(session, meta, 4, "10.00", "30.00")
    _metric(session, google, 3, "40.00", "20.00", clicks=0)
    session.flush()
    frame = creative_library(session, scope, NOVEMBER)
    assert list(frame.columns) == LIBRARY_COLUMNS
    by_id = frame.set_index("asset_id")
    assert by_id.loc[square.id, "revenue"] == Decimal("80.00")
    assert by_id.loc[square.id, "roas"] == pytest.approx(4.0)
    assert by_id.loc[square.id, "ctr"] == pytest.approx(0.01)
    assert by_id.loc[square.id, "cvr"] == pytest.approx(0.2)
    assert by_id.loc[wide.id, "roas"] == pytest.approx(0.5)
    assert pd_isnan(by_id.loc[wide.id, "cvr"])  # no clicks: no value, not 0
    assert by_id.loc[square.id, "campaign_name"] == "Winter"
    assert by_id.loc[square.id, "spec_problems"]["meta"] == []
    assert creative_library(session, shop["other"], NOVEMBER).empty
    actions = session.scalars(
        sa.select(AuditLog.action).where(AuditLog.target_type == "user_asset")
    ).all()
    assert actions.count("creative_uploaded") == 2 and "creative_linked" in actions


def pd_isnan(value) -> bool:
    return math.isnan(value)


def test_failing_the_platform_spec_cannot_be_linked(session, shop):
    small = _upload(session, shop, corpus.jpeg(size=(200, 200))).asset
    video = _upload(session, shop, corpus.mp4_video(), name="clip.mp4").asset
    tiktok = shop["deployments"]["tiktok"]
    with pytest.raises(Invalid, match="TikTok's spec"):
        link_creative(session, shop["scope"], small.id, deployment_id=tiktok.id)
    link_creative(session, shop["scope"], video.id, deployment_id=tiktok.id)
    google = shop["deployments"]["google"]  # 9:16 at 6 s: Google wants 10 s or more
    with pytest.raises(Invalid, match="shorter than 10 s"):
        link_creative(session, shop["scope"], video.id, deployment_id=google.id)
    assert session.get(PlatformDeployment, google.id).user_asset_id is None


def test_ad_copy_lengths_per_platform(session, shop):
    long_body = "Warm boots for cold days. " * 6  # 156 characters
    copy = add_copy_creative(
        session, shop["scope"], headline="Boots", body=long_body
    ).asset
    again = add_copy_creative(session, shop["scope"], headline="Boots", body=long_body)
    assert again.asset.id == copy.id and not again.created
    with pytest.raises(Invalid, match="Meta's spec"):
        link_creative(
            session,
            shop["scope"],
            copy.id,
            deployment_id=shop["deployments"]["meta"].id,
        )
    variant = AdCopy(
        organization_id=copy.organization_id,
        campaign_id=shop["campaign"].id,
        variant_label="A",
        headline="Boots",
        body=long_body,
    )
    session.add(variant)
    session.flush()
    link_creative(session, shop["scope"], copy.id, ad_copy_id=variant.id)
    assert variant.user_asset_id == copy.id
    shop["deployments"]["meta"].ad_copy_id = variant.id  # the variant now runs on Meta
    session.flush()
    other = add_copy_creative(
        session, shop["scope"], headline="Boots!", body=long_body
    ).asset
    with pytest.raises(Invalid, match="runs on Meta"):
        link_creative(session, shop["scope"], other.id, ad_copy_id=variant.id)


def test_in_use_is_archived_not_deleted_and_unused_delete_removes_the_file(
    session, shop
):
    settings, scope = shop["settings"], shop["scope"]
    used = _upload(session, shop, corpus.jpeg(size=(1080, 1080))).asset
    unused = _upload(session, shop, corpus.png((600, 600))).asset
    link_creative(session, scope, used.id, deployment_id=shop["deployments"]["meta"].id)
    with pytest.raises(Conflict, match="archive"):
        delete_creative(session, scope, used.id, settings)
    archive_creative(session, scope, used.id)
    assert used.status == "archived"
    with pytest.raises(Invalid, match="archived"):
        link_creative(
            session, scope, used.id, deployment_id=shop["deployments"]["google"].id
        )
    path = settings.root / unused.storage_path
    thumb = settings.root / unused.thumbnail_path
    assert path.exists() and thumb.exists()
    delete_creative(session, scope, unused.id, settings)
    assert not path.exists() and not thumb.exists()
    assert (settings.root / used.storage_path).exists()
    assert session.get(UserAsset, unused.id) is None


def test_roles_and_organizations(session, shop):
    asset = _upload(session, shop, corpus.png((600, 600))).asset
    with pytest.raises(PermissionDenied):
        archive_creative(session, shop["viewer"], asset.id)
    with pytest.raises(NotFound):
        archive_creative(session, shop["other"], asset.id)
    with pytest.raises(NotFound):
        link_creative(
            session,
            shop["other"],
            asset.id,
            deployment_id=shop["deployments"]["meta"].id,
        )


def test_same_upload_twice_is_one_creative(session, shop):
    content = corpus.png((640, 640))
    first = _upload(session, shop, content)
    second = _upload(session, shop, content, name="again.png")
    assert first.created and not second.created
    assert second.asset.id == first.asset.id
    assert first.asset.source_sha256 == hashlib.sha256(content).hexdigest()


def test_lineage_prompt_creative_deployment_performance(session, shop):
    from data.models import ImagePrompt

    scope, settings = shop["scope"], shop["settings"]
    prompt = ImagePrompt(
        organization_id=scope.organization_id,
        campaign_id=shop["campaign"].id,
        prompt="A red boot on snow, 1:1",
    )
    session.add(prompt)
    session.flush()
    content = corpus.jpeg(size=(1080, 1080), color="red")
    upload = uploads.start_upload(
        settings, scope.organization_id, None, "ai.jpg", len(content), 0,
        prompt_id=prompt.id,
    )  # fmt: skip
    uploads.write_chunk(upload, 0, len(content), [content])
    asset = add_uploaded_creative(session, scope, upload, settings).asset
    assert (
        asset.image_prompt_id == prompt.id and asset.campaign_id == prompt.campaign_id
    )
    meta = shop["deployments"]["meta"]
    link_creative(session, scope, asset.id, deployment_id=meta.id)
    _metric(session, meta, 5, "5.00", "25.00")
    session.flush()
    row = creative_library(session, scope, NOVEMBER, asset_id=asset.id).iloc[0]
    assert row["prompt"] == "A red boot on snow, 1:1"
    assert row["platforms"] == "meta" and row["revenue"] == Decimal("25.00")
    video = corpus.mp4_video()
    wrong = uploads.start_upload(
        settings, scope.organization_id, None, "v.mp4", len(video), 0,
        prompt_id=prompt.id,
    )  # fmt: skip
    uploads.write_chunk(wrong, 0, len(video), [video])
    with pytest.raises(Invalid, match="video prompts"):
        add_uploaded_creative(session, scope, wrong, settings)
    assert not any(
        p.name.endswith(hashlib.sha256(video).hexdigest())
        for p in settings.root.rglob("*")
    )
