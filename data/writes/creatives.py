"""The creatives library's writes: store an upload, add ad copy, link, archive, delete.

Each runs inside ``write_transaction`` with its audit row. A stored file is moved into place
before its row commits; when the row does not commit, the file is removed again unless
another row points at it (``_remove_unreferenced``), and the same after a delete.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from data.cache import invalidate_on_commit
from data.errors import Conflict, Invalid, NotFound
from data.media import specs, uploads
from data.media.errors import Refused
from data.media.settings import MediaSettings
from data.media.store import StoredFile, remove_files, store_upload
from data.models import (
    AdCopy,
    CampaignDeployment,
    ImagePrompt,
    PlatformDeployment,
    UserAsset,
    VideoPrompt,
)
from data.scope import Scope
from data.writes.audit import record_event
from data.writes.transaction import write_transaction

MAX_HEADLINE, MAX_BODY, MAX_CTA = 255, 5000, 64


@dataclass(frozen=True)
class Added:
    asset: UserAsset
    created: bool  # False: the same file (or text) was already in the library


def used_bytes(session: Session, scope: Scope) -> int:
    """Bytes the organization's stored files take (each path once)."""
    distinct = (
        sa.select(
            UserAsset.storage_path, sa.func.max(UserAsset.size_bytes).label("size")
        )
        .where(
            UserAsset.organization_id == scope.organization_id,
            UserAsset.storage_path != "",
            UserAsset.kind != "copy",
        )
        .group_by(UserAsset.storage_path)
        .subquery()
    )
    return int(
        session.scalar(sa.select(sa.func.coalesce(sa.func.sum(distinct.c.size), 0)))
    )


def add_uploaded_creative(
    session: Session,
    scope: Scope,
    upload: uploads.Upload,
    settings: MediaSettings,
    *,
    ip_address: str | None = None,
) -> Added:
    """Validate and store a completed upload, and add its row (or find the same file's).

    Whatever happens the upload's session and temporary files are gone afterwards; Refused
    says why a file was not accepted (nothing of it stays on disk).
    """
    scope.require("analyst")
    if upload.organization_id != scope.organization_id:
        raise NotFound("No such upload.")
    if upload.received != upload.total:
        raise Refused(
            f"The upload is incomplete: {upload.received:,} of {upload.total:,} bytes.",
            409,
        )
    campaign_id = _campaign_id(session, scope, upload.campaign_id)
    _owned_prompt(session, scope, upload.prompt_id)  # before the bytes are processed
    received, source_sha = uploads.take_completed(upload)
    existing = _same_source(session, scope, source_sha)
    if existing is not None:
        received.unlink(missing_ok=True)
        return Added(existing, created=False)
    stored = store_upload(received, source_sha, scope.organization_id, settings)
    try:
        with write_transaction(session):
            asset = _existing_file(session, scope, stored)
            if asset is not None:
                return Added(asset, created=False)
            if used_bytes(session, scope) + stored.size_bytes > settings.quota_bytes:
                raise Refused(
                    f"Your organization's storage quota ({settings.quota_bytes:,} bytes) "
                    "would be exceeded. Delete unused creatives first.",
                    413,
                )
            asset = _asset_row(scope, upload, stored, source_sha, campaign_id)
            _set_prompt(session, scope, asset, upload.prompt_id)
            session.add(asset)
            session.flush()
            _audit(session, scope, ip_address, "creative_uploaded", asset)
        return Added(asset, created=True)
    except BaseException:
        _remove_unreferenced(session, settings, _paths(stored))
        raise


def _asset_row(scope, upload, stored: StoredFile, source_sha, campaign_id) -> UserAsset:
    return UserAsset(
        organization_id=scope.organization_id,
        campaign_id=campaign_id,
        kind=stored.kind,
        filename=upload.filename,
        content_type=stored.content_type,
        size_bytes=stored.size_bytes,
        sha256=stored.sha256,
        source_sha256=source_sha,
        storage_path=stored.storage_path,
        thumbnail_path=stored.thumbnail_path,
        width=stored.width,
        height=stored.height,
        duration_seconds=stored.duration_seconds,
        video_codec=stored.video_codec,
        uploaded_by_id=scope.user_id,
    )


def add_copy_creative(
    session: Session,
    scope: Scope,
    *,
    headline: str,
    body: str,
    call_to_action: str | None = None,
    campaign_id: int | None = None,
    ip_address: str | None = None,
) -> Added:
    """Ad copy (text) as a creative; the same text twice is one creative."""
    scope.require("analyst")
    headline = (headline or "").strip() if isinstance(headline, str) else ""
    body = (body or "").strip() if isinstance(body, str) else ""
    cta = (call_to_action or "").strip() if isinstance(call_to_action, str) else ""
    if not headline or not body:
        raise Invalid("Ad copy needs a headline and a text.")
    if len(headline) > MAX_HEADLINE or len(body) > MAX_BODY or len(cta) > MAX_CTA:
        raise Invalid(
            f"Ad copy takes at most {MAX_HEADLINE} characters of headline, {MAX_BODY:,} of "
            f"text and {MAX_CTA} of call to action."
        )
    campaign_id = _campaign_id(session, scope, campaign_id)
    text = f"{headline}\n{body}\n{cta}".encode()
    sha = hashlib.sha256(text).hexdigest()
    existing = _same_source(session, scope, sha)
    if existing is not None:
        return Added(existing, created=False)
    asset = UserAsset(
        organization_id=scope.organization_id,
        campaign_id=campaign_id,
        kind="copy",
        filename=headline[:255],
        content_type="text/plain",
        size_bytes=len(text),
        sha256=sha,
        source_sha256=sha,
        storage_path="",
        headline=headline,
        body=body,
        call_to_action=cta or None,
        uploaded_by_id=scope.user_id,
    )
    session.add(asset)
    session.flush()
    _audit(session, scope, ip_address, "creative_added", asset)
    return Added(asset, created=True)


def link_creative(
    session: Session,
    scope: Scope,
    asset_id: int,
    *,
    deployment_id: int | None = None,
    ad_copy_id: int | None = None,
    ip_address: str | None = None,
) -> UserAsset:
    """Point a platform deployment (or an ad-copy variant) at the creative.

    Refused (Invalid) when the creative fails the deployment's platform spec, and for an
    archived creative."""
    scope.require("analyst")
    asset = creative_row(session, scope, asset_id)
    if asset.status == "archived":
        raise Invalid("This creative is archived: restore it before linking it.")
    if (deployment_id is None) == (ad_copy_id is None):
        raise Invalid("Link the creative to one platform deployment or one ad copy.")
    if deployment_id is not None:
        target = _owned(session, scope, PlatformDeployment, deployment_id, "deployment")
        found = specs.problems(spec_view(asset), target.platform)
        if found:
            name = specs.SPECS[target.platform].name
            raise Invalid(
                f"This creative does not meet {name}'s spec, so it cannot run there: "
                + " ".join(found)
            )
        target.user_asset_id = asset.id
        details = {"deployment_id": target.id, "platform": target.platform}
    else:
        target = _owned(session, scope, AdCopy, ad_copy_id, "ad copy")
        # The variant runs on its deployments' platforms: each of their specs applies.
        platforms = session.scalars(
            sa.select(PlatformDeployment.platform)
            .where(PlatformDeployment.ad_copy_id == target.id)
            .distinct()
        ).all()
        for platform in sorted(platforms):
            found = specs.problems(spec_view(asset), platform)
            if found:
                name = specs.SPECS[platform].name
                raise Invalid(
                    f"This variant runs on {name}, whose spec this creative does not meet: "
                    + " ".join(found)
                )
        target.user_asset_id = asset.id
        details = {"ad_copy_id": target.id}
    if asset.campaign_id is None:
        asset.campaign_id = target.campaign_id
    session.flush()
    _audit(session, scope, ip_address, "creative_linked", asset, details)
    return asset


def archive_creative(
    session: Session,
    scope: Scope,
    asset_id: int,
    *,
    archived: bool = True,
    ip_address: str | None = None,
) -> UserAsset:
    """Archive (or restore) a creative: kept with its history, not offered for new links."""
    scope.require("analyst")
    asset = creative_row(session, scope, asset_id)
    asset.status = "archived" if archived else "active"
    asset.archived_at = dt.datetime.now(dt.UTC) if archived else None
    session.flush()
    action = "creative_archived" if archived else "creative_restored"
    _audit(session, scope, ip_address, action, asset)
    return asset


def delete_creative(
    session: Session,
    scope: Scope,
    asset_id: int,
    settings: MediaSettings,
    *,
    ip_address: str | None = None,
) -> None:
    """Delete an unused creative and, after the commit, its files when no other row points
    at them. A creative in use (a deployment or an ad copy shows it) is a Conflict: archive it."""
    scope.require("analyst")
    asset = creative_row(session, scope, asset_id)
    if in_use(session, asset.id):
        raise Conflict(
            "This creative is in use by a deployment or an ad copy: archive it instead."
        )
    paths = [p for p in (asset.storage_path, asset.thumbnail_path) if p]
    with write_transaction(session):
        _audit(session, scope, ip_address, "creative_deleted", asset)
        session.delete(asset)
    if not asset.storage_path.startswith("demo/"):
        _remove_unreferenced(session, settings, paths)


def record_refusal(
    session: Session, scope: Scope, filename, reason: str, *, ip_address=None
) -> None:
    """A refused file leaves an audit row (who tried what, and why), nothing else."""
    name = uploads.clean_filename(filename if isinstance(filename, str) else None)
    record_event(
        session,
        scope.actor(ip_address),
        "creative_refused",
        target_type="user_asset",
        details={"filename": name, "reason": reason[:300]},
    )


def in_use(session: Session, asset_id: int) -> bool:
    deployment = sa.select(PlatformDeployment.id).where(
        PlatformDeployment.user_asset_id == asset_id
    )
    copy = sa.select(AdCopy.id).where(AdCopy.user_asset_id == asset_id)
    return bool(
        session.scalar(sa.select(sa.exists(deployment)))
        or session.scalar(sa.select(sa.exists(copy)))
    )


def creative_row(session: Session, scope: Scope, asset_id) -> UserAsset:
    """The organization's creative ``asset_id``; NotFound for any other (same answer as none)."""
    if not isinstance(asset_id, int) or isinstance(asset_id, bool) or asset_id < 1:
        raise NotFound("No such creative.")
    asset = session.scalar(
        sa.select(UserAsset).where(
            UserAsset.id == asset_id, UserAsset.organization_id == scope.organization_id
        )
    )
    if asset is None:
        raise NotFound("No such creative.")
    return asset


def spec_view(asset: UserAsset) -> specs.Creative:
    return specs.Creative(
        kind=asset.kind,
        content_type=asset.content_type,
        size_bytes=asset.size_bytes,
        width=asset.width,
        height=asset.height,
        duration_seconds=asset.duration_seconds,
        headline=asset.headline,
        body=asset.body,
    )


def _owned(session, scope, model, row_id, what):
    if (
        not isinstance(row_id, int)
        or isinstance(row_id, bool)
        or not 0 < row_id < 2**31
    ):
        raise NotFound(f"No such {what}.")
    row = session.scalar(
        sa.select(model).where(
            model.id == row_id, model.organization_id == scope.organization_id
        )
    )
    if row is None:
        raise NotFound(f"No such {what}.")
    return row


def _owned_prompt(session, scope, prompt_id):
    """The organization's image or video prompt ``prompt_id`` (None: none given)."""
    if prompt_id is None:
        return None
    for model in (ImagePrompt, VideoPrompt):
        found = session.scalar(
            sa.select(model).where(
                model.id == prompt_id, model.organization_id == scope.organization_id
            )
        )
        if found is not None:
            return found
    raise NotFound("No such prompt.")


def _set_prompt(session, scope, asset: UserAsset, prompt_id) -> None:
    """Lineage: the prompt an AI-generated creative came from (an image's image prompt, a
    video's video prompt)."""
    if prompt_id is None:
        return
    model = ImagePrompt if asset.kind == "image" else VideoPrompt
    prompt = session.scalar(
        sa.select(model).where(
            model.id == prompt_id, model.organization_id == scope.organization_id
        )
    )
    if prompt is None:
        raise Invalid(
            f"An {asset.kind}'s prompt must be one of the {asset.kind} prompts."
        )
    if asset.kind == "image":
        asset.image_prompt_id = prompt.id
    else:
        asset.video_prompt_id = prompt.id
    if asset.campaign_id is None:
        asset.campaign_id = prompt.campaign_id


def check_upload_targets(
    session: Session, scope: Scope, campaign_id, prompt_id
) -> None:
    """NotFound unless the campaign and the prompt an upload names are the organization's:
    checked when the upload opens, before any byte is sent."""
    _campaign_id(session, scope, campaign_id)
    _owned_prompt(session, scope, prompt_id)


def _campaign_id(session, scope, campaign_id) -> int | None:
    if campaign_id is None:
        return None
    return _owned(session, scope, CampaignDeployment, campaign_id, "campaign").id


def _same_source(session, scope, sha: str) -> UserAsset | None:
    return session.scalar(
        sa.select(UserAsset)
        .where(
            UserAsset.organization_id == scope.organization_id,
            UserAsset.source_sha256 == sha,
        )
        .order_by(UserAsset.id)
        .limit(1)
    )


def _existing_file(session, scope, stored: StoredFile) -> UserAsset | None:
    return session.scalar(
        sa.select(UserAsset)
        .where(
            UserAsset.organization_id == scope.organization_id,
            UserAsset.storage_path == stored.storage_path,
        )
        .order_by(UserAsset.id)
        .limit(1)
    )


def _paths(stored: StoredFile) -> list[str]:
    return [p for p in (stored.storage_path, stored.thumbnail_path) if p]


def _remove_unreferenced(session, settings: MediaSettings, paths: list[str]) -> None:
    referenced = set(
        session.scalars(
            sa.select(UserAsset.storage_path).where(UserAsset.storage_path.in_(paths))
        )
    ) | set(
        session.scalars(
            sa.select(UserAsset.thumbnail_path).where(
                UserAsset.thumbnail_path.in_(paths)
            )
        )
    )
    remove_files(settings, [p for p in paths if p not in referenced])


def _audit(session, scope, ip_address, action, asset, extra=None) -> None:
    # The campaign page's cached answers show the creatives: expire them with this commit.
    invalidate_on_commit(session, scope.organization_id)
    record_event(
        session,
        scope.actor(ip_address),
        action,
        target_type="user_asset",
        target_id=asset.id,
        details={"kind": asset.kind, "filename": asset.filename, **(extra or {})},
    )
