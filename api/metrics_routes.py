"""`POST /api/v1/metrics`: a batch of daily rows from a data pipeline, upserted all or nothing
(data/writes/metrics.py). Needs a personal token with the ingest scope; answers the counts, or
400 with every refused row (the first 100) named by its index and field."""

from __future__ import annotations

from flask import g, request
from sqlalchemy.orm import Session

from api.bearer import ingests
from api.bodies import json_body
from api.http import error_response
from api.idempotency import Answer, answer_once
from auth.access import requires_role
from data.clock import today
from data.writes.metrics import IngestRefused, ingest_metrics


@requires_role("analyst")
@ingests
def ingest_metric_rows():
    body = json_body(("rows",), required=True)

    def write(session: Session) -> Answer:
        summary = ingest_metrics(
            session,
            g.scope,
            body.get("rows"),
            source="api",
            ip_address=request.remote_addr,
            today=today(),
        )
        return 200, {"data": summary.as_dict()}, None

    try:
        return answer_once(body, write)
    except IngestRefused as refused:
        return error_response(
            400,
            str(refused),
            "invalid_rows",
            errors=[error.as_dict() for error in refused.errors],
            total=refused.total,
        )
