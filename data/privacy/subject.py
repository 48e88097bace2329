"""The person a request is about, and the queries that find their rows (from the registry)."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from data.errors import Invalid
from data.models import AuditLog, Base, User
from data.privacy.registry import DATASETS, Dataset, exported_columns


class PrivacyError(Invalid):
    """The export or erasure was refused; the message says why, for the person who asked."""


@dataclass(frozen=True)
class Subject:
    user_id: int
    organization_id: int
    email: str
    name: str
    role: str
    is_active: bool


def find_subject(
    session: Session, email: str, organization_id: int | None = None
) -> Subject:
    """The user with this e-mail (in ``organization_id`` when given); PrivacyError otherwise,
    with the same answer for another organization's user as for nobody."""
    email = (email or "").strip().lower() if isinstance(email, str) else ""
    query = sa.select(User).where(sa.func.lower(User.email) == email)
    user = session.scalar(query) if email else None
    if user is None or (
        organization_id is not None and user.organization_id != organization_id
    ):
        raise PrivacyError("No user with this e-mail in the organization.")
    return Subject(
        user.id, user.organization_id, user.email, user.name, user.role, user.is_active
    )


def subject_by_id(session: Session, user_id: int, organization_id: int) -> Subject:
    user = session.get(User, user_id)
    if user is None or user.organization_id != organization_id:
        raise PrivacyError("No such user in your organization.")
    return find_subject(session, user.email, organization_id)


def table(name: str) -> sa.Table:
    return Base.metadata.tables[name]


def dataset_query(subject: Subject, dataset: Dataset) -> sa.Select:
    """The exported columns of the dataset's rows linked to the subject, by primary key."""
    source = table(dataset.table)
    return (
        sa.select(*exported_columns(source))
        .where(source.c[dataset.link] == subject.user_id)
        .order_by(*source.primary_key.columns)
    )


def mentions_condition(subject: Subject) -> sa.ColumnElement[bool]:
    """Audit rows others caused that name the subject: a user target, or their e-mail in the
    details (e.g. an admin's user_created row, a failed sign-in with their address)."""
    details = sa.func.lower(sa.cast(AuditLog.details, sa.Text))
    return sa.and_(
        sa.or_(
            AuditLog.actor_user_id.is_(None),
            AuditLog.actor_user_id != subject.user_id,
        ),
        sa.or_(
            sa.and_(
                AuditLog.target_type == "user",
                AuditLog.target_id == str(subject.user_id),
            ),
            details.contains(subject.email.lower(), autoescape=True),
        ),
    )


def mentions_query(subject: Subject) -> sa.Select:
    source = table("audit_logs")
    return (
        sa.select(*exported_columns(source))
        .where(mentions_condition(subject))
        .order_by(source.c.id)
    )


def export_queries(subject: Subject) -> list[tuple[str, str, sa.Select]]:
    """(name, table, query) of everything an export holds, in the archive's order."""
    queries = [(d.name, d.table, dataset_query(subject, d)) for d in DATASETS]
    queries.insert(3, ("audit_about_them", "audit_logs", mentions_query(subject)))
    return queries
