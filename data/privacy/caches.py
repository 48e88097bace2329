"""Purging cache entries that may hold an erased person: their organization's cached reads and
answers (data/cache.py) and the sign-in limiter's per-address keys in Redis."""

from __future__ import annotations

import fnmatch
import logging
import re

import redis
from flask import current_app

from data.cache import cache, invalidate_organization
from data.writes.sign_in_locks import address_digest

log = logging.getLogger(__name__)
_GLOB_SPECIAL = re.compile(r"([*?\[\]\\])")


def glob_escape(text: str) -> str:
    """``text`` matched literally in a Redis (or fnmatch-style) glob pattern."""
    return _GLOB_SPECIAL.sub(r"\\\1", text)


def organization_patterns(organization_id: int) -> list[str]:
    """Cache keys (without the prefix) derived from one organization's data."""
    return [f"read:*:org{organization_id}:*", f"response:org{organization_id}:*"]


def _purge_backend(patterns: list[str]) -> int:
    backend = cache.cache
    client = getattr(backend, "_write_client", None)
    if client is not None:  # Redis
        prefix = glob_escape(backend._get_prefix())
        removed = 0
        for pattern in patterns:
            keys = list(client.scan_iter(match=prefix + pattern, count=1000))
            removed += client.delete(*keys) if keys else 0
        return removed
    store = getattr(backend, "_cache", None)  # SimpleCache: a dict in this process
    if store is None:
        return 0
    doomed = [
        key
        for key in list(store)
        if any(fnmatch.fnmatchcase(key, pattern) for pattern in patterns)
    ]
    for key in doomed:
        store.pop(key, None)
    return len(doomed)


def _purge_limiter_keys(email: str) -> int:
    url = current_app.config.get("REDIS_URL")
    if not url:
        return 0  # in-memory limits: kept in each process only until their window ends
    client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
    try:
        # The one per-address key: the sign-in failure count (auth/account_lock.py), named by
        # the address's digest, never the address.
        pattern = f"*account-failures*{address_digest(email)[:32]}*"
        keys = list(client.scan_iter(match=pattern, count=1000))
        return client.delete(*keys) if keys else 0
    finally:
        client.close()


def purge_caches(organization_id: int, email: str) -> dict[str, int]:
    """Delete the organization's cached reads and answers and the limiter keys naming ``email``;
    bump the organization's generation so nothing cached before counts as current. Needs an
    app context. Failures are logged, not raised: the erasure itself is already committed."""
    removed = {"cache": 0, "limiter": 0}
    try:
        invalidate_organization(organization_id)
        removed["cache"] = _purge_backend(organization_patterns(organization_id))
        removed["limiter"] = _purge_limiter_keys(email)
    except Exception as exc:  # noqa: BLE001 - reported; entries expire with CACHE_TIMEOUT
        log.warning("cache purge after an erasure failed: %s", exc)
    return removed
