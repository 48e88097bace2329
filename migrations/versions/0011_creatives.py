"""creatives library

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 23:45:00

Issue 32 (creatives library): what a stored creative is (dimensions, duration, codec,
thumbnail, ad copy's text, active or archived, the uploaded bytes' checksum for storing the
same file once), its lineage to the prompt it was made from, and the ad-copy variant that
shows it (platform deployments already had user_asset_id). down_revision is re-pointed to
0010 when the branches meet.
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("user_assets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source_sha256", sa.String(64), nullable=True))
        batch_op.add_column(sa.Column("width", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("height", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("duration_seconds", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("video_codec", sa.String(32), nullable=True))
        batch_op.add_column(sa.Column("thumbnail_path", sa.String(500), nullable=True))
        batch_op.add_column(sa.Column("headline", sa.String(255), nullable=True))
        batch_op.add_column(sa.Column("body", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("call_to_action", sa.String(64), nullable=True))
        batch_op.add_column(
            sa.Column(
                "status",
                sa.Enum(
                    "active",
                    "archived",
                    name="asset_status",
                    native_enum=False,
                    create_constraint=True,
                    length=32,
                ),
                server_default="active",
                nullable=False,
            )
        )
        batch_op.add_column(
            sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("image_prompt_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("video_prompt_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_user_assets_image_prompt_id_image_prompts"),
            "image_prompts",
            ["image_prompt_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_user_assets_video_prompt_id_video_prompts"),
            "video_prompts",
            ["video_prompt_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_index(
            batch_op.f("ix_user_assets_organization_id_sha256"),
            ["organization_id", "sha256"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_user_assets_organization_id_source_sha256"),
            ["organization_id", "source_sha256"],
            unique=False,
        )
    with op.batch_alter_table("ad_copies", schema=None) as batch_op:
        batch_op.add_column(sa.Column("user_asset_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_ad_copies_user_asset_id_user_assets"),
            "user_assets",
            ["user_asset_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_index(
            batch_op.f("ix_ad_copies_user_asset_id"), ["user_asset_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("ad_copies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ad_copies_user_asset_id"))
        batch_op.drop_constraint(
            batch_op.f("fk_ad_copies_user_asset_id_user_assets"), type_="foreignkey"
        )
        batch_op.drop_column("user_asset_id")
    with op.batch_alter_table("user_assets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_assets_organization_id_source_sha256"))
        batch_op.drop_index(batch_op.f("ix_user_assets_organization_id_sha256"))
        batch_op.drop_constraint(
            batch_op.f("ck_user_assets_asset_status"), type_="check"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_user_assets_video_prompt_id_video_prompts"),
            type_="foreignkey",
        )
        batch_op.drop_constraint(
            batch_op.f("fk_user_assets_image_prompt_id_image_prompts"),
            type_="foreignkey",
        )
        for column in (
            "video_prompt_id",
            "image_prompt_id",
            "archived_at",
            "status",
            "call_to_action",
            "body",
            "headline",
            "thumbnail_path",
            "video_codec",
            "duration_seconds",
            "height",
            "width",
            "source_sha256",
        ):
            batch_op.drop_column(column)
