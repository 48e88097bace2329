"""The demo's database and key files are the owner's alone; the nginx example never gzips HTML."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

import pytest
import sqlalchemy as sa

import config
from auth.crypto import demo_key
from data.db import make_engine

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def open_umask():
    """The loosest umask a service may run with: anything not asked for is readable by all."""
    previous = os.umask(0)
    yield
    os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_sqlite_database_and_its_journal_are_owner_only(tmp_path, open_umask):
    path = tmp_path / "kiki.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        connection.execute(sa.text("CREATE TABLE t (x INTEGER)"))
        connection.execute(sa.text("INSERT INTO t VALUES (1)"))
        journals = [p for p in tmp_path.iterdir() if p != path]
        for journal in journals:
            assert mode(journal) & 0o077 == 0, journal.name
    engine.dispose()
    assert mode(path) == 0o600


def test_an_existing_database_is_left_as_the_operator_set_it(tmp_path):
    path = tmp_path / "shared.sqlite3"
    path.touch(mode=0o640)
    path.chmod(0o640)
    make_engine(f"sqlite:///{path}").dispose()
    assert mode(path) == 0o640


def test_demo_secret_and_encryption_keys_are_owner_only(
    tmp_path, monkeypatch, open_umask
):
    monkeypatch.setattr(config, "INSTANCE_DIR", tmp_path / "instance")
    config.resolve_secret_key({"SECRET_KEY": None, "KIKI_DEMO": True})
    demo_key(tmp_path / "instance")
    assert mode(tmp_path / "instance") & 0o077 == 0
    for name in ("secret_key", "encryption_key"):
        assert mode(tmp_path / "instance" / name) == 0o600, name


def test_the_secret_key_file_is_never_readable_by_others(tmp_path, monkeypatch):
    """Created with its mode, not chmod-ed after writing: no moment where others may read it."""
    monkeypatch.setattr(config, "INSTANCE_DIR", tmp_path / "instance")
    modes = []
    real_open = os.open

    def recording_open(path, flags, mode=0o777, *args, **kwargs):
        if str(path).endswith("secret_key") and flags & os.O_CREAT:
            modes.append(mode)
        return real_open(path, flags, mode, *args, **kwargs)

    monkeypatch.setattr(os, "open", recording_open)
    config.resolve_secret_key({"SECRET_KEY": None, "KIKI_DEMO": True})
    assert modes == [0o600]


def nginx_blocks(text: str):
    """(enclosing location or "server", directive) for every directive of the example config."""
    stack, found = [], []
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.endswith("{"):
            stack.append(line[:-1].strip())
        elif line == "}":
            stack.pop()
        else:
            found.append((stack[-1] if stack else "", line.rstrip(";")))
    return found


def test_the_nginx_example_gzips_static_files_only():
    directives = nginx_blocks((ROOT / "deploy" / "nginx.conf").read_text())
    gzip = [(where, d) for where, d in directives if re.match(r"gzip\s+on$", d)]
    assert gzip, "static files should still be compressed"
    for where, _ in gzip:
        assert where in (
            "location /assets/",
            "location /_dash-component-suites/",
        ), f"gzip on in {where!r}: it compresses HTML there (BREACH)"
    types = [d for _w, d in directives if d.startswith("gzip_types")]
    assert all("html" not in t and "json" not in t for t in types)
