"""What a new user's values must be: a valid unused e-mail, a name, a role, an acceptable password."""

from __future__ import annotations

import re

import sqlalchemy as sa
from sqlalchemy.orm import Session

from data.errors import Invalid
from data.models import ROLES, User
from data.protocols import PasswordHasher, app_hasher

MAX_EMAIL_LENGTH = 254
MAX_NAME_LENGTH = 200
# RFC 5322 "atext" local part and an ASCII domain: no spaces, quotes, brackets or control chars.
EMAIL_PATTERN = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}"
    r"@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.[A-Za-z]{2,63}$"
)
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


class UserError(Invalid):
    """The change was refused; the message says why, for the person who asked."""


class WrongCurrentPassword(UserError):
    """The current password did not match: the failed check was counted (commit it)."""


def clean_text(value) -> str:
    return value.strip() if isinstance(value, str) else ""


# For an address another organization holds: says neither that it exists nor where.
UNUSABLE_EMAIL = "This email cannot be used for a new user here. Use another address."


def _email_problem(email: str) -> str | None:
    if len(email) > MAX_EMAIL_LENGTH or not EMAIL_PATTERN.fullmatch(email):
        return "Enter a valid email address (like name@example.com)."
    return None


def _name_and_role_problem(name, role) -> str | None:
    name = clean_text(name)
    if not name or len(name) > MAX_NAME_LENGTH or CONTROL_CHARACTERS.search(name):
        return f"Enter a name of 1 to {MAX_NAME_LENGTH} characters."
    if role not in ROLES:
        return "Choose a role: viewer, analyst or admin."
    return None


def invitee_problem(email, name, role) -> str | None:
    """What is wrong with an invitation's address, name and role, or None (whether the address
    has an account is not looked at: data/writes/invitations.py)."""
    return _email_problem(clean_text(email).lower()) or _name_and_role_problem(
        name, role
    )


def new_user_problem(
    session: Session,
    email,
    name,
    role,
    password,
    hasher: PasswordHasher | None = None,
    organization_id: int | None = None,
) -> str | None:
    """A message saying what is wrong with these values for a new user, or None."""
    email = clean_text(email).lower()
    if problem := _email_problem(email):
        return problem
    holder = session.scalar(
        sa.select(User.organization_id).where(sa.func.lower(User.email) == email)
    )
    if holder is not None and organization_id is not None and holder != organization_id:
        return UNUSABLE_EMAIL
    if holder is not None:
        return "A user with this email already exists."
    if problem := _name_and_role_problem(name, role):
        return problem
    if not isinstance(password, str):
        return "Enter a password or let one be generated."
    return (hasher or app_hasher()).problem(password)
