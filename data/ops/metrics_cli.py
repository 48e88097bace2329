"""`flask --app app import-metrics FILE.csv --org SLUG`: a CSV of daily rows streamed into
performance_metrics in batches of 10,000 inside one transaction (the whole file or nothing), with
a progress bar and a summary; the same validation as the API (data/writes/metrics.py).

The file's header names the columns: platform_deployment_id or external_id, date, impressions,
clicks, conversions, spend, revenue (any order; a missing number is 0). Memory holds one batch.
"""

from __future__ import annotations

import csv
import io
import os
import time

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from data.db import get_database
from data.models import Organization
from data.scope import Scope
from data.writes.metrics import (
    MAX_BATCH,
    ROW_FIELDS,
    IngestRefused,
    MetricsImport,
)
from data.writes.transaction import write_transaction

SHOWN_ERRORS = 20


def _organization(session, slug: str) -> int:
    org_id = session.scalar(sa.select(Organization.id).where(Organization.slug == slug))
    if org_id is None:
        raise click.ClickException(f"No organization with slug {slug!r}.")
    return org_id


def _counted(handle: io.TextIOBase, read: list[int]):
    """The file's lines, adding each one's length to ``read[0]`` (the progress bar's position:
    ``tell()`` is not available while csv iterates a text file)."""
    for line in handle:
        read[0] += len(line)
        yield line


def _rows(lines):
    """The file's rows as dicts, empty cells left out (the numbers' default is 0)."""
    reader = csv.DictReader(lines)
    header = reader.fieldnames or []
    unknown = [name for name in header if name not in ROW_FIELDS]
    if unknown:
        raise click.ClickException(
            f"Unknown column(s) {', '.join(unknown)}; expected some of {', '.join(ROW_FIELDS)}."
        )
    if "date" not in header:
        raise click.ClickException("The file needs a date column.")
    for record in reader:
        yield {key: value for key, value in record.items() if value not in ("", None)}


@click.command("import-metrics")
@with_appcontext
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--org", "org_slug", required=True, help="The organization's slug.")
def import_metrics_command(path: str, org_slug: str) -> None:
    """Import daily metric rows from a CSV file: all of them, or none if any row is refused."""
    started = time.monotonic()
    size = os.path.getsize(path)
    with write_transaction(get_database()) as session:
        org_id = _organization(session, org_slug)
        # The command line acts as an analyst of that organization with no user behind it.
        job = MetricsImport(session, Scope(org_id, "analyst", None), source="import")
        with (
            open(path, newline="", encoding="utf-8-sig") as handle,
            click.progressbar(length=size, label="Importing", show_percent=True) as bar,
        ):
            batch, first_line, line, read = [], 2, 1, [0]
            for record in _rows(_counted(handle, read)):
                line += 1
                batch.append(record)
                if len(batch) == MAX_BATCH:
                    job.add(batch, first_line)
                    batch, first_line = [], line + 1
                    bar.update(min(read[0], size) - bar.pos)
            if batch:
                job.add(batch, first_line)
            bar.update(size - bar.pos)
        try:
            summary = job.finish(ip_address="cli")
        except IngestRefused as refused:
            click.echo(f"{refused.total} row error(s); nothing was imported.", err=True)
            for error in refused.errors[:SHOWN_ERRORS]:
                click.echo(
                    f"  line {error.row}, {error.field}: {error.message}", err=True
                )
            if refused.total > SHOWN_ERRORS:
                click.echo(f"  … and {refused.total - SHOWN_ERRORS} more.", err=True)
            raise SystemExit(1) from None
    seconds = time.monotonic() - started
    click.echo(
        f"Imported {summary.rows:,} rows ({summary.inserted:,} new, {summary.updated:,} "
        f"replaced) over {len(summary.days):,} days, {summary.first_date} to "
        f"{summary.last_date}, in {seconds:.1f} s."
    )


@click.command("demo-live")
@with_appcontext
@click.option("--every", default=5.0, show_default=True, help="Seconds between ticks.")
@click.option("--ticks", default=0, help="Stop after this many (0: until interrupted).")
def demo_live_command(every: float, ticks: int) -> None:
    """Grow the demo organizations' numbers for today every few seconds (Ctrl-C stops)."""
    from data.ops.demo_live import tick

    done = 0
    try:
        while True:
            rows = tick(get_database())
            done += 1
            click.echo(
                f"{time.strftime('%H:%M:%S')} tick {done}: {rows} rows for today"
            )
            if ticks and done >= ticks:
                return
            time.sleep(max(every, 0.5))
    except KeyboardInterrupt:
        click.echo("Stopped.")
