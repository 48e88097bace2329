"""Organizations and their people: users, API tokens, platform credentials and the audit log."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from data.models.base import PLATFORMS, ROLES, Base, BigId, Rate, enum_type, server_now

# What a personal API token may do: read only, or read and write (the lifecycle writes).
TOKEN_SCOPES = ("read", "read+write", "ingest")


class Organization(Base):
    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(64), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    fee_rate: Mapped[Decimal] = mapped_column(Rate, server_default=sa.text("0.2000"))
    audit_retention_days: Mapped[int] = mapped_column(server_default=sa.text("365"))
    created_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=server_now()
    )


class User(Base):
    __tablename__ = "users"
    __table_args__ = (sa.Index(None, "organization_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE")
    )
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    role: Mapped[str] = mapped_column(enum_type(ROLES, "role"))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    is_active: Mapped[bool] = mapped_column(server_default=sa.true())
    # Bumped on logout, password change, deactivation and role change: older sessions die.
    session_epoch: Mapped[int] = mapped_column(server_default=sa.text("0"))
    failed_logins: Mapped[int] = mapped_column(server_default=sa.text("0"))
    locked_until: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))
    last_login_at: Mapped[dt.datetime | None] = mapped_column(
        sa.DateTime(timezone=True)
    )
    created_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=server_now()
    )

    organization: Mapped[Organization] = relationship()


class AuditLog(Base):
    __tablename__ = "audit_logs"
    __table_args__ = (
        sa.Index(None, "organization_id", "created_at"),
        sa.Index(None, "action"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    organization_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE")
    )
    actor_user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    action: Mapped[str] = mapped_column(sa.String(64))
    target_type: Mapped[str | None] = mapped_column(sa.String(64))
    target_id: Mapped[str | None] = mapped_column(sa.String(64))
    ip_address: Mapped[str | None] = mapped_column(sa.String(64))
    details: Mapped[dict | None] = mapped_column(sa.JSON)
    created_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=server_now()
    )


class PlatformCredential(Base):
    """An ad-platform API key, Fernet-encrypted; only the last four characters are kept in clear."""

    __tablename__ = "platform_credentials"
    __table_args__ = (sa.UniqueConstraint("organization_id", "platform"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE")
    )
    platform: Mapped[str] = mapped_column(enum_type(PLATFORMS, "platform"))
    encrypted_value: Mapped[bytes] = mapped_column(sa.LargeBinary)
    last4: Mapped[str] = mapped_column(sa.String(4))
    updated_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    updated_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=server_now()
    )


class ApiToken(Base):
    """A personal API token: only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(100))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    prefix: Mapped[str] = mapped_column(sa.String(12))
    # "read", "read+write" or "ingest" (TOKEN_SCOPES: ingest is read and POST /metrics only);
    # tokens made before scopes existed stay "read".
    scope: Mapped[str] = mapped_column(sa.String(16), server_default="read")
    revoked_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))
    last_used_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))
    created_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=server_now()
    )


class FeeRate(Base):
    """An organization's fee rate from ``effective_from`` on (until the next row's date): the
    fee of a day is its revenue times the rate in effect that day, so a change never re-prices
    the past. Organization.fee_rate mirrors the rate in effect today."""

    __tablename__ = "fee_rates"
    __table_args__ = (sa.UniqueConstraint("organization_id", "effective_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE")
    )
    rate: Mapped[Decimal] = mapped_column(Rate)
    effective_from: Mapped[dt.date] = mapped_column(sa.Date)
    created_by: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=server_now()
    )


class IdempotencyKey(Base):
    """A POST's Idempotency-Key and the answer it got: a retry within ``expires_at`` gets that
    answer again instead of writing twice (api/idempotency.py). One per (user, key); the unique
    constraint is what stops two concurrent requests with the same key from both writing."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "key"),
        sa.Index(None, "expires_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(sa.String(255))
    # SHA-256 of the method, path and JSON body: the same key on another request is refused.
    request_hash: Mapped[str] = mapped_column(sa.String(64))
    # The answer (set in the same transaction as the write, so a committed row always has it).
    status_code: Mapped[int | None] = mapped_column()
    response_body: Mapped[dict | None] = mapped_column(sa.JSON)
    location: Mapped[str | None] = mapped_column(sa.String(300))
    created_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=server_now()
    )
    expires_at: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=True))


class Invitation(Base):
    """An admin's invitation of an e-mail address to the organization: only the SHA-256 of its
    token is stored (the token travels in the e-mail only). Pending while not accepted, not
    revoked and not expired (data/writes/invitations.py)."""

    __tablename__ = "invitations"
    __table_args__ = (sa.Index(None, "organization_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE")
    )
    email: Mapped[str] = mapped_column(sa.String(254))  # lower-cased
    name: Mapped[str] = mapped_column(sa.String(200))
    role: Mapped[str] = mapped_column(enum_type(ROLES, "role"))
    invited_by: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    # The account the invitation became: erased with it (ON DELETE CASCADE).
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE")
    )
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=server_now()
    )
    expires_at: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=True))
    accepted_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))


class SignInLock(Base):
    """A locked sign-in address, real or made up (auth/account_lock.py): the same row for both,
    so that whether an address is locked never depends on whether an account has it. Keyed by
    a hash of the normalized address, never the address itself."""

    __tablename__ = "sign_in_locks"

    address_digest: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    locked_until: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), index=True
    )
