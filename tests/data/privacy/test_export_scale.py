"""The export of a person with 100,000 audit rows: every row in the archive, well within a minute."""

from __future__ import annotations

import datetime as dt
import json
import time
import zipfile

import pytest
import sqlalchemy as sa

from data.db import get_database
from data.models import AuditLog
from tests.data.privacy.conftest import acme_admin_id, add_person, privacy_app

ROWS = 100_000


@pytest.mark.slow  # ~20 s a backend, most of it inserting the rows
def test_export_of_100k_audit_rows(privacy_world, tmp_path):
    url, _world = privacy_world
    app = privacy_app(url, tmp_path)
    server = app.server
    with server.app_context():
        database = get_database()
        with database.session_scope() as session:
            person = add_person(session, *acme_admin_id(session))
        start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
        with database.engine.begin() as conn:
            for first in range(0, ROWS, 20_000):
                conn.execute(
                    sa.insert(AuditLog),
                    [
                        {
                            "organization_id": None,
                            "actor_user_id": person["id"],
                            "action": "api_call",
                            "ip_address": "10.0.0.1",
                            "target_type": "api",
                            "target_id": "campaigns",
                            "details": {"n": n, "path": "/api/v1/campaigns"},
                            "created_at": start + dt.timedelta(seconds=n),
                        }
                        for n in range(first, min(first + 20_000, ROWS))
                    ],
                )
    out = tmp_path / "big.zip"
    started = time.perf_counter()
    result = server.test_cli_runner().invoke(
        args=["gdpr-export", "--email", person["email"], "--out", str(out)]
    )
    elapsed = time.perf_counter() - started
    assert result.exit_code == 0, result.output
    print(f"\nexport of {ROWS:,} audit rows on {url.split(':')[0]}: {elapsed:.1f} s")
    assert elapsed < 60
    with zipfile.ZipFile(out) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        assert manifest["rows"]["audit_as_actor"] >= ROWS
        with archive.open("audit_as_actor.csv") as csv_file:
            lines = sum(1 for _ in csv_file)
        assert lines == manifest["rows"]["audit_as_actor"] + 1  # the header
        acted = json.loads(archive.read("audit_as_actor.json"))
        assert len(acted) == manifest["rows"]["audit_as_actor"]
    server.extensions["kiki_db"].engine.dispose()
