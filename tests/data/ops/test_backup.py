"""Backups: a round trip restores identical rows on both databases; failures leave nothing behind."""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import json
import os
import uuid

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet
from sqlalchemy.orm import Session

import data.ops.backup
from auth.crypto import Cipher
from data.db import make_engine
from data.models import Organization
from data.ops.backup import BackupError, create_backup
from data.ops.migrate import upgrade_to_head
from data.ops.restore import restore_backup
from data.scope import Scope
from data.writes.platform_keys import set_credential
from tests.apps import make_app
from tests.services import create_pg_database, drop_pg_database


def row_hashes(url: str) -> dict[str, str]:
    """SHA-256 of each table's rows, sorted (so physical order does not matter)."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            hashes = {}
            for name in sorted(sa.inspect(conn).get_table_names()):
                rows = conn.execute(sa.select(sa.text("*")).select_from(sa.table(name)))
                lines = sorted(
                    repr(
                        tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)
                    )
                    for row in rows
                )
                hashes[name] = (
                    hashlib.sha256("\n".join(lines).encode()).hexdigest()
                    + f":{len(lines)}"
                )
            return hashes
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def source(ops_world):
    """The module's world plus an encrypted credential (bytes) and audit rows: every kind of column."""
    url, world = ops_world
    engine = make_engine(url)
    with Session(engine) as session:
        scope = Scope(world["orgs"]["acme"], "admin")
        set_credential(
            session,
            scope,
            "meta",
            "sk-" + "k" * 30,
            cipher=Cipher([Fernet.generate_key().decode()]),
        )
        session.commit()
    engine.dispose()
    return url


def _empty_target(backend_url: str, tmp_path, migrated: bool) -> str:
    if backend_url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path / f'restored-{uuid.uuid4().hex[:6]}.sqlite3'}"
    else:
        url = create_pg_database("kiki_restore")
    if migrated:
        upgrade_to_head(url)
    return url


def _dispose(url: str) -> None:
    if url.startswith("postgresql"):
        drop_pg_database(url)


@pytest.mark.parametrize("migrated", [False, True], ids=["no-tables", "migrated-empty"])
def test_backup_then_restore_gives_identical_rows(source, tmp_path, migrated):
    result = create_backup(source, tmp_path / "backups", keep=3)
    manifest = json.loads(result.manifest_path.read_text())
    assert manifest["sha256"] == hashlib.sha256(result.path.read_bytes()).hexdigest()
    assert manifest["tables"]["performance_metrics"] > 100
    assert manifest["tables"]["platform_credentials"] == 1
    target = _empty_target(source, tmp_path, migrated)
    try:
        restored = restore_backup(target, result.path)
        assert restored == manifest["tables"]
        assert row_hashes(target) == row_hashes(source)
        engine = make_engine(target)  # sequences moved on: new rows get fresh ids
        with Session(engine) as session:
            session.add(Organization(slug=f"new-{uuid.uuid4().hex[:6]}", name="New"))
            session.commit()
        engine.dispose()
    finally:
        _dispose(target)


def test_backup_and_restore_commands(source, tmp_path):
    directory = tmp_path / "cli"
    app = make_app(source, KIKI_BACKUP_DIR=str(directory), KIKI_BACKUP_KEEP=2)
    runner = app.server.test_cli_runner()
    result = runner.invoke(args=["backup"])
    assert result.exit_code == 0, result.output
    dumps = [p for p in directory.iterdir() if p.suffix != ".json"]
    assert (
        len(dumps) == 1 and dumps[0].stat().st_mode & 0o077 == 0
    )  # private to its owner
    # Restoring into the (non-empty) source is refused and changes nothing.
    before = row_hashes(source)
    refused = runner.invoke(args=["restore", str(dumps[0])])
    assert refused.exit_code != 0 and "holds data" in refused.output
    assert row_hashes(source) == before
    target = _empty_target(source, tmp_path, migrated=False)
    try:
        restore_app = make_app(target)
        restored = restore_app.server.test_cli_runner().invoke(
            args=["restore", str(dumps[0])]
        )
        assert restored.exit_code == 0, restored.output
        assert "counts match the manifest" in restored.output
        assert row_hashes(target) == before
    finally:
        _dispose(target)


def test_keeps_only_the_newest_backups(source, tmp_path):
    stamps = [dt.datetime(2026, 11, d, 2, 0, tzinfo=dt.UTC) for d in (1, 2, 3, 4)]
    for stamp in stamps:
        result = create_backup(source, tmp_path, keep=2, now=lambda stamp=stamp: stamp)
    names = {p.name for p in tmp_path.iterdir()}
    suffix = result.path.suffix
    assert names == {
        f"kiki-2026110{day}T020000Z{ext}" for day in (3, 4) for ext in (".json", suffix)
    }


@pytest.mark.parametrize(
    "directory", ["/dev/null/backups", "/sys"], ids=["under-a-file", "read-only"]
)
def test_unwritable_directory_fails_loudly(source, directory):
    before = set(os.listdir(directory)) if directory == "/sys" else None
    app = make_app(source, KIKI_BACKUP_DIR=directory)
    result = app.server.test_cli_runner().invoke(args=["backup"])
    assert result.exit_code != 0
    assert "Backup failed" in result.output and directory in result.output
    if before is not None:
        assert set(os.listdir(directory)) == before


def test_disk_full_mid_write_removes_the_partial_file(source, tmp_path, monkeypatch):
    kept = create_backup(source, tmp_path, keep=5)  # an earlier, complete backup stays

    def fill_disk(*args):
        target = args[1]
        if hasattr(target, "write"):
            target.write(b"partial bytes")
        else:
            target.write_bytes(b"partial bytes")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(data.ops.backup, "_copy_stream", fill_disk)
    monkeypatch.setattr(data.ops.backup, "_sqlite_copy", fill_disk)
    with pytest.raises(BackupError, match="No space left"):
        create_backup(
            source, tmp_path, keep=5, now=lambda: dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
        )
    assert sorted(tmp_path.iterdir()) == sorted([kept.path, kept.manifest_path])
    # The earlier backup is still whole.
    assert hashlib.sha256(kept.path.read_bytes()).hexdigest() == kept.sha256


def test_unreachable_database_fails_loudly(source, tmp_path):
    if source.startswith("sqlite"):
        dead = f"sqlite:///{tmp_path / 'missing' / 'nothing.sqlite3'}"
    else:
        dead = "postgresql+psycopg://postgres@127.0.0.1:9/kiki"  # nothing listens on port 9
    app = make_app(dead, KIKI_BACKUP_DIR=str(tmp_path / "b"))
    result = app.server.test_cli_runner().invoke(args=["backup"])
    assert result.exit_code != 0 and "database unreachable" in result.output
    assert not any((tmp_path / "b").iterdir())


def test_restore_refuses_a_damaged_file_and_checks_counts(source, tmp_path):
    result = create_backup(source, tmp_path, keep=5)
    target = _empty_target(source, tmp_path, migrated=False)
    try:
        original = result.path.read_bytes()
        result.path.write_bytes(original[:-1] + bytes([original[-1] ^ 0xFF]))
        with pytest.raises(BackupError, match="damaged"):
            restore_backup(target, result.path)
        result.path.write_bytes(original)
        manifest = json.loads(result.manifest_path.read_text())
        manifest["tables"]["organizations"] += (
            1  # a manifest that disagrees with the data
        )
        result.manifest_path.write_text(json.dumps(manifest))
        with pytest.raises(BackupError, match="organizations"):
            restore_backup(target, result.manifest_path)
    finally:
        _dispose(target)


def test_restore_refuses_another_backend(source, tmp_path):
    result = create_backup(source, tmp_path, keep=5)
    other = (
        "postgresql+psycopg://postgres@127.0.0.1:9/x"
        if source.startswith("sqlite")
        else f"sqlite:///{tmp_path / 'x.sqlite3'}"
    )
    with pytest.raises(BackupError, match="backup; the target is"):
        restore_backup(other, result.path)
