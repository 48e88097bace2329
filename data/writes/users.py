"""Users of an organization: every write (create, role, active, password, sign-out), audited."""

# Writes take the caller's Scope and check role and organization here, because a callback can be
# called directly with any ids. They add the change and its audit row to the caller's session; the
# caller commits both or neither (data/writes/transaction.py). Bad input raises UserError (an
# Invalid: a message for the person) first. Hashing and the password policy are auth's: each
# function that needs them takes ``hasher`` (data.protocols.PasswordHasher; the app's when None).

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Session

from data.models import ROLES, Organization, User
from data.protocols import PasswordHasher, app_hasher
from data.scope import Actor, Scope
from data.writes.audit import record_event
from data.writes.sign_in_locks import clear_address
from data.writes.user_rules import (
    UserError,
    WrongCurrentPassword,
    clean_text,
    new_user_problem,
)

MAX_FAILED_PASSWORD_CHECKS = 5


def create_user(
    session: Session,
    scope: Scope,
    *,
    email,
    name,
    role,
    password,
    ip_address: str | None = None,
    hasher: PasswordHasher | None = None,
) -> User:
    """Add a user to the caller's organization (admin only) with its audit row; UserError on bad
    input. The CLI's create-user; the settings page invites instead (data/writes/invitations.py)."""
    scope.require("admin")
    lock_organization(session, scope)
    user = insert_user(
        session,
        scope.organization_id,
        email=email,
        name=name,
        role=role,
        password=password,
        hasher=hasher,
    )
    _audit(session, scope, "user_created", user, ip_address, role=role)
    return user


def insert_user(
    session: Session,
    organization_id: int,
    *,
    email,
    name,
    role,
    password,
    hasher: PasswordHasher | None = None,
) -> User:
    """Validate and add a user row to ``organization_id`` (no role check, no audit row: the
    caller's write does both); UserError on bad input."""
    hasher = hasher or app_hasher()
    problem = new_user_problem(
        session, email, name, role, password, hasher, organization_id
    )
    if problem:
        raise UserError(problem)
    user = User(
        organization_id=organization_id,
        email=clean_text(email).lower(),
        name=clean_text(name),
        role=role,
        password_hash=hasher.hash(password),
    )
    session.add(user)
    session.flush()
    return user


def change_role(
    session: Session, scope: Scope, user_id, role, *, ip_address: str | None = None
) -> User:
    """Give a user of the caller's organization another role; their sessions end."""
    scope.require("admin")
    lock_organization(session, scope)
    user = _member(session, scope, user_id)
    if role not in ROLES:
        raise UserError("Choose a role: viewer, analyst or admin.")
    if role == user.role:
        raise UserError(f"{user.email} already has the {role} role.")
    if user.role == "admin" and user.is_active:
        _keep_an_admin(session, scope, user, "take the admin role from")
    old_role, user.role = user.role, role
    user.session_epoch += 1
    _audit(session, scope, "role_changed", user, ip_address, old=old_role, new=role)
    return user


def set_active(
    session: Session, scope: Scope, user_id, active, *, ip_address: str | None = None
) -> User:
    """Deactivate (their sessions end, they cannot sign in) or reactivate a user."""
    scope.require("admin")
    if not isinstance(active, bool):
        raise UserError("Choose whether to deactivate or reactivate.")
    lock_organization(session, scope)
    user = _member(session, scope, user_id)
    if user.is_active == active:
        state = "active" if active else "deactivated"
        raise UserError(f"{user.email} is already {state}.")
    if not active and user.role == "admin":
        _keep_an_admin(session, scope, user, "deactivate")
    user.is_active = active
    user.session_epoch += 1
    if active:
        user.failed_logins, user.locked_until = 0, None
        clear_address(session, user.email)
    action = "user_reactivated" if active else "user_deactivated"
    _audit(session, scope, action, user, ip_address)
    return user


def reset_password(
    session: Session,
    scope: Scope,
    user_id,
    *,
    ip_address: str | None = None,
    hasher: PasswordHasher | None = None,
) -> tuple[User, str]:
    """Give another user of the organization a generated password (returned, to show once).

    Their sessions end and a lockout is lifted. Admins change their own password on the profile
    page, where the current password is asked for.
    """
    scope.require("admin")
    lock_organization(session, scope)
    user = _member(session, scope, user_id)
    if user.id == scope.user_id:
        raise UserError("Change your own password on your profile page.")
    hasher = hasher or app_hasher()
    password = hasher.generate()
    user.password_hash = hasher.hash(password)
    user.session_epoch += 1
    user.failed_logins, user.locked_until = 0, None
    clear_address(session, user.email)  # the address's lock too, for every door
    _audit(session, scope, "password_reset", user, ip_address)
    return user, password


def change_own_password(
    session: Session,
    scope: Scope,
    current,
    new,
    repeated,
    *,
    ip_address: str | None = None,
    hasher: PasswordHasher | None = None,
) -> User:
    """Change the caller's own password after checking the current one; other sessions end.

    A wrong current password raises WrongCurrentPassword after counting the failure (commit
    it): the fifth in a row locks the account and ends every session, as a failed sign-in would.
    """
    scope.require("viewer")
    hasher = hasher or app_hasher()
    limit = hasher.max_length
    user = session.get(User, scope.user_id) if scope.user_id else None
    if user is None or user.organization_id != scope.organization_id:
        raise UserError("Sign in again to change your password.")
    for value in (current, new, repeated):
        if not isinstance(value, str) or not value or len(value) > limit:
            raise UserError(
                f"Fill in all three fields (at most {limit} characters each)."
            )
    if new != repeated:
        raise UserError("The two new passwords differ.")
    problem = hasher.problem(new)
    if problem:
        raise UserError(problem)
    if not hasher.verify(user.password_hash, current):
        _count_wrong_password(session, scope, user, ip_address)
        raise WrongCurrentPassword("The current password is wrong.")
    if new == current:
        raise UserError("The new password must differ from the current one.")
    user.password_hash = hasher.hash(new)
    user.session_epoch += 1
    user.failed_logins = 0
    _audit(session, scope, "password_changed", user, ip_address)
    return user


def _count_wrong_password(
    session: Session, scope: Scope, user: User, ip_address: str | None
) -> None:
    user.failed_logins += 1
    _audit(session, scope, "password_change_failed", user, ip_address)
    if user.failed_logins >= MAX_FAILED_PASSWORD_CHECKS:
        user.failed_logins = 0
        user.locked_until = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=15)
        user.session_epoch += 1
        _audit(session, scope, "account_locked", user, ip_address, minutes=15)


def lock_organization(session: Session, scope: Scope) -> None:
    """Serialize user changes per organization (PostgreSQL row lock; SQLite locks the file)."""
    session.execute(
        sa.select(Organization.id)
        .where(Organization.id == scope.organization_id)
        .with_for_update()
    )


def _member(session: Session, scope: Scope, user_id) -> User:
    """The user with ``user_id`` if they belong to the caller's organization."""
    if isinstance(user_id, bool) or not isinstance(user_id, int | str):
        raise UserError("Choose a user.")
    text = str(user_id).strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 18:
        raise UserError("Choose a user.")
    user = session.scalar(
        sa.select(User).where(
            User.id == int(text), User.organization_id == scope.organization_id
        )
    )
    if user is None:
        # The same answer for another organization's user as for no user at all.
        raise UserError("No such user in your organization.")
    return user


def _keep_an_admin(session: Session, scope: Scope, user: User, verb: str) -> None:
    others = session.scalar(
        sa.select(sa.func.count())
        .select_from(User)
        .where(
            User.organization_id == scope.organization_id,
            User.role == "admin",
            User.is_active.is_(True),
            User.id != user.id,
        )
    )
    if not others:
        who = "yourself" if user.id == scope.user_id else user.email
        raise UserError(
            f"You cannot {verb} {who}: the organization needs at least one active admin."
        )


def _audit(
    session: Session,
    scope: Scope,
    action: str,
    user: User,
    ip_address: str | None,
    **details,
) -> None:
    record_event(
        session,
        scope.actor(ip_address),
        action,
        target_type="user",
        target_id=user.id,
        details={"email": user.email, **details},
    )


def sign_out_everywhere(
    session: Session, user_id: int, ip_address: str | None = None
) -> User | None:
    """End every session of ``user_id`` (the epoch moves on) with a "logout" audit row."""
    user = session.get(User, user_id)
    if user is not None:
        user.session_epoch += 1
        record_event(
            session, Actor(user.organization_id, user.id, ip_address), "logout"
        )
    return user
