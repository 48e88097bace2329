"""What `make run` prints once the embedded default is ready: one aligned block, after the logs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[2]
CREATE_USER = ".venv/bin/flask --app app create-user --email you@example.com --role admin --org acme"


def _database(url: str) -> str:
    """ "SQLite, instance/kiki.sqlite3" or the URL with its password hidden."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = Path(parsed.database or ":memory:")
        shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        return f"SQLite, {shown}"
    return parsed.render_as_string(hide_password=True)


def _redis(url: str | None) -> str:
    if not url:
        return "in-process, rate limits in memory (set REDIS_URL to share them)"
    return f"Redis, {make_url(url).render_as_string(hide_password=True)}"


def startup_block(config: Mapping, logins: Sequence = ()) -> str:
    """The block: URL, database, cache, docs, then the demo logins made at this start (shown
    this once) or how to sign in. ``logins``: (email, role, organization, password or None)."""
    url = f"http://{config['HOST']}:{config['PORT']}/"
    rows = [
        ("URL", f"{url}  (Ctrl+C to stop)"),
        ("Database", _database(config["DATABASE_URL"])),
        ("Cache", _redis(config.get("REDIS_URL"))),
        ("Docs", "README.md, docs/ARCHITECTURE.md, docs/API.md in the project"),
        ("API", f"{url}api/v1/docs"),
    ]
    lines = [f"{name:<10}{value}" for name, value in rows]
    shown = [login for login in logins if login[3]]
    if shown:
        lines += ["", "Demo logins, shown this once (passwords made for this machine):"]
        table = [("Organization", "Role", "Email", "Password")] + [
            (org, role, email, password) for email, role, org, password in shown
        ]
        widths = [max(len(str(row[i])) for row in table) for i in range(3)]
        lines += [
            "  " + "  ".join(f"{v!s:<{w}}" for v, w in zip(row, widths)) + f"  {row[3]}"
            for row in table
        ]
    else:
        lines += [
            "",
            "Sign in with the demo logins printed at the first start, or add one:",
            f"  {CREATE_USER}",
        ]
    width = max(len(line) for line in lines) + 2
    rule = "=" * width
    title = "KIKI Analytics is running"
    return "\n".join(
        ["", f"  {rule}", f"  {title}", f"  {'-' * width}"]
        + [f"  {line}".rstrip() for line in lines]
        + [f"  {rule}", ""]
    )
