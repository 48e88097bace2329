"""sign-in locks by address: the same lock for a real and a made-up address, in the database

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 18:45:00

A lock tripped by five failed sign-ins was kept in the rate limiter's storage (Redis) and, for a
real account, also in users.locked_until: with Redis down a real address stayed locked on every
worker and a made-up one only on the worker that locked it. One row per locked address digest.
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sign_in_locks",
        sa.Column("address_digest", sa.String(length=64), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("address_digest", name=op.f("pk_sign_in_locks")),
    )
    with op.batch_alter_table("sign_in_locks", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sign_in_locks_locked_until"), ["locked_until"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("sign_in_locks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sign_in_locks_locked_until"))
    op.drop_table("sign_in_locks")
