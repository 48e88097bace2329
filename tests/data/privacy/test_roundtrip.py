"""GDPR export and erase through the CLI on SQLite and PostgreSQL: the export holds the person,
the dry run changes nothing, and after the erasure no table, file or cache holds them."""

from __future__ import annotations

import gzip
import hashlib
import json
import subprocess
import time
import zipfile
from pathlib import Path

import redis
import sqlalchemy as sa
from sqlalchemy.orm import Session

from app import ROOT
from data.db import get_database
from data.models import ApiToken, AuditLog, Base, User
from data.privacy.pseudonym import pseudonym, pseudonym_key
from data.writes.sign_in_locks import address_digest
from tests.apps import OVERVIEW_INPUTS, call_callback
from tests.data.privacy.conftest import acme_admin_id, add_person
from tests.factories import login
from tests.services import REDIS_URL

OVERVIEW = OVERVIEW_INPUTS


def table_hits(session: Session, needles: list[str]) -> list[str]:
    """table.column (and row count) of every text-ish column of every table holding a needle."""
    hits = []
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, sa.LargeBinary):
                continue
            text = sa.func.lower(sa.cast(column, sa.Text))
            for needle in needles:
                found = session.scalar(
                    sa.select(sa.func.count())
                    .select_from(table)
                    .where(text.contains(needle.lower(), autoescape=True))
                )
                if found:
                    hits.append(f"{table.name}.{column.name} ({found}) ~ {needle}")
    return hits


def readable(path: Path) -> bytes:
    data = path.read_bytes()
    if path.suffix == ".dump":  # pg_dump's custom format is compressed: read it as SQL
        data = subprocess.run(
            ["pg_restore", "-f", "-", str(path)], capture_output=True, check=True
        ).stdout
    return data


def file_hits(roots: list[Path], since: float, needles: list[str]) -> list[str]:
    hits = []
    for root in roots:
        for path in root.rglob("*") if root.exists() else []:
            if path.is_file() and path.stat().st_mtime >= since:
                data = readable(path).lower()
                hits += [f"{path} ~ {n}" for n in needles if n.lower().encode() in data]
    return hits


def _values(client: redis.Redis, key: bytes) -> list[bytes]:
    kind = client.type(key)
    if kind == b"string":
        raw = client.get(key) or b""
        try:
            return [raw, gzip.decompress(raw[raw.find(b"\x1f\x8b") :])]
        except (OSError, EOFError):
            return [raw]
    if kind == b"hash":
        return [b"%s=%s" % kv for kv in client.hgetall(key).items()]
    if kind == b"zset":
        return list(client.zrange(key, 0, -1))
    if kind == b"list":
        return list(client.lrange(key, 0, -1))
    if kind == b"set":
        return list(client.smembers(key))
    return []


def redis_hits(needles: list[str]) -> list[str]:
    client = redis.Redis.from_url(REDIS_URL)
    hits = []
    for key in client.scan_iter(count=1000):
        blobs = [key, *_values(client, key)]
        for needle in needles:
            if any(needle.lower().encode() in blob.lower() for blob in blobs):
                hits.append(f"redis {key[:80]!r} ~ {needle}")
    client.close()
    return hits


def memory_hits(app, person: dict, needles: list[str]) -> list[str]:
    users = app.server.extensions["kiki_user_cache"]
    # The id may stay cached as "no such user" (None): that holds nothing about them.
    hits = [
        f"user cache {uid}"
        for uid, (_stored, row) in users.entries.items()
        if uid == person["id"] and row is not None
    ]
    for _stored, row in users.entries.values():
        if row is not None and getattr(row, "email", None) == person["email"]:
            hits.append("user cache row")
    store = getattr(app.server.extensions["cache"], "_cache", {}) or {}
    for key, value in store.items():
        blob = repr(value).lower()
        hits += [f"memory {key} ~ {n}" for n in needles if n.lower() in blob]
    return hits


def test_export_then_erase_leaves_nothing(redis_app, tmp_path):
    app, server = redis_app, redis_app.server
    started = time.time() - 1
    with server.app_context(), get_database().session_scope() as session:
        org_id, admin_id = acme_admin_id(session)
        person = add_person(session, org_id, admin_id)
    needles = [person["email"], person["name"]]

    # The person signs in, fills the caches, and someone tries their address at the door.
    client = server.test_client()
    assert login(client, person["email"]).status_code == 302
    answer = call_callback(app, client, "overview-kpis", OVERVIEW)
    assert answer.status_code == 200
    stranger = server.test_client()
    assert login(stranger, person["email"], "wrong password 1234").status_code != 302

    runner = server.test_cli_runner()
    out = tmp_path / "export.zip"
    result = runner.invoke(args=["gdpr-export", "--email", person["email"], "--out", str(out)])  # fmt: skip
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(out) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        for entry in manifest["files"]:
            assert (
                hashlib.sha256(archive.read(entry["name"])).hexdigest()
                == entry["sha256"]
            )
        account = json.loads(archive.read("account.json"))
        assert account[0]["email"] == person["email"]
        assert "password_hash" not in account[0]
        assert "token_hash" not in archive.read("api_tokens.csv").decode()
        about = json.loads(archive.read("audit_about_them.json"))
        acted = json.loads(archive.read("audit_as_actor.json"))
    assert manifest["rows"]["api_tokens"] == 1
    assert manifest["rows"]["campaigns_authored"] == 1
    assert {row["action"] for row in acted} >= {"login_succeeded", "login_failed"}
    assert {row["action"] for row in about} == {"user_created"}

    with server.app_context(), get_database().session_scope() as session:
        before = session.scalar(sa.select(sa.func.count()).select_from(AuditLog))
    dry = runner.invoke(args=["gdpr-erase", "--email", person["email"], "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "Dry run: nothing was changed." in dry.output
    with server.app_context(), get_database().session_scope() as session:
        assert session.get(User, person["id"]) is not None
        after = session.scalar(sa.select(sa.func.count()).select_from(AuditLog))
        assert table_hits(session, [person["email"]])
    assert after == before

    # The sign-in failure count is kept per address, under its digest: never the address.
    digest = address_digest(person["email"])[:32]
    assert redis_hits([digest]), "the sign-in counter keeps a key per address"
    assert not redis_hits([person["email"]]), "an address in a Redis key"
    erased = runner.invoke(args=["gdpr-erase", "--email", person["email"]])
    assert erased.exit_code == 0, erased.output
    alias = pseudonym(pseudonym_key(server.config["SECRET_KEY"]), person["email"])
    assert alias in erased.output

    # Their session and token are dead.
    assert client.get("/_dash-layout").status_code == 401
    assert call_callback(app, client, "overview-kpis", OVERVIEW).status_code == 401

    backup = runner.invoke(args=["backup"])
    assert backup.exit_code == 0, backup.output
    with server.app_context(), get_database().session_scope() as session:
        assert table_hits(session, needles) == []
        assert session.scalar(
            sa.select(sa.func.count()).select_from(ApiToken).where(ApiToken.user_id == person["id"])
        ) == 0  # fmt: skip
        theirs = session.execute(
            sa.select(AuditLog.action, AuditLog.created_at, AuditLog.actor_user_id)
            .where(sa.cast(AuditLog.details, sa.Text).contains(alias))
        ).all()  # fmt: skip
        actions = {row.action for row in theirs}
        assert {
            "login_succeeded",
            "api_token_created",
            "user_created",
            "gdpr_erased",
        } <= actions, actions
        assert all(row.created_at is not None for row in theirs)
        erasure = session.execute(
            sa.select(AuditLog).where(AuditLog.action == "gdpr_erased")
        ).scalars().all()[-1]  # fmt: skip
        assert erasure.target_id == alias and person["email"] not in json.dumps(
            erasure.details
        )
    roots = [Path(server.config["KIKI_BACKUP_DIR"]), ROOT / "instance"]
    assert file_hits(roots, started, needles) == []
    assert redis_hits(needles) == []
    assert redis_hits([digest]) == [], (
        "the address's sign-in counter outlived the erasure"
    )
    assert memory_hits(app, person, needles) == []
