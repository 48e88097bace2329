"""The export of one person's data: a ZIP of JSON and CSV per dataset plus manifest.json.

Rows are streamed from the database in chunks and written once to a CSV and a JSON file (so a
user with 100,000 audit rows takes seconds and little memory), then added to the archive.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import os
import tempfile
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from sqlalchemy.orm import Session

from data.privacy.registry import COLUMNS, WITHHOLD
from data.privacy.subject import Subject, export_queries
from data.scope import Actor
from data.writes.audit import record_event

FORMAT = "kiki-gdpr-export/1"
CHUNK_ROWS = 5000
NOT_HELD = {
    "subscriptions": "this version has no subscriptions table",
    "creatives": "ad copies and prompts have no author column; uploaded assets are "
    "in assets_uploaded",
    "sessions": "sessions live in signed cookies; their metadata (last_login_at, "
    "session_epoch) is in account, sign-ins and sign-outs in the audit files",
}


@dataclass
class ExportResult:
    path: Path
    rows: dict[str, int] = field(default_factory=dict)


class _HashingWriter:
    """A text sink that writes UTF-8 to a file and hashes what it writes."""

    def __init__(self, path: Path) -> None:
        self.file = open(path, "wb")  # noqa: SIM115 - closed in close()
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, text: str) -> int:
        data = text.encode("utf-8")
        self.digest.update(data)
        self.file.write(data)
        self.size += len(data)
        return len(text)

    def close(self) -> None:
        self.file.close()


def _plain(value):
    """A value as JSON holds it: ISO dates, decimals as strings, nested details kept."""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return None  # never reached: binary columns are withheld secrets
    return value


def _cell(value) -> str:
    value = _plain(value)
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True)
    return str(value)


def _write_dataset(session: Session, query, workdir: Path, name: str) -> dict:
    csv_sink = _HashingWriter(workdir / f"{name}.csv")
    json_sink = _HashingWriter(workdir / f"{name}.json")
    writer = csv.writer(csv_sink, lineterminator="\r\n")
    rows = 0
    try:
        result = session.execute(query.execution_options(yield_per=CHUNK_ROWS))
        columns = list(result.keys())
        writer.writerow(columns)
        json_sink.write("[")
        for chunk in result.partitions():
            writer.writerows([_cell(v) for v in row] for row in chunk)
            parts = [
                json.dumps({k: _plain(v) for k, v in zip(columns, row, strict=True)})
                for row in chunk
            ]
            json_sink.write(("," if rows else "") + "\n" + ",\n".join(parts))
            rows += len(chunk)
        json_sink.write("\n]\n")
    finally:
        csv_sink.close()
        json_sink.close()
    return {
        "rows": rows,
        "columns": columns,
        "files": {
            f"{name}.csv": (csv_sink.digest.hexdigest(), csv_sink.size),
            f"{name}.json": (json_sink.digest.hexdigest(), json_sink.size),
        },
    }


def write_export(
    session: Session, subject: Subject, out: str | Path, now: dt.datetime | None = None
) -> ExportResult:
    """Write everything the database holds about ``subject`` to the ZIP file ``out``.

    Each dataset of the registry (data/privacy/registry.py) becomes NAME.csv and NAME.json; the
    manifest lists each file's dataset, table, row count, size and SHA-256. Secrets (password
    and token hashes, API key ciphertext) are never written. The file appears whole or not at
    all (written under a temporary name, then renamed).
    """
    out = Path(out)
    now = now or dt.datetime.now(dt.UTC)
    result = ExportResult(out)
    files = []
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=".gdpr-") as tmp:
        workdir = Path(tmp)
        for name, table_name, query in export_queries(subject):
            written = _write_dataset(session, query, workdir, name)
            result.rows[name] = written["rows"]
            for filename, (sha256, size) in written["files"].items():
                files.append(
                    {
                        "name": filename,
                        "dataset": name,
                        "table": table_name,
                        "rows": written["rows"],
                        "columns": written["columns"],
                        "bytes": size,
                        "sha256": sha256,
                    }
                )
        manifest = {
            "format": FORMAT,
            "generated_at": now.isoformat(),
            "subject": {"user_id": subject.user_id, "email": subject.email},
            "rows": result.rows,
            "files": files,
            "withheld": sorted(
                f"{e.table}.{e.column}" for e in COLUMNS if e.export == WITHHOLD
            ),
            "not_held": NOT_HELD,
        }
        partial = workdir / "export.zip"
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("manifest.json", json.dumps(manifest, indent=2))
            for entry in files:
                archive.write(workdir / entry["name"], entry["name"])
        partial.chmod(0o600)  # personal data: readable by the owner only
        os.replace(partial, out)
    return result


def record_export(session, subject: Subject, actor_user_id, ip_address, rows) -> None:
    """The audit row of an export: who asked, whose data, how many rows (no e-mail)."""
    record_event(
        session,
        Actor(subject.organization_id, actor_user_id, ip_address),
        "gdpr_export",
        target_type="user",
        target_id=subject.user_id,
        details={"rows": rows},
    )
