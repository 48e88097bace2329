"""Restore a backup (see data/ops/backup.py) into an empty database and verify its row counts."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import tempfile
from pathlib import Path

import sqlalchemy as sa

from data.models import Base
from data.ops.backup import FORMAT, BackupError, file_sha256, libpq_url, table_counts


def read_manifest(path: str | Path) -> tuple[Path, dict]:
    """(backup file, manifest) for a backup file or its manifest; BackupError when either is
    missing, the manifest is not ours, or the file's SHA-256 differs from the manifest's."""
    path = Path(path)
    manifest_path = path if path.suffix == ".json" else path.with_suffix(".json")
    try:
        manifest = json.loads(manifest_path.read_text())
    except (OSError, ValueError) as exc:
        raise BackupError(f"cannot read the manifest {manifest_path}: {exc}") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{manifest_path} is not a KIKI backup manifest")
    backup = manifest_path.parent / Path(str(manifest.get("file", ""))).name
    if not backup.is_file():
        raise BackupError(f"the backup file {backup} is missing")
    if file_sha256(backup) != manifest.get("sha256"):
        raise BackupError(
            f"{backup} is damaged: its SHA-256 differs from the manifest's"
        )
    return backup, manifest


def _nonempty(conn: sa.Connection) -> dict[str, int]:
    counts = table_counts(conn)
    return {name: n for name, n in counts.items() if n and name != "alembic_version"}


def _inspect_target(url: sa.URL) -> tuple[list[str], str | None]:
    """The target's tables and schema revision; refuses a database that holds any row."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            full = _nonempty(conn)
            if full:
                listed = ", ".join(f"{name} ({n})" for name, n in sorted(full.items()))
                raise BackupError(
                    f"refusing to restore into a database that holds data: {listed}"
                )
            tables = sa.inspect(conn).get_table_names()
            revision = None
            if "alembic_version" in tables:
                revision = conn.scalar(
                    sa.text("SELECT version_num FROM alembic_version")
                )
            return tables, revision
    except sa.exc.OperationalError as exc:
        raise BackupError(f"database unreachable: {exc.orig}") from exc
    finally:
        engine.dispose()


def _run(command: list[str], env: dict | None = None) -> str:
    done = subprocess.run(command, check=False, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        raise BackupError(
            f"{command[0]} failed ({done.returncode}): {done.stderr.strip()[-2000:]}"
        )
    return done.stdout


def _data_only_list(backup: Path) -> str:
    """pg_restore's table of contents reduced to table data (parents before children, so
    foreign keys hold row by row) and sequence positions; alembic_version's row is kept."""
    order = {table.name: n for n, table in enumerate(Base.metadata.sorted_tables)}
    data, sequences = [], []
    for line in _run(["pg_restore", "--list", str(backup)]).splitlines():
        if line.startswith(";") or not line.strip():
            continue
        if " TABLE DATA " in line:
            name = line.split(" TABLE DATA ", 1)[1].split()[1]
            if name in order:
                data.append((order[name], line))
        elif " SEQUENCE SET " in line:
            sequences.append(line)
    return "\n".join([line for _, line in sorted(data)] + sequences) + "\n"


def _pg_restore(url: sa.URL, backup: Path, tables: list[str]) -> None:
    libpq, env = libpq_url(url)
    command = ["pg_restore", "--no-owner", "--no-acl", "--exit-on-error"]
    command += ["--single-transaction", f"--dbname={libpq}"]
    if not tables:
        _run([*command, str(backup)], env)
        return
    # The schema is already there (migrated, empty): load the data only.
    with tempfile.NamedTemporaryFile("w", suffix=".list") as listing:
        listing.write(_data_only_list(backup))
        listing.flush()
        _run([*command, "--data-only", f"--use-list={listing.name}", str(backup)], env)


def _sqlite_restore(url: sa.URL, backup: Path) -> None:
    database = url.database or ""
    if not database or database == ":memory:":
        raise BackupError("restore needs a SQLite database file")
    try:
        source = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
        target = sqlite3.connect(database, timeout=30)
        try:
            source.backup(target)
        finally:
            source.close()
            target.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"SQLite restore failed: {exc}") from exc


def restore_backup(database_url: str, path: str | Path) -> dict[str, int]:
    """Restore the backup at ``path`` into the empty database at ``database_url``.

    Checks the file's SHA-256 first and refuses a database that holds any row; afterwards
    compares every table's row count with the manifest. Returns the restored counts.
    """
    backup, manifest = read_manifest(path)
    url = sa.make_url(database_url)
    backend = url.get_backend_name()
    if manifest.get("backend") != backend:
        raise BackupError(
            f"this is a {manifest.get('backend')} backup; the target is {backend}"
        )
    tables, revision = _inspect_target(url)
    wanted = manifest.get("alembic_revision")
    if revision is not None and wanted is not None and revision != wanted:
        raise BackupError(
            f"the target's schema is at {revision}, the backup's at {wanted}: "
            "restore into a database with no tables, or migrate it to match"
        )
    if backend == "sqlite":
        _sqlite_restore(url, backup)
    else:
        _pg_restore(url, backup, tables)
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            restored = table_counts(conn)
    finally:
        engine.dispose()
    expected = manifest.get("tables") or {}
    wrong = {
        name: (restored.get(name), count)
        for name, count in expected.items()
        if restored.get(name) != count
    }
    if wrong:
        listed = ", ".join(f"{n}: {got} != {want}" for n, (got, want) in wrong.items())
        raise BackupError(f"restored row counts differ from the manifest: {listed}")
    return restored
