"""Secrets: no weak SECRET_KEY outside the demo; `flask create-user` refuses weak passwords and unknown orgs."""

from __future__ import annotations

import secrets
import uuid

import pytest
import sqlalchemy as sa

import config
from auth.passwords import verify_password
from config import ConfigError, load_config, resolve_secret_key
from data.db import get_database
from data.models import AuditLog, User
from tests.factories import app_config

STRONG = secrets.token_urlsafe(48)


@pytest.mark.parametrize(
    "key",
    [
        "dev",
        "secret",
        "changeme",
        "CHANGEME",
        "short-but-random-Xy9",
        "a" * 64,
        "ab" * 32,
        "0123456" * 6,
        # Long, varied and not random: a pattern repeated, a sequence (passed until 2026-12).
        "0123456789abcdef" * 4,
        "fedcba9876543210" * 2 + "0123456789abcdef",
        "abcdefghijklmnopqrstuvwxyz012345",
        "deadbeefcafe1234" * 4,
        "Aa1!Bb2@Cc3#Dd4$" * 3,
    ],
)
def test_weak_secret_keys_are_refused_in_every_mode(key):
    for demo in (False, True):
        with pytest.raises(ConfigError, match="too weak"):
            resolve_secret_key({"SECRET_KEY": key, "KIKI_DEMO": demo})


def test_production_refuses_to_start_without_a_secret_key(world_url):
    from app import create_app

    with pytest.raises(ConfigError, match="SECRET_KEY is not set"):
        resolve_secret_key({"SECRET_KEY": None, "KIKI_DEMO": False})
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app(app_config(world_url[0], SECRET_KEY=None))
    with pytest.raises(ConfigError, match="too weak"):
        create_app(app_config(world_url[0], SECRET_KEY="changeme"))


def test_a_strong_key_is_used_as_given():
    assert resolve_secret_key({"SECRET_KEY": STRONG, "KIKI_DEMO": False}) == STRONG


def test_the_demo_generates_a_key_once_and_keeps_it_private(tmp_path, monkeypatch):
    monkeypatch.setattr(config, "INSTANCE_DIR", tmp_path / "instance")
    first = resolve_secret_key({"SECRET_KEY": None, "KIKI_DEMO": True})
    second = resolve_secret_key({"SECRET_KEY": None, "KIKI_DEMO": True})
    assert first == second and len(first) >= 32
    assert (tmp_path / "instance" / "secret_key").stat().st_mode & 0o077 == 0


def test_configuring_a_database_leaves_demo_mode():
    assert load_config({})["KIKI_DEMO"] is True
    production = load_config({"DATABASE_URL": "postgresql+psycopg://db/kiki"})
    assert (
        production["KIKI_DEMO"] is False and production["SESSION_COOKIE_SECURE"] is True
    )


def run_create_user(app, *args: str, stdin: str):
    runner = app.server.test_cli_runner()
    return runner.invoke(args=["create-user", *args], input=stdin)


def stored(app, email: str) -> User | None:
    with app.server.app_context(), get_database().session_scope() as session:
        return session.scalar(sa.select(User).where(User.email == email))


def audit_count(app) -> int:
    with app.server.app_context(), get_database().session_scope() as session:
        return session.scalar(sa.select(sa.func.count()).select_from(AuditLog))


def test_create_user_reads_the_password_twice_from_stdin(app):
    email = f"cli-{uuid.uuid4().hex[:8]}@example.test"
    password = "a long cli passphrase 5"
    result = run_create_user(
        app,
        "--email",
        email,
        "--role",
        "analyst",
        "--org",
        "globex",
        stdin=f"{password}\n{password}\n",
    )
    assert result.exit_code == 0, result.output
    assert f"Created {email} (analyst) in globex." in result.output
    assert password not in result.output
    user = stored(app, email)
    assert user.role == "analyst" and verify_password(user.password_hash, password)
    with app.server.app_context(), get_database().session_scope() as session:
        entry = session.scalar(
            sa.select(AuditLog)
            .where(
                AuditLog.action == "user_created", AuditLog.target_id == str(user.id)
            )
            # The newest: SQLite reuses a deleted user's id, and earlier tests delete theirs.
            .order_by(AuditLog.id.desc())
            .limit(1)
        )
        assert entry.ip_address == "cli" and entry.actor_user_id is None
        session.execute(sa.delete(User).where(User.id == user.id))


@pytest.mark.parametrize(
    "args,stdin,message",
    [
        (("--role", "admin", "--org", "acme"), "short\nshort\n", "at least 12"),
        (("--role", "admin", "--org", "acme"), "", "at least 12"),
        (
            ("--role", "admin", "--org", "acme"),
            "password1234\npassword1234\n",
            "common or breached",
        ),
        (
            ("--role", "admin", "--org", "acme"),
            "one long password 1\nanother long password 2\n",
            "differ",
        ),
        (
            ("--role", "admin", "--org", "no-such-org"),
            "a long cli passphrase 5\n" * 2,
            "No organization",
        ),
        (
            ("--role", "owner", "--org", "acme"),
            "a long cli passphrase 5\n" * 2,
            "owner",
        ),
        (
            ("--role", "admin", "--org", "acme' OR '1'='1"),
            "a long cli passphrase 5\n" * 2,
            "No organization",
        ),
    ],
)
def test_create_user_refuses_and_creates_nothing(app, args, stdin, message):
    email = f"cli-{uuid.uuid4().hex[:8]}@example.test"
    before = audit_count(app)
    result = run_create_user(app, "--email", email, *args, stdin=stdin)
    assert result.exit_code != 0 and message in result.output
    assert stored(app, email) is None and audit_count(app) == before


@pytest.mark.parametrize(
    "email", ["not-an-email", "admin@acme.test", "x" * 300 + "@example.test"]
)
def test_create_user_refuses_bad_or_taken_emails(app, email):
    result = run_create_user(
        app,
        "--email",
        email,
        "--role",
        "viewer",
        "--org",
        "acme",
        stdin="a long cli passphrase 5\n" * 2,
    )
    assert result.exit_code != 0 and (
        "valid email" in result.output or "already exists" in result.output
    )


def test_the_password_is_never_an_argument(app):
    result = app.server.test_cli_runner().invoke(args=["create-user", "--help"])
    assert "--password" not in result.output


def test_random_keys_of_every_usual_shape_are_accepted():
    for _ in range(2000):
        for key in (secrets.token_hex(16), secrets.token_urlsafe(32), STRONG):
            assert resolve_secret_key({"SECRET_KEY": key, "KIKI_DEMO": False}) == key
