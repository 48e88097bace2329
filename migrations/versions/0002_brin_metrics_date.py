"""BRIN index on performance_metrics.date (a plain index on SQLite)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 06:25:00

Rows are loaded day by day, so each block range holds a few days: the BRIN index is kilobytes
where a B-tree on date would be hundreds of megabytes, and a date range's scan skips the rest.
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_performance_metrics_date",
        "performance_metrics",
        ["date"],
        unique=False,
        postgresql_using="brin",
    )


def downgrade() -> None:
    op.drop_index("ix_performance_metrics_date", table_name="performance_metrics")
