"""Signed-in HTTP sessions against the app: bench users, login, Dash callback requests."""

from __future__ import annotations

import copy
import json
import math
import re
import statistics
import time
from concurrent.futures import ThreadPoolExecutor

import requests
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from auth.passwords import hash_password
from bench.dataset import PASSWORD, USER_DOMAIN
from data.models import User

CALLBACK = "/_dash-update-component"
# Every simulated request (requests, wrk, locust) sends the User-Agent its session signed in with,
# as a browser does. Flask-Login's session protection ties a session to the address and agent it
# signed in from: any other agent marks it non-fresh, and since wrk and locust never store the
# cookie that answer sets, each of their requests had the session re-signed and sent again (~0.2 ms
# of CPU in-process, about a fifth of the app's no-op) where a browser pays it at most once.
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) kiki-bench/1"
CSRF_FIELD = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def user_email(n: int) -> str:
    return f"bench-{n:04d}@{USER_DOMAIN}"


def ensure_users(database_url: str, organization_id: int, count: int) -> list[str]:
    """``count`` analysts in the bench organization (one argon2 hash shared: they only sign in)."""
    engine = sa.create_engine(database_url)
    digest = hash_password(PASSWORD)
    rows = [
        {
            "organization_id": organization_id,
            "email": user_email(n),
            "name": f"Bench {n}",
            "role": "analyst",
            "password_hash": digest,
        }
        for n in range(1, count + 1)
    ]
    with engine.begin() as conn:
        conn.execute(insert(User.__table__).values(rows).on_conflict_do_nothing())
        # A previous run may have locked or revoked one: start every run from a clean state.
        conn.execute(
            sa.update(User.__table__)
            .where(User.__table__.c.email.like(f"bench-%@{USER_DOMAIN}"))
            .values(failed_logins=0, locked_until=None, is_active=True)
        )
    engine.dispose()
    return [row["email"] for row in rows]


class Client:
    """One browser-like session: cookies, the CSRF header, same-origin headers."""

    def __init__(self, base_url: str) -> None:
        self.base = base_url
        self.http = requests.Session()
        self.http.headers["Origin"] = base_url
        self.http.headers["User-Agent"] = USER_AGENT

    def login(self, email: str, password: str = PASSWORD) -> Client:
        page = self.http.get(self.base + "/login", timeout=30).text
        match = CSRF_FIELD.search(page) or re.search(
            r'value="([^"]+)"[^>]*name="csrf_token"', page
        )
        if not match:
            raise RuntimeError("no CSRF token on /login")
        form = {"email": email, "password": password, "csrf_token": match.group(1)}
        response = self.http.post(
            self.base + "/login", data=form, allow_redirects=False, timeout=60
        )
        if response.status_code != 302:
            raise RuntimeError(f"login of {email} failed: {response.status_code}")
        self.http.get(self.base + "/healthz", timeout=30)
        if "_csrf_token" not in self.http.cookies:
            self.http.get(self.base + "/_dash-layout", timeout=30)
        return self

    @property
    def cookies(self) -> dict:
        return {c.name: c.value for c in self.http.cookies}

    def headers(self) -> dict:
        return {
            "X-CSRFToken": self.http.cookies.get("_csrf_token", ""),
            "Content-Type": "application/json",
            "Origin": self.base,
        }

    def callback(self, payload: dict) -> tuple[float, requests.Response]:
        """POST one Dash callback; (seconds, response)."""
        started = time.perf_counter()
        response = self.http.post(
            self.base + CALLBACK,
            data=json.dumps(payload),
            headers=self.headers(),
            timeout=120,
        )
        return time.perf_counter() - started, response


def login_many(base_url: str, emails: list[str], parallel: int = 2) -> list[Client]:
    """Sign in every email (argon2 costs ~0.2 s of CPU each: a few at a time)."""
    with ThreadPoolExecutor(parallel) as pool:
        return list(pool.map(lambda e: Client(base_url).login(e), emails))


def with_inputs(payload: dict, values: dict) -> dict:
    """A copy of a captured callback payload with some input values replaced.

    ``values`` maps "component-id.property" to the new value.
    """
    changed = copy.deepcopy(payload)
    for item in changed.get("inputs", []) + changed.get("state", []):
        if isinstance(item, dict):
            key = f"{item.get('id')}.{item.get('property')}"
            if key in values:
                item["value"] = values[key]
    return changed


def percentile(samples: list[float], pct: float) -> float:
    """Nearest-rank percentile (samples in any order)."""
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def summary_ms(samples: list[float]) -> dict:
    """p50/p95/mean in milliseconds of samples in seconds."""
    return {
        "n": len(samples),
        "p50_ms": round(percentile(samples, 50) * 1000, 2),
        "p95_ms": round(percentile(samples, 95) * 1000, 2),
        "mean_ms": round(statistics.fmean(samples) * 1000, 2) if samples else None,
    }
