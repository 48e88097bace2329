"""Fee-rate history: each organization's rate with the date it applies from

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07 15:30:00

A change of rate used to re-price every past day. The existing single rate becomes each
organization's first history row, effective from 1900-01-01 (before any data), so every
figure reads the same after the upgrade as before it.
"""

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

BEGINNING = dt.date(1900, 1, 1)


def upgrade() -> None:
    op.create_table(
        "fee_rates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("rate", sa.Numeric(6, 4), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_fee_rates_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_fee_rates_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fee_rates")),
        sa.UniqueConstraint(
            "organization_id",
            "effective_from",
            name=op.f("uq_fee_rates_organization_id_effective_from"),
        ),
    )
    op.execute(
        sa.text(
            "INSERT INTO fee_rates (organization_id, rate, effective_from) "
            "SELECT id, fee_rate, :beginning FROM organizations"
        ).bindparams(beginning=BEGINNING)
    )


def downgrade() -> None:
    op.drop_table("fee_rates")
