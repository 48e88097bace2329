"""report subscriptions

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 23:31:08

Issue 31 (scheduled delivery): report subscriptions (a view and its filters, a schedule in the
organization's time zone, the delivery job's lease), their recipients (users of the
organization), and one run row per delivery, unique per (subscription, due time) so that a
due time is sent once whatever the number of processes.
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column(
            "view",
            sa.Enum(
                "overview",
                "campaigns",
                "campaign",
                name="report_view",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("campaign_id", sa.Integer(), nullable=True),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column(
            "frequency",
            sa.Enum(
                "daily",
                "weekly",
                "monthly",
                name="report_frequency",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("weekday", sa.Integer(), nullable=True),
        sa.Column("month_day", sa.Integer(), nullable=True),
        sa.Column("hour", sa.Integer(), nullable=False),
        sa.Column(
            "include_csv", sa.Boolean(), server_default=sa.false(), nullable=False
        ),
        sa.Column("paused", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column("next_run_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("leased_by", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaign_deployments.id"],
            name=op.f("fk_report_subscriptions_campaign_id_campaign_deployments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_report_subscriptions_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name=op.f("fk_report_subscriptions_owner_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_subscriptions")),
    )
    with op.batch_alter_table("report_subscriptions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_report_subscriptions_next_run_at"),
            ["next_run_at"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_report_subscriptions_organization_id_id"),
            ["organization_id", "id"],
            unique=False,
        )

    op.create_table(
        "report_recipients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subscription_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["report_subscriptions.id"],
            name=op.f("fk_report_recipients_subscription_id_report_subscriptions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_report_recipients_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_recipients")),
        sa.UniqueConstraint(
            "subscription_id",
            "user_id",
            name=op.f("uq_report_recipients_subscription_id_user_id"),
        ),
    )
    with op.batch_alter_table("report_recipients", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_report_recipients_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "report_runs",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("subscription_id", sa.Integer(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "trigger",
            sa.Enum(
                "schedule",
                "manual",
                name="report_trigger",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "outcome",
            sa.Enum(
                "running",
                "ok",
                "failed",
                "skipped",
                name="report_outcome",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            server_default="running",
            nullable=False,
        ),
        sa.Column("message", sa.String(length=500), server_default="", nullable=False),
        sa.Column(
            "recipients", sa.Integer(), server_default=sa.text("0"), nullable=False
        ),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_report_runs_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["report_subscriptions.id"],
            name=op.f("fk_report_runs_subscription_id_report_subscriptions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_runs")),
        sa.UniqueConstraint(
            "subscription_id",
            "due_at",
            name=op.f("uq_report_runs_subscription_id_due_at"),
        ),
    )
    with op.batch_alter_table("report_runs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_report_runs_organization_id_id"),
            ["organization_id", "id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("report_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_runs_organization_id_id"))

    op.drop_table("report_runs")
    with op.batch_alter_table("report_recipients", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_recipients_user_id"))

    op.drop_table("report_recipients")
    with op.batch_alter_table("report_subscriptions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_subscriptions_organization_id_id"))
        batch_op.drop_index(batch_op.f("ix_report_subscriptions_next_run_at"))

    op.drop_table("report_subscriptions")
