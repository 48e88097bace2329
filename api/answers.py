"""The shapes of the API's answers: a list page as JSON or the whole list as CSV, the filters applied."""

from __future__ import annotations

import pandas as pd
from flask import Response, g, request, stream_with_context

from api.params import paging, records
from data.csv_encoding import csv_chunks
from data.models import PLATFORMS
from data.scope import PermissionDenied

CSV_ROLE = "analyst"


def applied_filters(rng=None, chosen=None, **more) -> dict:
    """The filters an answer reports it applied: the range, the platforms, and ``more``."""
    applied = (
        {"start": rng.start.isoformat(), "end": rng.end.isoformat()} if rng else {}
    )
    if chosen is not None:
        applied["platform"] = list(chosen or PLATFORMS)
    return applied | more


def wants_csv() -> bool:
    """The caller asked for CSV (Accept), which needs the analyst role."""
    best = request.accept_mimetypes.best_match(["application/json", "text/csv"])
    if best != "text/csv":
        return False
    g.api_format = "csv"
    if not g.scope.allows(CSV_ROLE):
        raise PermissionDenied("CSV export needs the analyst role.")
    return True


def csv_answer(frames, columns: list[str], name: str) -> Response:
    """``frames`` as one CSV attachment named kiki-``name``.csv."""
    response = Response(
        stream_with_context(csv_chunks(frames, columns)),
        mimetype="text/csv; charset=utf-8",
    )
    response.headers["Content-Disposition"] = f'attachment; filename="kiki-{name}.csv"'
    return response


def list_page(frame: pd.DataFrame, columns: list[str], filters: dict, name: str):
    """A list endpoint's answer: one page of ``frame`` as JSON, or all of it as CSV."""
    if wants_csv():
        return csv_answer([frame], columns, name)
    page, size = paging()
    rows = frame.iloc[(page - 1) * size : page * size]
    return {
        "data": records(rows, columns),
        "page": page,
        "page_size": size,
        "total": len(frame),
        "filters": filters,
    }
