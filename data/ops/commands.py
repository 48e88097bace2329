"""Operator commands: backup, restore, refresh-rollups, rotate-keys, worker (registered in data/ops/cli.py)."""

from __future__ import annotations

import datetime as dt
import os

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from data.db import get_database
from data.models import Organization
from data.ops.backup import BackupError, create_backup
from data.ops.restore import restore_backup
from data.protocols import app_cipher
from data.writes.transaction import write_transaction


@click.command("backup")
@with_appcontext
@click.option("--dir", "directory", default=None, help="Default: KIKI_BACKUP_DIR.")
@click.option("--keep", default=None, type=click.IntRange(1, 10_000))
def backup_command(directory: str | None, keep: int | None) -> None:
    """Back up the database (with a SHA-256 manifest) and keep the newest KIKI_BACKUP_KEEP."""
    config = current_app.config
    try:
        result = create_backup(
            config["DATABASE_URL"],
            directory or config["KIKI_BACKUP_DIR"],
            keep or config["KIKI_BACKUP_KEEP"],
        )
    except BackupError as exc:
        raise click.ClickException(f"Backup failed: {exc}") from None
    rows = sum(result.tables.values())
    click.echo(f"Wrote {result.path} ({rows:,} rows in {len(result.tables)} tables)")
    click.echo(f"  sha256 {result.sha256}  manifest {result.manifest_path.name}")
    for path in result.removed:
        click.echo(f"  removed old {path.name}")


@click.command("restore")
@with_appcontext
@click.argument("file", type=click.Path(dir_okay=False))
def restore_command(file: str) -> None:
    """Restore FILE (a backup or its manifest) into the empty DATABASE_URL and verify it."""
    try:
        counts = restore_backup(current_app.config["DATABASE_URL"], file)
    except BackupError as exc:
        raise click.ClickException(f"Restore failed: {exc}") from None
    rows = sum(counts.values())
    click.echo(
        f"Restored {rows:,} rows in {len(counts)} tables; counts match the manifest."
    )


@click.command("refresh-rollups")
@with_appcontext
@click.option("--org", "org_slug", default=None, help="One organization (slug).")
@click.option("--start", type=click.DateTime(["%Y-%m-%d"]), default=None)
@click.option("--end", type=click.DateTime(["%Y-%m-%d"]), default=None)
def refresh_rollups_command(org_slug: str | None, start, end) -> None:
    """Rebuild daily_revenue_summary from performance_metrics (everything by default)."""
    from data.ops.rollups import refresh_rollups

    with write_transaction(get_database()) as session:
        org_id = None
        if org_slug:
            org_id = session.scalar(
                sa.select(Organization.id).where(Organization.slug == org_slug)
            )
            if org_id is None:
                raise click.ClickException(f"No organization with slug {org_slug!r}.")
        rows = refresh_rollups(
            session,
            org_id,
            start.date() if isinstance(start, dt.datetime) else None,
            end.date() if isinstance(end, dt.datetime) else None,
        )
    click.echo(f"Wrote {rows:,} daily_revenue_summary rows.")


@click.command("rotate-keys")
@with_appcontext
def rotate_keys_command() -> None:
    """Re-encrypt every platform credential with the newest KIKI_ENCRYPTION_KEYS key."""
    from data.writes.platform_keys import rotate_credentials

    with write_transaction(get_database()) as session:
        report = rotate_credentials(session, app_cipher())
    click.echo(f"Re-encrypted {report.rotated} credential(s) with the newest key.")
    if report.failed:
        for cred_id, org_id, platform in report.failed:
            click.echo(
                f"  NOT DECRYPTABLE: credential id={cred_id} organization={org_id} "
                f"platform={platform} (left unchanged; set it again or add its old key)",
                err=True,
            )
        raise click.ClickException(
            f"{len(report.failed)} credential(s) could not be decrypted with any key."
        )


@click.command("worker")
@with_appcontext
@click.option("--poll", default=5.0, show_default=True, type=click.FloatRange(0.1, 300))
def worker_command(poll: float) -> None:
    """Run the scheduler: due alert rules, the outbox's retries, periodic jobs (until SIGTERM)."""
    import signal
    import threading

    from data.scheduler import run_worker, wake

    stop = threading.Event()

    def request_stop(_signum, _frame):
        stop.set()
        wake()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    click.echo(f"KIKI worker {os.getpid()}: polling every {poll:g} s")
    run_worker(get_database(), stop, poll)
    click.echo("KIKI worker stopped")
