"""The privacy page and its download: admins of the person's own organization only, the e-mail
typed to confirm an erasure, both audited."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
import sqlalchemy as sa

from data.db import get_database
from data.models import AuditLog, User
from tests.apps import call_callback, signed_in
from tests.data.privacy.conftest import acme_admin_id, add_person, privacy_app


@pytest.fixture
def page_app(privacy_world, tmp_path):
    url, _world = privacy_world
    app = privacy_app(url, tmp_path)
    with app.server.app_context(), get_database().session_scope() as session:
        person = add_person(session, *acme_admin_id(session))
    yield app, person
    app.server.extensions["kiki_db"].engine.dispose()


def _audit(app, action: str) -> list:
    with app.server.app_context(), get_database().session_scope() as session:
        return session.execute(
            sa.select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.id)
        ).scalars().all()  # fmt: skip


def _erase(app, client, user_id, confirmation):
    return call_callback(
        app, client, "privacy-message",
        {"privacy-erase.n_clicks": 1, "privacy-user.value": user_id,
         "privacy-confirm.value": confirmation, "privacy-changed.data": 0},
    )  # fmt: skip


def test_admin_downloads_a_members_export(page_app):
    app, person = page_app
    admin = signed_in(app, "acme", "admin")
    response = admin.get(f"/export/personal-data.zip?user={person['id']}")
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        account = json.loads(archive.read("account.json"))
    assert account[0]["email"] == person["email"]
    assert _audit(app, "gdpr_export")[-1].target_id == str(person["id"])


def test_other_organizations_and_bad_ids_get_nothing(page_app):
    app, person = page_app
    other = signed_in(app, "globex", "admin")
    response = other.get(f"/export/personal-data.zip?user={person['id']}")
    assert response.status_code == 404
    assert person["email"] not in response.get_data(as_text=True)
    admin = signed_in(app, "acme", "admin")
    for bad in ("", "abc", "-1", "1e3", "9" * 30):
        assert admin.get(f"/export/personal-data.zip?user={bad}").status_code == 400
    analyst = signed_in(app, "acme", "analyst")
    assert (
        analyst.get(f"/export/personal-data.zip?user={person['id']}").status_code == 403
    )


def test_erasure_needs_the_typed_email(page_app):
    app, person = page_app
    admin = signed_in(app, "acme", "admin")
    refused = _erase(app, admin, person["id"], "someone@else.test")
    assert refused.status_code == 200 and "exactly" in refused.get_data(as_text=True)
    plan = call_callback(
        app, admin, "privacy-plan", {"privacy-user.value": person["id"]}
    )
    assert "Erasing them would" in plan.get_data(as_text=True)
    with app.server.app_context(), get_database().session_scope() as session:
        assert session.get(User, person["id"]) is not None
    done = _erase(app, admin, person["id"], person["email"].upper())
    assert done.status_code == 200 and "Erased" in done.get_data(as_text=True)
    with app.server.app_context(), get_database().session_scope() as session:
        assert session.get(User, person["id"]) is None
    erasure = _audit(app, "gdpr_erased")[-1]
    assert erasure.actor_user_id is not None
    assert person["email"] not in json.dumps(erasure.details)


def test_no_erasing_yourself_or_another_organizations_member(page_app):
    app, person = page_app
    admin = signed_in(app, "acme", "admin")
    with app.server.app_context(), get_database().session_scope() as session:
        _org, admin_id = acme_admin_id(session)
    mine = _erase(app, admin, admin_id, "admin@acme.test")
    assert "own account" in mine.get_data(as_text=True)
    other = signed_in(app, "globex", "admin")
    theirs = _erase(app, other, person["id"], person["email"])
    assert "No such user" in theirs.get_data(as_text=True)
    with app.server.app_context(), get_database().session_scope() as session:
        assert session.get(User, person["id"]) is not None
        assert session.get(User, admin_id) is not None
