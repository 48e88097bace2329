"""ltv cohort values

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 21:30:00

Issue 31 (LTV and payback): the prediction model's cumulative value per customer of each
monthly acquisition cohort of a campaign, by months since acquisition, cached like
ltv_predictions; the /ltv page draws its cohort heatmap and payback curves from it.
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ltv_cohort_values",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("cohort_month", sa.Date(), nullable=False),
        sa.Column("months_since", sa.SmallInteger(), nullable=False),
        sa.Column(
            "customers", sa.Integer(), server_default=sa.text("0"), nullable=False
        ),
        sa.Column(
            "cumulative_value_per_customer",
            sa.Numeric(precision=14, scale=2),
            nullable=False,
        ),
        sa.Column(
            "computed_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.CheckConstraint(
            "months_since >= 0",
            name=op.f("ck_ltv_cohort_values_months_since_not_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaign_deployments.id"],
            name=op.f("fk_ltv_cohort_values_campaign_id_campaign_deployments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_ltv_cohort_values_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ltv_cohort_values")),
        sa.UniqueConstraint(
            "campaign_id",
            "cohort_month",
            "months_since",
            name=op.f("uq_ltv_cohort_values_campaign_id_cohort_month_months_since"),
        ),
    )
    with op.batch_alter_table("ltv_cohort_values", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ltv_cohort_values_organization_id_cohort_month"),
            ["organization_id", "cohort_month"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("ltv_cohort_values", schema=None) as batch_op:
        batch_op.drop_index(
            batch_op.f("ix_ltv_cohort_values_organization_id_cohort_month")
        )

    op.drop_table("ltv_cohort_values")
