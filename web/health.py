"""Liveness and readiness probes."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, Flask, current_app, jsonify

from data.cache import cache
from data.db import get_database

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """The process answers."""
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    """The database (and Redis, when configured) answer; 503 with the reason otherwise. With
    read replicas, each one's reachability and lag as detail: a replica down or behind does
    not make the instance unready (reads fall back to the primary, data/db.py)."""
    problems = readiness_problems()
    detail = {}
    database = get_database()
    if database.replicas:
        detail["replicas"] = database.replica_status()
    if problems:
        return jsonify(status="unavailable", problems=problems, **detail), 503
    return jsonify(status="ready", **detail)


def readiness_problems() -> list[str]:
    """What keeps this instance from serving (empty when ready); /readyz and kiki_ready."""
    problems = []
    try:
        with get_database().engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any failure means not ready
        problems.append("database unreachable")
    if current_app.config.get("REDIS_URL"):
        try:
            cache.cache._write_client.ping()
        except Exception:  # noqa: BLE001
            problems.append("redis unreachable")
    return problems


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
