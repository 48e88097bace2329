"""Flask CLI commands for data: seed-demo, create-user; and the embedded default's first start."""

from __future__ import annotations

import sys

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import with_appcontext

from data.clock import today
from data.db import get_database
from data.models import ROLES, Organization, User
from data.protocols import app_hasher
from data.scope import Scope
from data.writes.transaction import write_transaction
from data.writes.users import UserError, create_user


def _print_logins(users) -> None:
    click.echo(
        "\n  Demo logins (shown once; each run of seed-demo makes new passwords):"
    )
    for email, role, org, password in users:
        if password:
            click.echo(f"    {org:<8} {role:<8} {email:<28} {password}")
    click.echo("")


def seed_demo(
    campaigns: int, days: int, seed: int, *, show_logins: bool = True
) -> list:
    """Load the demo data; its logins, (email, role, organization, password or None), are
    printed unless the caller shows them itself (the embedded start's block)."""
    from data.ops.demo import load_demo_data

    with write_transaction(get_database()) as session:
        if session.scalar(sa.select(sa.func.count()).select_from(Organization)):
            raise click.ClickException(
                "Demo data is already loaded (organizations exist); use a fresh database."
            )
        summary = load_demo_data(
            session,
            campaigns=campaigns,
            days=days,
            seed=seed,
            end_date=today(),
            password_hasher=app_hasher().hash,
        )
    click.echo(
        f"Loaded {summary.campaigns} campaigns and {summary.metric_rows:,} metric rows."
    )
    if show_logins:
        _print_logins(summary.users)
    return list(summary.users)


@click.command("seed-demo")
@click.option(
    "--campaigns", default=60, show_default=True, type=click.IntRange(1, 100_000)
)
@click.option("--days", default=180, show_default=True, type=click.IntRange(1, 3660))
@click.option("--seed", default=7, show_default=True, type=int)
@click.option(
    "--bulk-rows",
    is_flag=True,
    help="Benchmark data: one organization, COPY-loaded metrics.",
)
def seed_demo_command(campaigns: int, days: int, seed: int, bulk_rows: bool) -> None:
    """Load deterministic demo data (two organizations, users of every role, campaigns, metrics)."""
    if bulk_rows:
        from data.ops.demo import bulk_load_metrics

        rows = bulk_load_metrics(
            get_database().engine, campaigns=campaigns, days=days, seed=seed
        )
        click.echo(f"Loaded {rows:,} metric rows.")
        return
    seed_demo(campaigns, days, seed)


def _read_password() -> str:
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    first, second = sys.stdin.readline().rstrip("\n"), sys.stdin.readline().rstrip("\n")
    if first != second:
        raise click.ClickException("The two passwords differ.")
    return first


@click.command("create-user")
@with_appcontext
@click.option("--email", required=True)
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--org", "org_slug", required=True, help="Organization slug.")
@click.option("--name", default=None)
def create_user_command(email: str, role: str, org_slug: str, name: str | None) -> None:
    """Create a user; the password is read from a prompt (or twice from stdin), never an argument."""
    password = _read_password()
    with write_transaction(get_database()) as session:
        org = session.scalar(
            sa.select(Organization).where(Organization.slug == org_slug)
        )
        if org is None:
            raise click.ClickException(f"No organization with slug {org_slug!r}.")
        try:
            # The command line acts as an admin of that organization with no user behind it.
            user = create_user(
                session,
                Scope(organization_id=org.id, role="admin", user_id=None),
                email=email,
                name=name or email.split("@")[0],
                role=role,
                password=password,
                ip_address="cli",
            )
        except UserError as exc:
            raise click.ClickException(str(exc)) from None
    click.echo(f"Created {user.email} ({role}) in {org_slug}.")


def prepare_embedded(app: Flask) -> list:
    """Embedded default: migrate to head; on the first start load demo data. Returns the demo
    logins just made (the start-up block shows them, data/ops/startup.py), else []."""
    from data.ops.migrate import upgrade_to_head

    with app.app_context():
        upgrade_to_head(current_app.config["DATABASE_URL"])
        with get_database().session_scope() as session:
            has_users = session.scalar(sa.select(sa.func.count()).select_from(User)) > 0
        if not has_users and current_app.config["KIKI_DEMO"]:
            click.echo("First start: loading demo data (a few seconds)…")
            return seed_demo(60, 180, 7, show_logins=False)
    return []


def init_app(app: Flask) -> None:
    from data.ops import commands as ops_cli
    from data.ops import metrics_cli
    from data.privacy import commands as privacy_cli

    app.cli.add_command(seed_demo_command)
    app.cli.add_command(create_user_command)
    for command in (
        ops_cli.backup_command,
        ops_cli.restore_command,
        ops_cli.refresh_rollups_command,
        ops_cli.rotate_keys_command,
        ops_cli.worker_command,
        metrics_cli.import_metrics_command,
        metrics_cli.demo_live_command,
        privacy_cli.gdpr_export_command,
        privacy_cli.gdpr_erase_command,
        privacy_cli.purge_audit_log_command,
    ):
        app.cli.add_command(command)
