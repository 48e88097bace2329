"""Users read by admins (the list) and by auth (the session's user, the user signing in)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import Session

from data.models import Invitation, Organization, User
from data.scope import Scope

USER_COLUMNS = [
    "user_id",
    "email",
    "name",
    "role",
    "is_active",
    "locked_until",
    "last_login_at",
    "created_at",
]
SESSION_USER_QUERY = (
    sa.select(
        User.id,
        User.email,
        User.name,
        User.role,
        User.organization_id,
        Organization.name.label("organization_name"),
        User.session_epoch,
        User.is_active,
    )
    .join(Organization, Organization.id == User.organization_id)
    .where(User.id == sa.bindparam("id"))
)


def list_users(session: Session, scope: Scope) -> pd.DataFrame:
    """Users of the caller's organization (admin only), by name.

    Columns: USER_COLUMNS — user_id, email, name, role, is_active (bool), locked_until,
    last_login_at, created_at (datetimes in UTC, None when never).
    """
    scope.require("admin")
    rows = session.execute(
        sa.select(
            User.id,
            User.email,
            User.name,
            User.role,
            User.is_active,
            User.locked_until,
            User.last_login_at,
            User.created_at,
        )
        .where(User.organization_id == scope.organization_id)
        .order_by(sa.func.lower(User.name), User.id)
    ).all()
    return pd.DataFrame([tuple(row) for row in rows], columns=USER_COLUMNS)


def session_user_row(session: Session, user_id: int) -> sa.Row | None:
    """One row of plain columns for the session's user (no ORM object, no lazy load), or None.

    Columns: id, email, name, role, organization_id, organization_name, session_epoch, is_active.
    """
    return session.execute(SESSION_USER_QUERY, {"id": user_id}).one_or_none()


def user_by_email(session: Session, email: str) -> User | None:
    """The user with this email (compared lower-cased), or None."""
    return session.scalar(sa.select(User).where(sa.func.lower(User.email) == email))


def user_by_id(session: Session, user_id: int) -> User | None:
    """The user with this id, or None."""
    return session.get(User, user_id)


INVITATION_COLUMNS = [
    "invitation_id",
    "email",
    "name",
    "role",
    "created_at",
    "expires_at",
]


def pending_invitations(session: Session, scope: Scope) -> pd.DataFrame:
    """The caller's organization's pending invitations (admin only), newest first. The same
    rows whatever the addresses are (nothing says whether one has an account elsewhere).

    Columns: INVITATION_COLUMNS — invitation_id, email, name, role, created_at, expires_at
    (UTC datetimes).
    """
    scope.require("admin")
    rows = session.execute(
        sa.select(
            Invitation.id,
            Invitation.email,
            Invitation.name,
            Invitation.role,
            Invitation.created_at,
            Invitation.expires_at,
        )
        .where(
            Invitation.organization_id == scope.organization_id,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
            Invitation.expires_at > dt.datetime.now(dt.UTC),
        )
        .order_by(Invitation.created_at.desc(), Invitation.id.desc())
    ).all()
    return pd.DataFrame([tuple(row) for row in rows], columns=INVITATION_COLUMNS)
