"""Helpers for account tests on the shared world: throw-away members, sign-in, reading rows back."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import sqlalchemy as sa

from data.db import get_database
from data.models import AuditLog, User
from tests.factories import PASSWORD, add_user, login


@dataclass(frozen=True)
class Member:
    id: int
    email: str
    organization_id: int


def _session(app):
    return get_database().session_scope()


def new_member(
    app, organization_id: int, role: str, password: str = PASSWORD
) -> Member:
    """A committed user with a unique email in the organization."""
    email = f"acct-{uuid.uuid4().hex[:10]}@example.test"
    with app.server.app_context(), _session(app) as session:
        user = add_user(session, organization_id, role, email, password)
        return Member(user.id, email, organization_id)


def user_row(app, user_id: int) -> dict:
    """The user's columns as they are in the database now."""
    with app.server.app_context(), _session(app) as session:
        user = session.get(User, user_id)
        return {c.key: getattr(user, c.key) for c in sa.inspect(User).column_attrs}


def update_user(app, user_id: int, **values) -> None:
    with app.server.app_context(), _session(app) as session:
        session.execute(sa.update(User).where(User.id == user_id).values(**values))


def counts(app) -> tuple[int, int]:
    """(users, audit rows) now: a change that was refused must leave both as they were."""
    with app.server.app_context(), _session(app) as session:
        users = session.scalar(sa.select(sa.func.count()).select_from(User))
        audits = session.scalar(sa.select(sa.func.count()).select_from(AuditLog))
        return users, audits


def users_snapshot(app, organization_id: int) -> list[tuple]:
    """Every column of every user of the organization, in id order."""
    with app.server.app_context(), _session(app) as session:
        rows = session.execute(
            sa.select(User.__table__)
            .where(User.organization_id == organization_id)
            .order_by(User.id)
        ).all()
        return [tuple(row) for row in rows]


def last_audit_id(app) -> int:
    with app.server.app_context(), _session(app) as session:
        return session.scalar(sa.select(sa.func.max(AuditLog.id))) or 0


def audit_actions_for(app, target_id: int, after: int = 0) -> list[str]:
    """Actions recorded on a user since audit row ``after`` (SQLite reuses deleted users' ids)."""
    with app.server.app_context(), _session(app) as session:
        return list(
            session.scalars(
                sa.select(AuditLog.action)
                .where(
                    AuditLog.target_type == "user",
                    AuditLog.target_id == str(target_id),
                    AuditLog.id > after,
                )
                .order_by(AuditLog.id)
            )
        )


def delete_members(app, ids: list[int]) -> None:
    with app.server.app_context(), _session(app) as session:
        session.execute(sa.delete(User).where(User.id.in_(ids)))


def sign_in(app, email: str, password: str = PASSWORD, ip: str = "127.0.0.1"):
    """A test client signed in through the real form (from ``ip``)."""
    client = app.server.test_client()
    client.environ_base["REMOTE_ADDR"] = ip
    response = login(client, email, password)
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return client


def member_factory(app, world):
    """Body of a ``members`` fixture: members("acme", "admin") -> a new Member, deleted afterwards."""
    made: list[Member] = []

    def make(slug: str, role: str = "viewer", password: str = PASSWORD) -> Member:
        member = new_member(app, world["orgs"][slug], role, password)
        made.append(member)
        return member

    yield make
    if made:
        delete_members(app, [m.id for m in made])
