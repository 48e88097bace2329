"""Verified backups: pg_dump (custom format) or SQLite's online backup API, plus a manifest.

A backup is two files in the backup directory, ``kiki-<UTC stamp>.<dump|sqlite3>`` and
``kiki-<stamp>.json`` (SHA-256, size, row count per table). Both are written under temporary
names and renamed only when complete, so a failure never leaves a half-written backup.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import sqlite3
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

FORMAT = "kiki-backup/1"
CHUNK = 1 << 20
NAME = re.compile(r"^kiki-(\d{8}T\d{6}Z)(-\d+)?\.json$")


class BackupError(RuntimeError):
    """A backup or restore failed; the message says why and what to check."""


@dataclass
class BackupResult:
    path: Path
    manifest_path: Path
    sha256: str
    tables: dict[str, int]
    removed: list[Path] = field(default_factory=list)


def libpq_url(url: sa.URL) -> tuple[str, dict]:
    """A libpq URL without the password (which goes in PGPASSWORD, not on a command line)."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def table_counts(conn: sa.Connection) -> dict[str, int]:
    """Rows per table of the connected database (every table, alembic_version included)."""
    names = sorted(sa.inspect(conn).get_table_names())
    return {
        name: int(conn.scalar(sa.select(sa.func.count()).select_from(sa.table(name))))
        for name in names
    }


def _facts(conn: sa.Connection) -> dict:
    """What the manifest records about the data: rows per table and the schema revision."""
    counts = table_counts(conn)
    revision = None
    if counts.get("alembic_version"):
        revision = conn.scalar(sa.text("SELECT version_num FROM alembic_version"))
    return {"tables": counts, "alembic_revision": revision}


def _copy_stream(source, target, digest) -> None:
    """Copy a pipe into the backup file, hashing as it goes (the one place bytes are written)."""
    while chunk := source.read(CHUNK):
        target.write(chunk)
        digest.update(chunk)


def _sqlite_copy(source: sqlite3.Connection, target_path: Path) -> None:
    target = sqlite3.connect(target_path)
    try:
        source.backup(target)
    finally:
        target.close()


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _sqlite_backup(url: sa.URL, temp: Path) -> tuple[str, dict]:
    database = url.database or ""
    if not database or database == ":memory:" or not Path(database).is_file():
        raise BackupError(f"database unreachable: no SQLite file at {database!r}")
    try:
        source = sqlite3.connect(f"file:{database}?mode=rw", uri=True, timeout=30)
        try:
            _sqlite_copy(source, temp)
        finally:
            source.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"SQLite backup failed: {exc}") from exc
    engine = sa.create_engine(f"sqlite:///{temp}")
    try:
        with engine.connect() as conn:
            facts = _facts(conn)
    finally:
        engine.dispose()
    return file_sha256(temp), facts


def _tool_major(tool: str) -> int:
    try:
        out = subprocess.run(
            [tool, "--version"], capture_output=True, text=True, check=True
        )
    except (OSError, subprocess.CalledProcessError) as exc:
        raise BackupError(f"{tool} is not usable: {exc}") from exc
    match = re.search(r"(\d+)(?:\.\d+)?", out.stdout)
    if not match:
        raise BackupError(f"cannot read the version of {tool}: {out.stdout!r}")
    return int(match.group(1))


def _pg_backup(url: sa.URL, temp: Path) -> tuple[str, dict]:
    engine = sa.create_engine(
        url, isolation_level="REPEATABLE READ", connect_args={"connect_timeout": 5}
    )
    try:
        with engine.connect() as conn:
            server = int(conn.scalar(sa.text("SHOW server_version_num"))) // 10000
            client = _tool_major("pg_dump")
            if client < server:
                raise BackupError(
                    f"pg_dump {client} cannot dump a PostgreSQL {server} server: "
                    f"install postgresql-client-{server}"
                )
            # pg_dump reads the same snapshot as these counts: the manifest matches the dump.
            snapshot = conn.scalar(sa.text("SELECT pg_export_snapshot()"))
            facts = _facts(conn)
            libpq, env = libpq_url(url)
            command = ["pg_dump", "--format=custom", "--no-owner", "--no-acl"]
            command += [f"--snapshot={snapshot}", f"--dbname={libpq}"]
            digest = hashlib.sha256()
            with tempfile.TemporaryFile() as errors, open(temp, "wb") as target:
                process = subprocess.Popen(
                    command, stdout=subprocess.PIPE, stderr=errors, env=env
                )
                try:
                    _copy_stream(process.stdout, target, digest)
                finally:
                    process.stdout.close()
                    code = process.wait()
                errors.seek(0)
                message = errors.read().decode(errors="replace").strip()
                if code != 0:
                    raise BackupError(f"pg_dump failed ({code}): {message}")
                target.flush()
                os.fsync(target.fileno())
    except sa.exc.OperationalError as exc:
        raise BackupError(f"database unreachable: {exc.orig}") from exc
    finally:
        engine.dispose()
    return digest.hexdigest(), facts


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _free_name(directory: Path, stamp: str, suffix: str) -> str:
    base, n = f"kiki-{stamp}", 1
    while (directory / f"{base}{suffix}").exists() or (
        directory / f"{base}.json"
    ).exists():
        n += 1
        base = f"kiki-{stamp}-{n}"
    return base


def create_backup(
    database_url: str,
    directory: str | os.PathLike,
    keep: int = 7,
    now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
) -> BackupResult:
    """Back up ``database_url`` into ``directory`` and keep the newest ``keep`` backups.

    Raises BackupError (and leaves no partial file) when the directory cannot be written,
    the disk fills, or the database is unreachable.
    """
    url = sa.make_url(database_url)
    backend = url.get_backend_name()
    directory = Path(directory)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BackupError(f"cannot use backup directory {directory}: {exc}") from exc
    suffix = ".sqlite3" if backend == "sqlite" else ".dump"
    base = _free_name(directory, now().strftime("%Y%m%dT%H%M%SZ"), suffix)
    final, manifest = directory / f"{base}{suffix}", directory / f"{base}.json"
    temp = directory / f".{base}{suffix}.partial"
    temp_manifest = directory / f".{base}.json.partial"
    try:
        try:
            temp.touch(mode=0o600, exist_ok=False)  # a backup holds every secret hash
        except OSError as exc:
            raise BackupError(f"cannot write to {directory}: {exc}") from exc
        run = _sqlite_backup if backend == "sqlite" else _pg_backup
        sha256, facts = run(url, temp)
        body = {
            "format": FORMAT,
            "created_at": now().isoformat(),
            "backend": backend,
            "file": final.name,
            "size_bytes": temp.stat().st_size,
            "sha256": sha256,
            **facts,
        }
        temp_manifest.write_text(json.dumps(body, indent=2, sort_keys=True))
        os.replace(temp, final)
        os.replace(temp_manifest, manifest)
        _fsync_dir(directory)
    except OSError as exc:
        _remove(temp, temp_manifest, final)
        raise BackupError(f"backup into {directory} failed: {exc}") from exc
    except BaseException:
        _remove(temp, temp_manifest, final)
        raise
    return BackupResult(
        final, manifest, sha256, facts["tables"], prune(directory, keep)
    )


def _remove(*paths: Path) -> None:
    for path in paths:
        try:
            path.unlink(missing_ok=True)
        except OSError:
            pass


def _age_order(manifest: Path) -> tuple[str, int]:
    stamp, counter = NAME.match(manifest.name).groups()
    return stamp, int(counter[1:]) if counter else 1


def prune(directory: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` backups (by their timestamped names); returns them."""
    manifests = sorted(
        (p for p in directory.iterdir() if NAME.match(p.name)), key=_age_order
    )
    removed = []
    for manifest in manifests[: max(len(manifests) - max(keep, 1), 0)]:
        try:
            listed = json.loads(manifest.read_text()).get("file", "")
        except (OSError, ValueError):
            listed = ""
        for path in (
            (directory / Path(listed).name, manifest) if listed else (manifest,)
        ):
            if path.exists():
                path.unlink()
                removed.append(path)
    return removed
