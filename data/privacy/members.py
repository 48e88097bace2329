"""Export and erasure for an admin of the person's own organization (the privacy page and its
download): scope checks, the typed confirmation, and the audit rows."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from data.privacy.erase import ErasurePlan, erase_subject, plan_erasure
from data.privacy.export import ExportResult, record_export, write_export
from data.privacy.pseudonym import app_pseudonym_key
from data.privacy.subject import PrivacyError, Subject, subject_by_id
from data.scope import Scope


def _member(session: Session, scope: Scope, user_id) -> Subject:
    scope.require("admin")
    if isinstance(user_id, bool) or not isinstance(user_id, int | str):
        raise PrivacyError("Choose a person.")
    text = str(user_id).strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 18:
        raise PrivacyError("Choose a person.")
    return subject_by_id(session, int(text), scope.organization_id)


def member_plan(session: Session, scope: Scope, user_id) -> ErasurePlan:
    """What erasing this member would do (reads only); PrivacyError when it is refused."""
    subject = _member(session, scope, user_id)
    if subject.user_id == scope.user_id:
        raise PrivacyError("You cannot erase your own account here: ask another admin.")
    return plan_erasure(session, subject, app_pseudonym_key())


def erase_member(
    session: Session, scope: Scope, user_id, confirmation, *, ip_address=None
) -> tuple[Subject, ErasurePlan]:
    """Erase a member of the caller's organization once their e-mail is typed to confirm.

    Adds everything to ``session``: the caller commits all of it or nothing, then calls
    data.privacy.caches.purge_caches.
    """
    subject = _member(session, scope, user_id)
    if subject.user_id == scope.user_id:
        raise PrivacyError("You cannot erase your own account here: ask another admin.")
    typed = confirmation.strip().lower() if isinstance(confirmation, str) else ""
    if typed != subject.email.lower():
        raise PrivacyError("Type the person's e-mail address exactly to confirm.")
    plan = erase_subject(
        session, subject, app_pseudonym_key(),
        actor_user_id=scope.user_id, ip_address=ip_address,
    )  # fmt: skip
    return subject, plan


def export_member(
    session: Session, scope: Scope, user_id, out: Path, *, ip_address=None
) -> ExportResult:
    """Write a member's export to ``out`` and add its audit row (the caller commits)."""
    subject = _member(session, scope, user_id)
    result = write_export(session, subject, out)
    record_export(session, subject, scope.user_id, ip_address, result.rows)
    return result
