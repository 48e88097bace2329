"""The block `make run` prints when the embedded default is ready: aligned, complete, once."""

from __future__ import annotations

from data.ops.startup import ROOT, startup_block

CONFIG = {
    "HOST": "127.0.0.1",
    "PORT": 8021,
    "DATABASE_URL": f"sqlite:///{ROOT / 'instance' / 'kiki.sqlite3'}",
    "REDIS_URL": None,
}
LOGINS = [
    ("viewer@acme.example", "viewer", "acme", "pw-viewer-1"),
    ("analyst@globex.example", "analyst", "globex", "pw-analyst-2"),
    ("nobody@acme.example", "viewer", "acme", None),  # no login: not listed
]


def _rows(block: str) -> dict[str, str]:
    return {
        line.split()[0]: line.strip()
        for line in block.splitlines()
        if line.strip() and not set(line.strip()) <= {"=", "-"}
    }


def test_the_block_names_the_url_database_cache_and_docs():
    block = startup_block(CONFIG, LOGINS)
    rows = _rows(block)
    assert rows["URL"] == "URL       http://127.0.0.1:8021/  (Ctrl+C to stop)"
    assert rows["Database"] == "Database  SQLite, instance/kiki.sqlite3"
    assert rows["Cache"].startswith("Cache     in-process")
    assert "README.md" in rows["Docs"] and "docs/" in rows["Docs"]
    assert rows["API"] == "API       http://127.0.0.1:8021/api/v1/docs"
    assert block.count("KIKI Analytics is running") == 1
    lines = block.splitlines()
    assert lines[1].strip().startswith("===") and lines[-1].strip().startswith("===")
    assert all(line == line.rstrip() for line in lines)


def test_the_demo_logins_are_listed_once_in_aligned_columns():
    block = startup_block(CONFIG, LOGINS)
    table = [line for line in block.splitlines() if "@" in line or "Password" in line]
    assert len(table) == 3 and "nobody@" not in block
    for word in ("Role", "Email", "Password"):
        column = table[0].index(word)
        assert all(line[column - 1] == " " for line in table), word
    assert table[1].split() == ["acme", "viewer", "viewer@acme.example", "pw-viewer-1"]
    password_column = table[0].index("Password")
    assert table[2][password_column:] == "pw-analyst-2"
    assert block.count("pw-viewer-1") == 1


def test_a_later_start_says_how_to_sign_in():
    block = startup_block(CONFIG, [])
    assert "Password" not in block
    assert "demo logins printed at the first start" in block
    assert "flask --app app create-user" in block


def test_a_server_database_and_redis_are_named_without_their_passwords():
    block = startup_block(
        {
            **CONFIG,
            "DATABASE_URL": "postgresql+psycopg://kiki:s3cret@db.internal/kiki",
            "REDIS_URL": "redis://:hunter2@cache.internal:6379/0",
        }
    )
    assert "s3cret" not in block and "hunter2" not in block
    assert "postgresql+psycopg://kiki:***@db.internal/kiki" in block
    assert "Redis, redis://:***@cache.internal:6379/0" in block
