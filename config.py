"""Configuration from environment variables only; demo mode is the embedded default."""

from __future__ import annotations

import math
import os
import secrets
from pathlib import Path

from data.private_files import create_owner_only

INSTANCE_DIR = Path(__file__).resolve().parent / "instance"
DEFAULT_DATABASE_URL = f"sqlite:///{INSTANCE_DIR / 'kiki.sqlite3'}"
WEAK_SECRETS = {
    "",
    "dev",
    "secret",
    "changeme",
    "change-me",
    "development",
    "test",
    "password",
}
MIN_SECRET_LENGTH = 32
MIN_SECRET_BITS = 80  # a random 32-hex key (128 bits) scores 90 or more


class ConfigError(RuntimeError):
    """The configuration is unsafe or incomplete; the message says what to set."""


def _int(env, name: str, default: int) -> int:
    try:
        return int(env.get(name, default))
    except ValueError:
        raise ConfigError(f"{name} must be a whole number") from None


def _csv(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def load_config(env=None) -> dict:
    """Read every setting from ``env`` (default ``os.environ``). Documented in the README table."""
    env = os.environ if env is None else env
    database_url = env.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    # Demo mode: nothing configured. It may invent a local secret and load demo data.
    demo = env.get("KIKI_DEMO", "1" if "DATABASE_URL" not in env else "0") == "1"
    return {
        "KIKI_DEMO": demo,
        "DATABASE_URL": database_url,
        "DATABASE_REPLICA_URLS": _csv(env.get("DATABASE_REPLICA_URLS")),
        "REDIS_URL": env.get("REDIS_URL") or None,
        "SECRET_KEY": env.get("SECRET_KEY") or None,
        "KIKI_ENCRYPTION_KEYS": _csv(env.get("KIKI_ENCRYPTION_KEYS")),
        "KIKI_CORS_ORIGINS": _csv(env.get("KIKI_CORS_ORIGINS")),
        # Flask-Limiter strings; the API counts per token and per client address.
        "KIKI_API_RATE_LIMIT": env.get("KIKI_API_RATE_LIMIT") or "120 per minute",
        "KIKI_API_IP_RATE_LIMIT": env.get("KIKI_API_IP_RATE_LIMIT") or "600 per minute",
        "KIKI_BACKUP_DIR": env.get("KIKI_BACKUP_DIR") or "backups",
        "KIKI_BACKUP_KEEP": _int(env, "KIKI_BACKUP_KEEP", 7),
        # Audit rows older than this are deleted by `flask purge-audit-log` (deploy/crontab).
        "KIKI_AUDIT_RETENTION_DAYS": _int(env, "KIKI_AUDIT_RETENTION_DAYS", 400),
        # Request bodies above this are answered 413; a creative's upload chunk gets more.
        "KIKI_MAX_REQUEST_BYTES": _int(env, "KIKI_MAX_REQUEST_BYTES", 1024 * 1024),
        "KIKI_MAX_UPLOAD_BYTES": _int(env, "KIKI_MAX_UPLOAD_BYTES", 20 * 1024 * 1024),
        # Creatives (docs/CREATIVES.md): where files live, each organization's quota, the
        # largest file (a video) an upload may declare.
        "KIKI_MEDIA_DIR": env.get("KIKI_MEDIA_DIR") or None,
        "KIKI_MEDIA_QUOTA_BYTES": _int(env, "KIKI_MEDIA_QUOTA_BYTES", 10 * 1024**3),
        "KIKI_MEDIA_MAX_BYTES": _int(env, "KIKI_MEDIA_MAX_BYTES", 4 * 1024**3),
        "KIKI_METRICS_TOKEN": env.get("KIKI_METRICS_TOKEN") or None,
        # E-mail (data/mail.py): unset, mails are written to the log instead of sent.
        "KIKI_SMTP_URL": env.get("KIKI_SMTP_URL") or None,
        # Webhooks to this machine (a local receiver): the demo's default, off in production.
        "KIKI_WEBHOOK_ALLOW_LOCAL": env.get(
            "KIKI_WEBHOOK_ALLOW_LOCAL", "1" if demo else "0"
        )
        == "1",
        "KIKI_MAIL_FROM": env.get("KIKI_MAIL_FROM") or None,
        # The address people open, for links in e-mails (an invitation's /invite/<token>).
        "KIKI_PUBLIC_URL": env.get("KIKI_PUBLIC_URL")
        or f"http://{env.get('HOST', '127.0.0.1')}:{env.get('PORT', '8021')}",
        "KIKI_INVITATION_RATE_LIMIT": env.get("KIKI_INVITATION_RATE_LIMIT")
        or "20 per hour",
        # "Send now" on /reports per person (each is an e-mail to every recipient).
        "KIKI_REPORT_SEND_NOW_LIMIT": env.get("KIKI_REPORT_SEND_NOW_LIMIT")
        or "20 per hour",
        # Reverse proxies in front of the app whose X-Forwarded-* headers are trusted.
        "KIKI_PROXY_HOPS": _int(env, "KIKI_PROXY_HOPS", 0),
        # Secure cookies need HTTPS; only the local demo runs on plain http.
        "SESSION_COOKIE_SECURE": env.get("SESSION_COOKIE_SECURE", "0" if demo else "1")
        == "1",
        "HOST": env.get("HOST", "127.0.0.1"),
        "PORT": _int(env, "PORT", 8021),
        "DB_POOL_SIZE": _int(env, "DB_POOL_SIZE", 5),
        "DB_MAX_OVERFLOW": _int(env, "DB_MAX_OVERFLOW", 10),
        "DB_STATEMENT_TIMEOUT_MS": _int(env, "DB_STATEMENT_TIMEOUT_MS", 30000),
        # "1" when DATABASE_URL and the replicas point at PgBouncer in transaction pooling: no
        # server-side prepared statements and no startup options (set jit and statement_timeout
        # on the database role instead; docs/TOPOLOGY.md).
        "DB_TRANSACTION_POOLER": env.get("DB_TRANSACTION_POOLER", "0") == "1",
        "SLOW_QUERY_MS": _int(env, "SLOW_QUERY_MS", 500),
        "CACHE_TIMEOUT": _int(env, "CACHE_TIMEOUT", 300),
        "SESSION_IDLE_MINUTES": _int(env, "SESSION_IDLE_MINUTES", 60),
        "SESSION_MAX_HOURS": _int(env, "SESSION_MAX_HOURS", 12),
        "SENTRY_DSN": env.get("SENTRY_DSN") or None,
        "LOG_LEVEL": env.get("LOG_LEVEL", "INFO"),
        "KIKI_TODAY": env.get("KIKI_TODAY") or None,
        # Who runs the scheduler (data/scheduler.py): "in-app" (a thread in each app process,
        # the embedded default) or "off" (a `flask --app app worker` process; production).
        "KIKI_SCHEDULER": env.get("KIKI_SCHEDULER") or None,
        # How long an alert evaluation's lease lasts: a dead evaluator's rules wait this long.
        "KIKI_ALERT_LEASE_SECONDS": _int(env, "KIKI_ALERT_LEASE_SECONDS", 60),
    }


def estimated_entropy_bits(key: str) -> float:
    """A conservative estimate of a key's randomness: log2(distinct characters) for each
    character that neither repeats an earlier three-character run ("abab…", a pattern
    pasted four times) nor continues a sequence of its two predecessors ("0123…", "aaa…")."""
    bits_per_character = math.log2(max(len(set(key)), 2))
    seen, novel = set(), 0
    for i, char in enumerate(key):
        trigram = key[max(i - 2, 0) : i + 1]
        repeated = i >= 2 and trigram in seen
        sequence = i >= 2 and (
            ord(char) - ord(key[i - 1]) == ord(key[i - 1]) - ord(key[i - 2])
        )
        novel += not (repeated or sequence)
        seen.add(trigram)
    return novel * bits_per_character


def resolve_secret_key(config: dict) -> str:
    """The configured SECRET_KEY; in demo mode a random one persisted under instance/."""
    key = config.get("SECRET_KEY")
    if key:
        # "aaaa…" or "abab…" is long but not random: ask for some variety as well.
        if (
            key.lower() in WEAK_SECRETS
            or len(key) < MIN_SECRET_LENGTH
            or len(set(key)) < 8
            or estimated_entropy_bits(key) < MIN_SECRET_BITS
        ):
            raise ConfigError(
                f"SECRET_KEY is too weak: use at least {MIN_SECRET_LENGTH} random characters, "
                "e.g. from: python -c 'import secrets; print(secrets.token_urlsafe(48))'"
            )
        return key
    if not config.get("KIKI_DEMO"):
        raise ConfigError(
            "SECRET_KEY is not set: production mode needs a strong random secret key"
        )
    INSTANCE_DIR.mkdir(mode=0o700, exist_ok=True)
    path = INSTANCE_DIR / "secret_key"
    create_owner_only(path, secrets.token_urlsafe(48))
    return path.read_text().strip()
