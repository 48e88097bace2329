"""Flask-Login's view of a user: id plus session epoch, so bumping the epoch ends every session."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_login import LoginManager, login_user

from data.db import db_session, get_database
from data.models import User
from data.reads.users import session_user_row
from data.scope import Scope

login_manager = LoginManager()


@dataclass(frozen=True)
class SessionUser:
    id: int
    email: str
    name: str
    role: str
    organization_id: int
    organization_name: str
    session_epoch: int

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_epoch}"

    @property
    def scope(self) -> Scope:
        return Scope(
            organization_id=self.organization_id, role=self.role, user_id=self.id
        )

    @classmethod
    def from_row(cls, user: User) -> SessionUser:
        return cls(
            user.id,
            user.email,
            user.name,
            user.role,
            user.organization_id,
            user.organization.name,
            user.session_epoch,
        )


@login_manager.user_loader
def load_user(user_key: str) -> SessionUser | None:
    """The session's user, or None when it was deactivated or its sessions were revoked."""
    try:
        user_id, epoch = (int(part) for part in user_key.split(":"))
    except ValueError:
        return None
    # One row of plain columns (no ORM object, no lazy load), kept per process: auth/user_cache.py.
    row = current_app.extensions["kiki_user_cache"].load(user_id, _read_user)
    if row is None or not row.is_active or row.session_epoch != epoch:
        return None
    return SessionUser(
        row.id,
        row.email,
        row.name,
        row.role,
        row.organization_id,
        row.organization_name,
        row.session_epoch,
    )


def _read_user(user_id: int):
    return session_user_row(db_session(), user_id)


def renew_login(user: User) -> None:
    """Keep this session signed in after the user's epoch moved on (their other sessions end)."""
    login_user(SessionUser.from_row(user))


def still_signed_in(user: SessionUser) -> bool:
    """For a request that lasts (the live stream, web/live.py): the user is still active and the
    session not revoked, as the next request's user_loader would find. Its own short session:
    a stream must not hold a pooled connection between checks."""
    database = get_database()

    def read(user_id: int):
        with database.sessionmaker() as session:
            return session_user_row(session, user_id)

    row = current_app.extensions["kiki_user_cache"].load(user.id, read)
    return bool(row and row.is_active and row.session_epoch == user.session_epoch)
