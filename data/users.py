"""Writes on users: create, change role, deactivate, reset password — each with its audit row."""

from __future__ import annotations

import re

import sqlalchemy as sa
from sqlalchemy.orm import Session

from auth.passwords import hash_password, password_problem
from data.audit import record_event
from data.models import ROLES, User

EMAIL_PATTERN = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,189}\.[A-Za-z]{2,63}$")


def validate_new_user(
    session: Session, email: str, name: str, role: str, password: str
) -> str | None:
    """A message saying what is wrong with these values, or None."""
    if not EMAIL_PATTERN.match(email or ""):
        return "Enter a valid email address."
    if session.scalar(
        sa.select(User.id).where(sa.func.lower(User.email) == email.lower())
    ):
        return "A user with this email already exists."
    if not (name or "").strip() or len(name) > 200:
        return "Enter a name of at most 200 characters."
    if role not in ROLES:
        return "Choose a role: viewer, analyst or admin."
    return password_problem(password)


def create_user(
    session: Session,
    organization_id: int,
    *,
    actor_user_id: int | None,
    email: str,
    name: str,
    role: str,
    password: str,
    ip_address: str | None = None,
) -> User:
    """Add a user and its audit row to ``session`` (the caller commits); ValueError on bad input."""
    email = (email or "").strip().lower()
    problem = validate_new_user(session, email, name, role, password)
    if problem:
        raise ValueError(problem)
    user = User(
        organization_id=organization_id,
        email=email,
        name=name.strip(),
        role=role,
        password_hash=hash_password(password),
    )
    session.add(user)
    session.flush()
    record_event(
        session,
        "user_created",
        organization_id=organization_id,
        actor_user_id=actor_user_id,
        ip_address=ip_address,
        target_type="user",
        target_id=user.id,
        details={"email": email, "role": role},
    )
    return user
