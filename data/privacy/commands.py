"""Flask CLI: gdpr-export, gdpr-erase and purge-audit-log (registered in data/ops/cli.py)."""

from __future__ import annotations

import time
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from data.db import get_database
from data.privacy.caches import purge_caches
from data.privacy.erase import erase_subject, plan_erasure
from data.privacy.export import record_export, write_export
from data.privacy.pseudonym import pseudonym_key
from data.privacy.retention import purge_audit_log
from data.privacy.subject import PrivacyError, find_subject
from data.writes.transaction import write_transaction


@click.command("gdpr-export")
@with_appcontext
@click.option("--email", required=True, help="The person's e-mail address.")
@click.option("--out", required=True, type=click.Path(dir_okay=False))
def gdpr_export_command(email: str, out: str) -> None:
    """Write everything held about one person to a ZIP (JSON, CSV, manifest.json); audited."""
    started = time.perf_counter()
    with get_database().session_scope() as session:
        try:
            subject = find_subject(session, email)
        except PrivacyError as exc:
            raise click.ClickException(str(exc)) from None
        result = write_export(session, subject, Path(out))
        record_export(session, subject, None, "cli", result.rows)
    click.echo(
        f"Wrote {result.path} in {time.perf_counter() - started:.1f} s: "
        + ", ".join(f"{name} {rows:,}" for name, rows in result.rows.items())
    )


@click.command("gdpr-erase")
@with_appcontext
@click.option("--email", required=True, help="The person's e-mail address.")
@click.option("--dry-run", is_flag=True, help="Show what would happen; change nothing.")
def gdpr_erase_command(email: str, dry_run: bool) -> None:
    """Erase one person: delete their account and tokens, remove their authorship, pseudonymise
    their audit rows (keyed hash; action and time kept), purge caches. One transaction."""
    key = pseudonym_key(current_app.config["SECRET_KEY"])
    database = get_database()
    try:
        if dry_run:  # reads only: the session closes without a commit
            with database.sessionmaker() as session:
                subject = find_subject(session, email)
                plan = plan_erasure(session, subject, key)
        else:
            with write_transaction(database) as session:
                subject = find_subject(session, email)
                plan = erase_subject(
                    session, subject, key, actor_user_id=None, ip_address="cli"
                )
    except PrivacyError as exc:
        raise click.ClickException(str(exc)) from None
    verb = "Would erase" if dry_run else "Erased"
    click.echo(f"{verb} user {subject.user_id}; pseudonym {plan.pseudonym}")
    for line in plan.lines():
        click.echo(f"  {line}")
    if dry_run:
        click.echo("Dry run: nothing was changed.")
        return
    purged = purge_caches(subject.organization_id, subject.email)
    click.echo(
        f"  purged cache entries: {purged['cache']}, limiter keys: {purged['limiter']}"
    )


@click.command("purge-audit-log")
@with_appcontext
@click.option("--days", type=click.IntRange(1, 100_000), default=None,
              help="Default: KIKI_AUDIT_RETENTION_DAYS.")  # fmt: skip
@click.option("--batch-size", type=click.IntRange(1, 1_000_000), default=5000)
def purge_audit_log_command(days: int | None, batch_size: int) -> None:
    """Delete audit rows older than the retention, in batches; the purge is itself audited."""
    days = days or current_app.config["KIKI_AUDIT_RETENTION_DAYS"]
    try:
        result = purge_audit_log(
            get_database().session_scope, days, batch_size=batch_size
        )
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(
        f"Purged {result.purged:,} audit rows created before "
        f"{result.cutoff.isoformat(timespec='seconds')} ({days} days)."
    )
