"""Platform API keys: encrypted at rest, never shown, rotated with the newest key, failures reported."""

from __future__ import annotations

import json
import logging
import os
import subprocess

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy.orm import Session

from auth.crypto import Cipher, demo_key, resolve_keys
from config import ConfigError
from data.db import make_engine
from data.models import AuditLog, Organization, PlatformCredential
from data.ops.backup import libpq_url
from data.scope import PermissionDenied, Scope
from data.writes.platform_keys import (
    credential_list,
    credential_value,
    rotate_credentials,
    set_credential,
)
from tests.apps import call_callback, make_app, signed_in

SECRET = "sk-live-SECRET-4242-abcdefghijklmnop"
OTHER = "ya29.OTHER-key-zyxwvutsrqponm-9876"


def _org(session: Session, slug: str = "acme") -> int:
    org = Organization(slug=slug, name=slug.title())
    session.add(org)
    session.flush()
    return org.id


def _raw_bytes(url: str) -> bytes:
    """Every byte the database holds: the SQLite files, or a plain pg_dump."""
    if url.startswith("sqlite"):
        path = sa.make_url(url).database
        return b"".join(
            open(p, "rb").read() for p in (path, f"{path}-wal") if os.path.exists(p)
        )
    libpq, env = libpq_url(sa.make_url(url))
    return subprocess.run(
        ["pg_dump", "--format=plain", f"--dbname={libpq}"],
        capture_output=True,
        check=True,
        env=env,
    ).stdout


def test_no_plaintext_key_in_the_database_file_or_dump(fresh_url, caplog):
    cipher = Cipher([Fernet.generate_key().decode()])
    engine = make_engine(fresh_url)
    caplog.set_level(logging.DEBUG)
    with Session(engine) as session:
        org_id = _org(session)
        admin = Scope(org_id, "admin")
        set_credential(session, admin, "meta", SECRET, cipher=cipher)
        set_credential(session, admin, "google", OTHER, cipher=cipher)
        session.commit()
        assert credential_value(session, admin, "meta", cipher=cipher) == SECRET
        audit = session.scalars(sa.select(AuditLog.details)).all()
    engine.dispose()
    raw = _raw_bytes(fresh_url)
    assert b"platform_credentials" in raw  # the dump or file really holds the table
    for secret in (SECRET, OTHER):
        assert secret.encode() not in raw
        assert secret[:-4].encode() not in raw  # only the last four stay in clear
        assert secret not in json.dumps(audit)
        assert secret not in caplog.text


def test_listing_is_masked_and_admin_only(session):
    cipher = Cipher([Fernet.generate_key().decode()])
    org_id = _org(session)
    admin = Scope(org_id, "admin")
    set_credential(session, admin, "tiktok", SECRET, cipher=cipher)
    frame = credential_list(session, admin)
    assert list(frame["platform"]) == ["meta", "google", "tiktok"]
    assert frame.set_index("platform").loc["tiktok", "masked"] == "••••" + SECRET[-4:]
    assert frame.set_index("platform").loc["meta", "masked"] == ""
    assert SECRET not in frame.to_json(date_format="iso")
    for role in ("viewer", "analyst"):
        with pytest.raises(PermissionDenied):
            credential_list(session, Scope(org_id, role))
        with pytest.raises(PermissionDenied):
            set_credential(session, Scope(org_id, role), "meta", OTHER, cipher=cipher)


@pytest.mark.parametrize(
    "platform,value",
    [
        ("meta", ""),
        ("meta", "short"),
        ("meta", "x" * 513),
        ("meta", "has a space in the middle!"),
        ("meta", "control\x00character-0123456789"),
        ("myspace", SECRET),
        ("meta", None),
    ],
)
def test_bad_keys_are_refused_and_change_nothing(session, platform, value):
    cipher = Cipher([Fernet.generate_key().decode()])
    org_id = _org(session)
    with pytest.raises(ValueError):
        set_credential(session, Scope(org_id, "admin"), platform, value, cipher=cipher)
    assert session.scalar(sa.select(sa.func.count(PlatformCredential.id))) == 0
    assert session.scalar(sa.select(sa.func.count(AuditLog.id))) == 0


def test_replacing_a_key_keeps_one_row_and_audits_both(session):
    cipher = Cipher([Fernet.generate_key().decode()])
    org_id = _org(session)
    admin = Scope(org_id, "admin", user_id=None)
    set_credential(session, admin, "meta", SECRET, cipher=cipher)
    set_credential(session, admin, "meta", OTHER, cipher=cipher)
    assert credential_value(session, admin, "meta", cipher=cipher) == OTHER
    assert session.scalar(sa.select(sa.func.count(PlatformCredential.id))) == 1
    details = session.scalars(
        sa.select(AuditLog.details).where(AuditLog.action == "credential_set")
    ).all()
    assert [d["replaced"] for d in details] == [False, True]


def test_rotation_moves_every_value_to_the_newest_key(session):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    org_id = _org(session)
    admin = Scope(org_id, "admin")
    set_credential(session, admin, "meta", SECRET, cipher=Cipher([old]))
    set_credential(session, admin, "google", OTHER, cipher=Cipher([old]))
    report = rotate_credentials(session, Cipher([new, old]))
    assert (report.rotated, report.failed) == (2, [])
    only_new = Cipher([new])
    assert credential_value(session, admin, "meta", cipher=only_new) == SECRET
    assert credential_value(session, admin, "google", cipher=only_new) == OTHER
    with pytest.raises(InvalidToken):
        credential_value(session, admin, "meta", cipher=Cipher([old]))


def test_rotate_keys_command_reports_a_value_no_key_opens(ops_world):
    url, world = ops_world
    lost, old, new = (Fernet.generate_key().decode() for _ in range(3))
    engine = make_engine(url)
    with Session(engine) as session:
        acme, globex = world["orgs"]["acme"], world["orgs"]["globex"]
        set_credential(
            session, Scope(acme, "admin"), "meta", SECRET, cipher=Cipher([old])
        )
        set_credential(
            session, Scope(globex, "admin"), "tiktok", OTHER, cipher=Cipher([lost])
        )
        session.commit()
        lost_id = session.scalar(
            sa.select(PlatformCredential.id).where(
                PlatformCredential.organization_id == globex
            )
        )
    app = make_app(url, KIKI_ENCRYPTION_KEYS=[new, old])
    result = app.server.test_cli_runner().invoke(args=["rotate-keys"])
    assert result.exit_code != 0
    assert "Re-encrypted 1 credential" in result.output
    assert f"id={lost_id} organization={globex} platform=tiktok" in result.output
    with Session(engine) as session:
        assert (
            credential_value(
                session, Scope(acme, "admin"), "meta", cipher=Cipher([new])
            )
            == SECRET
        )
        # The unreadable value is still there, untouched: its lost key would still open it.
        assert (
            credential_value(
                session, Scope(globex, "admin"), "tiktok", cipher=Cipher([lost])
            )
            == OTHER
        )
        session.execute(sa.delete(PlatformCredential))
        session.commit()
    engine.dispose()


def test_production_refuses_to_start_without_keys(tmp_path):
    with pytest.raises(ConfigError, match="KIKI_ENCRYPTION_KEYS is not set"):
        resolve_keys({"KIKI_DEMO": False, "KIKI_ENCRYPTION_KEYS": []}, tmp_path)
    with pytest.raises(ConfigError, match="key #2 is not a Fernet key"):
        resolve_keys(
            {"KIKI_ENCRYPTION_KEYS": [Fernet.generate_key().decode(), "nope"]}, tmp_path
        )
    assert not (tmp_path / "encryption_key").exists()


def test_app_factory_refuses_to_start_without_keys(fresh_url):
    with pytest.raises(ConfigError):
        make_app(fresh_url, KIKI_ENCRYPTION_KEYS=[])


def test_demo_mode_generates_one_private_key_and_keeps_it(tmp_path):
    first = resolve_keys({"KIKI_DEMO": True}, tmp_path)
    assert resolve_keys({"KIKI_DEMO": True}, tmp_path) == first
    assert (tmp_path / "encryption_key").stat().st_mode & 0o777 == 0o600
    assert demo_key(tmp_path) == first[0]
    Fernet(first[0])  # a usable key


def _key_row(url: str, org_id: int):
    engine = make_engine(url)
    with Session(engine) as session:
        row = session.scalar(
            sa.select(PlatformCredential).where(
                PlatformCredential.organization_id == org_id
            )
        )
    engine.dispose()
    return row


def test_settings_page_sets_a_key_without_ever_sending_it_back(ops_world):
    url, world = ops_world
    app = make_app(url)
    client = signed_in(app, "globex", "admin")
    values = {
        "org-key-save.n_clicks": 1,
        "org-platform.value": "google",
        "org-key.value": SECRET,
        "org-changed.data": 0,
    }
    response = call_callback(app, client, "org-key-message", values)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert SECRET not in response.get_data(as_text=True)
    assert response.json["response"]["org-key"]["value"] == ""
    listing = call_callback(app, client, "org-credentials", {"org-changed.data": 1})
    text = json.dumps(listing.json, ensure_ascii=False)
    assert "••••" + SECRET[-4:] in text and SECRET not in text
    row = _key_row(url, world["orgs"]["globex"])
    assert row.last4 == SECRET[-4:] and SECRET.encode() not in row.encrypted_value
    bad = call_callback(
        app, client, "org-key-message", {**values, "org-key.value": "short"}
    )
    assert "16 to 512 characters" in bad.get_data(as_text=True)
    for role in ("viewer", "analyst"):
        refused = call_callback(
            app, signed_in(app, "globex", role), "org-key-message", values
        )
        assert refused.status_code == 403
    assert _key_row(url, world["orgs"]["globex"]).updated_at == row.updated_at
