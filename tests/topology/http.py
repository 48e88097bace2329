"""Talking to the cluster as a browser does (through nginx) and to its databases directly."""

from __future__ import annotations

import re
import time
from pathlib import Path

import psycopg
import requests

from tests.apps import callback_payload

UPSTREAM = "X-Kiki-Upstream"  # set by the cluster's nginx: which instance answered


class Browser:
    """A signed-in requests.Session with the Dash callback protocol (CSRF header included)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.http = requests.Session()
        self._callbacks: dict[str, dict] | None = None

    def get(self, path: str, **kwargs) -> requests.Response:
        kwargs.setdefault("timeout", 30)
        kwargs.setdefault("allow_redirects", False)
        return self.http.get(self.base + path, **kwargs)

    def sign_in(self, email: str, password: str) -> requests.Response:
        page = self.get("/login").text
        match = re.search(
            r'name="csrf_token" type="hidden" value="([^"]+)"', page
        ) or re.search(r'value="([^"]+)"[^>]*name="csrf_token"', page)
        assert match, "no CSRF token on /login"
        response = self.http.post(
            self.base + "/login",
            data={"email": email, "password": password, "csrf_token": match[1]},
            allow_redirects=False,
            timeout=30,
        )
        assert response.status_code == 302, response.text[:500]
        return response

    def callback(self, output_id: str, values: dict) -> requests.Response:
        """POST the callback whose outputs include ``output_id``, as Dash's renderer does;
        ``values`` maps "id.property" to each input's and state's value."""
        if self._callbacks is None:
            answer = self.get("/_dash-dependencies")
            answer.raise_for_status()
            self._callbacks = {spec["output"]: spec for spec in answer.json()}
        key = next(k for k in self._callbacks if f"{output_id}." in k)
        payload = callback_payload(key, self._callbacks[key], values)
        token = self.http.cookies.get("_csrf_token")
        return self.http.post(
            self.base + "/_dash-update-component",
            json=payload,
            headers={"X-CSRFToken": token} if token else {},
            timeout=30,
        )


def sql(port: int, query: str, *params):
    """One value (None for a statement without rows) from the PostgreSQL on ``port``, straight
    (not through PgBouncer)."""
    with psycopg.connect(
        host="127.0.0.1", port=port, user="postgres", dbname="kiki", autocommit=True
    ) as conn:
        cursor = conn.execute(query, params or None)
        return cursor.fetchone()[0] if cursor.description else None


ANALYTICS_TABLES = ("performance_metrics", "daily_revenue_summary")


def rows_read(port: int) -> dict[str, int]:
    """Rows read per table of the app on that server since its statistics began (a server
    counts only the reads it ran itself: a standby's counts are the replica's own)."""
    with psycopg.connect(
        host="127.0.0.1", port=port, user="postgres", dbname="kiki", autocommit=True
    ) as conn:
        rows = conn.execute(
            "SELECT relname, coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0)"
            " FROM pg_stat_user_tables"
        )
        return dict(rows.fetchall())


def analytics_rows_read(port: int) -> int:
    counts = rows_read(port)
    return sum(counts.get(table, 0) for table in ANALYTICS_TABLES)


def wait_for_analytics_reads(
    port: int, before: int, minimum: int, timeout: float = 15.0
) -> int:
    """The server's count of analytics rows read once it is ``minimum`` above ``before`` (a
    backend reports its statistics when it goes idle, at most once a second, else up to 10 s
    later), or the last count seen when ``timeout`` runs out."""
    deadline = time.monotonic() + timeout
    count = analytics_rows_read(port)
    while count - before < minimum and time.monotonic() < deadline:
        time.sleep(0.25)
        count = analytics_rows_read(port)
    return count


def log_has(path: str | Path, needle: str) -> bool:
    return needle in Path(path).read_text(errors="replace")
