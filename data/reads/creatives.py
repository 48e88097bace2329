"""A campaign's creatives: image prompts, video prompts and user-provided assets, newest first."""

from __future__ import annotations

import functools

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import Session

from data.models import ImagePrompt, UserAsset, VideoPrompt
from data.reads.campaign_statements import campaign_params, owned_by_campaign
from data.reads.queries import row_columns
from data.scope import Scope

CREATIVE_COLUMNS = {
    "image_prompts": ["id", "prompt", "style", "created_at"],
    "video_prompts": ["id", "prompt", "duration_seconds", "created_at"],
    "user_assets": [
        "id",
        "kind",
        "filename",
        "content_type",
        "size_bytes",
        "sha256",
        "created_at",
    ],
}


def campaign_creatives(
    session: Session, scope: Scope, campaign_id: int
) -> dict[str, pd.DataFrame]:
    """Image prompts, video prompts and user assets of the campaign, newest first."""
    params = campaign_params(scope, campaign_id)
    return {
        kind: pd.DataFrame(
            row_columns(
                session.execute(_creatives_statement(kind), params).all(), names
            )
        )
        for kind, names in CREATIVE_COLUMNS.items()
    }


@functools.cache
def _creatives_statement(kind: str):
    model = {
        "image_prompts": ImagePrompt,
        "video_prompts": VideoPrompt,
        "user_assets": UserAsset,
    }[kind]
    table = model.__table__
    return (
        sa.select(*[table.c[name] for name in CREATIVE_COLUMNS[kind]])
        .where(*owned_by_campaign(table))
        .order_by(table.c.created_at.desc())
    )
