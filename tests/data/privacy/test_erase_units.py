"""Erasure details: all or nothing, the last admin kept, in-process caches purged."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

import data.privacy.erase
from data.cache import cache
from data.db import get_database
from data.models import AuditLog, User
from data.privacy.caches import glob_escape, purge_caches
from data.privacy.erase import erase_subject
from data.privacy.pseudonym import app_pseudonym_key
from data.privacy.subject import PrivacyError, find_subject
from tests.data.privacy.conftest import acme_admin_id, add_person, privacy_app


@pytest.fixture
def app_and_person(privacy_world, tmp_path):
    url, _world = privacy_world
    app = privacy_app(url, tmp_path)
    with app.server.app_context(), get_database().session_scope() as session:
        person = add_person(session, *acme_admin_id(session))
    yield app, person
    app.server.extensions["kiki_db"].engine.dispose()


def _state(session, person):
    user = session.get(User, person["id"])
    audit = session.execute(
        sa.select(AuditLog.id, AuditLog.actor_user_id, AuditLog.details)
        .where(AuditLog.actor_user_id == person["id"])
        .order_by(AuditLog.id)
    ).all()  # fmt: skip
    return user is not None, [tuple(row) for row in audit]


def test_a_failure_half_way_changes_nothing(app_and_person, monkeypatch):
    app, person = app_and_person
    with app.server.app_context():
        database = get_database()
        with database.session_scope() as session:
            before = _state(session, person)

        def broken(*_args, **_kwargs):
            raise RuntimeError("disk full")

        monkeypatch.setattr(data.privacy.erase, "record_event", broken)
        with pytest.raises(RuntimeError), database.session_scope() as session:
            subject = find_subject(session, person["email"])
            erase_subject(session, subject, app_pseudonym_key(), actor_user_id=None)
        with database.session_scope() as session:
            assert _state(session, person) == before
    assert before[0] and before[1]


def test_the_last_active_admin_is_not_erased(app_and_person):
    app, _person = app_and_person
    runner = app.server.test_cli_runner()
    result = runner.invoke(args=["gdpr-erase", "--email", "admin@globex.test"])
    assert result.exit_code != 0 and "last active admin" in result.output
    unknown = runner.invoke(args=["gdpr-erase", "--email", "nobody@nowhere.test"])
    assert unknown.exit_code != 0 and "No user" in unknown.output


def test_in_process_cache_entries_of_the_organization_are_purged(app_and_person):
    app, person = app_and_person
    with app.server.app_context(), get_database().session_scope() as session:
        org_id, _admin = acme_admin_id(session)
        cache.set(f"read:x.y:org{org_id}:viewer:g1:abc", person["email"])
        cache.set(f"response:org{org_id}:admin:abc", person["name"])
        cache.set(f"read:x.y:org{org_id + 1000}:viewer:g1:abc", "keep")
        removed = purge_caches(org_id, person["email"])
        assert removed["cache"] == 2
        assert cache.get(f"read:x.y:org{org_id + 1000}:viewer:g1:abc") == "keep"
        assert cache.get(f"response:org{org_id}:admin:abc") is None


def test_glob_special_characters_are_literal():
    assert glob_escape("a*b?c[d]e\\f") == "a\\*b\\?c\\[d\\]e\\\\f"


def test_find_subject_rejects_junk(app_and_person):
    app, _person = app_and_person
    with app.server.app_context(), get_database().session_scope() as session:
        for junk in (None, "", 3, ["x"], "x" * 300):
            with pytest.raises(PrivacyError):
                find_subject(session, junk)
