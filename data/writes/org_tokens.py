"""Personal API tokens die with the session epoch, and admins see and revoke their organization's.

Every event that ends a user's sessions raises ``users.session_epoch`` (sign-out everywhere, a
password change or reset, a role change, a deactivation or reactivation, a lockout). A listener
on flush revokes that user's active tokens in the same transaction, so a token can never
outlive account recovery, whichever write path raised the epoch; a token revoked at
deactivation stays revoked after reactivation.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import Session

from data.models import ApiToken, User
from data.scope import Scope
from data.writes.audit import record_event

ORG_TOKEN_COLUMNS = [
    "token_id",
    "email",
    "name",
    "prefix",
    "created_at",
    "last_used_at",
]


def revoke_on_new_epoch(session: Session, _context, _instances) -> None:
    """before_flush: revoke the active tokens of every user whose session epoch changed."""
    changed = [
        user.id
        for user in session.dirty
        if isinstance(user, User)
        and user.id is not None
        and sa.inspect(user).attrs.session_epoch.history.has_changes()
    ]
    if changed:
        session.execute(
            sa.update(ApiToken)
            .where(ApiToken.user_id.in_(changed), ApiToken.revoked_at.is_(None))
            .values(revoked_at=dt.datetime.now(dt.UTC))
            .execution_options(synchronize_session=False)
        )


def organization_tokens(session: Session, scope: Scope) -> pd.DataFrame:
    """Active tokens of the caller's organization (admin only), newest first.

    Columns: ORG_TOKEN_COLUMNS (times in UTC; last_used_at None when never used)."""
    scope.require("admin")
    stmt = (
        sa.select(
            ApiToken.id.label("token_id"),
            User.email,
            ApiToken.name,
            ApiToken.prefix,
            ApiToken.created_at,
            ApiToken.last_used_at,
        )
        .join(User, User.id == ApiToken.user_id)
        .where(
            User.organization_id == scope.organization_id,
            ApiToken.revoked_at.is_(None),
        )
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    )
    rows = [row._asdict() for row in session.execute(stmt)]
    return pd.DataFrame(rows, columns=ORG_TOKEN_COLUMNS)


def revoke_organization_token(
    session: Session, scope: Scope, token_id, *, ip_address: str | None = None
) -> bool:
    """Revoke any active token of the caller's organization (admin only), audited; the caller
    commits. False for a token that is not an active one of this organization."""
    scope.require("admin")
    if not isinstance(token_id, int) or isinstance(token_id, bool):
        return False
    token = session.scalar(
        sa.select(ApiToken)
        .join(User, User.id == ApiToken.user_id)
        .where(
            ApiToken.id == token_id,
            ApiToken.revoked_at.is_(None),
            User.organization_id == scope.organization_id,
        )
    )
    if token is None:
        return False
    token.revoked_at = dt.datetime.now(dt.UTC)
    record_event(
        session,
        scope.actor(ip_address),
        "api_token_revoked",
        target_type="api_token",
        target_id=token.id,
        details={"name": token.name, "prefix": token.prefix, "owner": token.user_id},
    )
    return True
