"""/metrics for Prometheus, the hooks that time every request and callback, optional Sentry."""

from __future__ import annotations

import hmac
import logging
import time

from flask import Blueprint, Flask, Response, current_app, g, request

from auth.access import parse_callback_payload
from data import telemetry
from data.ops import oncall_facts
from web.health import readiness_problems

log = logging.getLogger(__name__)
bp = Blueprint("metrics", __name__)
CALLBACK_PATH = "/_dash-update-component"
LOOPBACK = {"127.0.0.1", "::1", "::ffff:127.0.0.1"}
PROXY_HEADERS = ("X-Forwarded-For", "X-Real-IP", "Forwarded")


def metrics_allowed() -> bool:
    """With KIKI_METRICS_TOKEN: that bearer token, from anywhere. Without: loopback callers only,
    and never a request relayed by a proxy (which would look like loopback)."""
    token = current_app.config.get("KIKI_METRICS_TOKEN")
    if token:
        sent = request.headers.get("Authorization", "")
        return hmac.compare_digest(sent.encode(), f"Bearer {token}".encode())
    relayed = any(request.headers.get(name) for name in PROXY_HEADERS)
    return request.remote_addr in LOOPBACK and not relayed


# Deliberately not @requires_role: Prometheus has no session. The path is in
# auth.access.PUBLIC_PATHS so the guard lets it through, and this view checks its own credential.
@bp.get("/metrics")
def metrics():
    """Every metric in the Prometheus text format (summed over gunicorn workers)."""
    if not metrics_allowed():
        return Response("Forbidden.\n", status=403, mimetype="text/plain")
    database = current_app.extensions.get("kiki_db")
    if database is not None and database.replicas:
        telemetry.observe_replicas(database.replica_status())
    if database is not None:
        observe_operations(database)
    body, content_type = telemetry.exposition()
    response = Response(body, content_type=content_type)
    response.headers["Cache-Control"] = "no-store"
    return response


def observe_operations(database) -> None:
    """The gauges the alert rules read (deploy/prometheus/kiki-alerts.yml): readiness, the
    scheduler's jobs, undelivered outbox rows, the newest backup. A database that does not
    answer leaves the job and outbox gauges at their last values and kiki_ready at 0: the
    scrape itself still succeeds."""
    telemetry.observe_ready(not readiness_problems())
    telemetry.observe_backup(
        oncall_facts.newest_backup(
            current_app.config.get("KIKI_BACKUP_DIR") or "backups"
        )
    )
    try:
        with database.engine.connect() as conn:
            telemetry.observe_scheduler(oncall_facts.scheduler_jobs(conn))
            telemetry.observe_outbox(oncall_facts.undelivered_outbox(conn))
    except Exception:  # noqa: BLE001 - kiki_ready already says the database is down
        log.warning("on-call gauges not refreshed: the database did not answer")


def start_timer() -> None:
    """before_request: the request's start, for record_request."""
    g.kiki_started = time.perf_counter()


def _callback_output() -> str:
    payload = parse_callback_payload(request.get_data(cache=True))
    output = payload.get("output")
    return output[:200] if isinstance(output, str) and output else "unknown"


def record_request(response):
    """after_request: the request's duration and status (and the callback's) into the metrics."""
    started = g.pop("kiki_started", None)
    if started is None:
        return response
    seconds = time.perf_counter() - started
    route = request.url_rule.rule if request.url_rule else "unmatched"
    status = response.status_code
    telemetry.observe_request(route, request.method, status, seconds)
    # Only callbacks Dash actually ran: a forged output id is refused (4xx) or fails (5xx).
    if request.path == CALLBACK_PATH and status in (200, 204):
        telemetry.observe_callback(_callback_output(), seconds)
    telemetry.observe_pools(current_app.extensions.get("kiki_engines", {}))
    return response


def init_sentry(app: Flask) -> bool:
    """Report errors to Sentry when SENTRY_DSN is set and sentry-sdk is installed (optional)."""
    dsn = app.config.get("SENTRY_DSN")
    if not dsn:
        return False
    try:
        import sentry_sdk
    except ImportError:
        log.warning(
            "SENTRY_DSN is set but sentry-sdk is not installed; errors stay local"
        )
        return False
    sentry_sdk.init(dsn=dsn, send_default_pii=False, traces_sample_rate=0.0)
    return True


def init_app(app: Flask) -> None:
    """Register /metrics and start Sentry when configured (the timing hooks: web/pipeline.py)."""
    app.register_blueprint(bp)
    init_sentry(app)
