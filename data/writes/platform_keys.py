"""Ad-platform API keys per organization: write-only, Fernet-encrypted, listed masked."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd
import sqlalchemy as sa
from cryptography.fernet import InvalidToken
from sqlalchemy.orm import Session

from data.errors import Invalid
from data.models import PLATFORMS, PlatformCredential, User
from data.protocols import Cipher, app_cipher
from data.scope import SYSTEM, Scope
from data.writes.audit import record_event

CREDENTIAL_COLUMNS = ["platform", "masked", "updated_at", "updated_by"]
MASK = "••••"
MIN_LENGTH, MAX_LENGTH = 16, 512


def credential_problem(platform: str, value: str) -> str | None:
    """A message saying what is wrong with this platform and key, or None."""
    if platform not in PLATFORMS:
        return "Choose a platform: meta, google or tiktok."
    if not isinstance(value, str) or not MIN_LENGTH <= len(value) <= MAX_LENGTH:
        return f"An API key has {MIN_LENGTH} to {MAX_LENGTH} characters."
    if not value.isprintable() or any(ch.isspace() for ch in value):
        return "An API key has no spaces or control characters."
    return None


def set_credential(
    session: Session,
    scope: Scope,
    platform: str,
    value: str,
    *,
    cipher: Cipher | None = None,
    ip_address: str | None = None,
) -> PlatformCredential:
    """Store (or replace) the organization's key for ``platform``, encrypted, with its audit row.

    Admin only (PermissionDenied otherwise); Invalid with a message on bad input. The caller
    commits; the value itself is never logged or audited.
    """
    scope.require("admin")
    value = (value or "").strip() if isinstance(value, str) else value
    problem = credential_problem(platform, value)
    if problem:
        raise Invalid(problem)
    token = (cipher or app_cipher()).encrypt(value)
    row = session.scalar(
        sa.select(PlatformCredential).where(
            PlatformCredential.organization_id == scope.organization_id,
            PlatformCredential.platform == platform,
        )
    )
    replaced = row is not None
    if row is None:
        row = PlatformCredential(
            organization_id=scope.organization_id, platform=platform
        )
        session.add(row)
    row.encrypted_value = token
    row.last4 = value[-4:]
    row.updated_by_id = scope.user_id
    row.updated_at = dt.datetime.now(dt.UTC)
    session.flush()
    record_event(
        session,
        scope.actor(ip_address),
        "credential_set",
        target_type="platform_credential",
        target_id=row.id,
        details={"platform": platform, "replaced": replaced},
    )
    return row


def credential_list(session: Session, scope: Scope) -> pd.DataFrame:
    """One row per platform, masked. Columns: CREDENTIAL_COLUMNS.

    ``masked`` is "••••" plus the last four characters ("" when not set); ``updated_by`` is the
    editor's email or None. Never returns the key itself. Admin only.
    """
    scope.require("admin")
    stmt = (
        sa.select(
            PlatformCredential.platform,
            PlatformCredential.last4,
            PlatformCredential.updated_at,
            User.email,
        )
        .outerjoin(User, User.id == PlatformCredential.updated_by_id)
        .where(PlatformCredential.organization_id == scope.organization_id)
    )
    found = {row.platform: row for row in session.execute(stmt)}
    rows = []
    for platform in PLATFORMS:
        row = found.get(platform)
        rows.append(
            {
                "platform": platform,
                "masked": f"{MASK}{row.last4}" if row else "",
                "updated_at": row.updated_at if row else None,
                "updated_by": row.email if row else None,
            }
        )
    return pd.DataFrame(rows, columns=CREDENTIAL_COLUMNS)


def credential_value(
    session: Session, scope: Scope, platform: str, *, cipher: Cipher | None = None
) -> str | None:
    """The decrypted key, for server-side calls to the platform only (never for a page)."""
    token = session.scalar(
        sa.select(PlatformCredential.encrypted_value).where(
            PlatformCredential.organization_id == scope.organization_id,
            PlatformCredential.platform == platform,
        )
    )
    return None if token is None else (cipher or app_cipher()).decrypt(token)


@dataclass
class RotationReport:
    """What rotate_credentials did: counts, and the rows no key could open (id, org, platform)."""

    rotated: int = 0
    failed: list[tuple[int, int, str]] = field(default_factory=list)


def rotate_credentials(session: Session, cipher: Cipher) -> RotationReport:
    """Re-encrypt every stored key under the newest key; unreadable rows are reported, untouched.

    Adds one audit row; the caller commits.
    """
    report = RotationReport()
    for row in session.scalars(
        sa.select(PlatformCredential).order_by(PlatformCredential.id)
    ):
        try:
            row.encrypted_value = cipher.rotate(row.encrypted_value)
        except InvalidToken:
            report.failed.append((row.id, row.organization_id, row.platform))
            continue
        report.rotated += 1
    record_event(
        session,
        SYSTEM,
        "credentials_rotated",
        details={
            "rotated": report.rotated,
            "failed": [row[0] for row in report.failed],
        },
    )
    session.flush()
    return report
