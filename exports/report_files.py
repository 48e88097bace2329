"""The files of a scheduled report e-mail: the export route's PDF (exports/pdf.py build_pdf, the
same function) and, when asked, the view's CSV; bound as the app's report renderer so the
scheduler's job in data/ (data/reports/deliver.py) can call it without importing exports."""

from __future__ import annotations

from flask import Flask, current_app
from sqlalchemy.orm import Session

from data import protocols
from data.csv_encoding import csv_chunks
from data.filters import parse_granularity, parse_platforms, parse_range
from data.reads.campaign_detail import DAILY_COLUMNS, campaign_daily
from data.reads.campaign_list import CAMPAIGN_COLUMNS, iter_campaign_list
from data.reads.overview import TREND_COLUMNS, revenue_trend
from data.scope import Scope
from exports.csv_style import PEOPLE
from exports.lists import campaign_list_filters
from exports.pdf import NoSuchReport, build_pdf


def _csv(session: Session, scope: Scope, view: str, campaign_id, params) -> bytes:
    """The view's main table for the same parameters, as the CSV exports write it for people."""
    if view == "overview":
        rng = parse_range(params.get("start"), params.get("end"))
        frame = revenue_trend(
            session, scope, rng,
            parse_granularity(params.get("granularity")),
            parse_platforms(params.get("platform")),
        )  # fmt: skip
        chunks = csv_chunks([frame], TREND_COLUMNS, PEOPLE)
    elif view == "campaigns":
        rng, filters = campaign_list_filters(params)
        frames = iter_campaign_list(session, scope, rng, filters)
        chunks = csv_chunks(frames, CAMPAIGN_COLUMNS, PEOPLE)
    elif view == "campaign" and campaign_id is not None:
        rng = parse_range(params.get("start"), params.get("end"))
        frame = campaign_daily(session, scope, campaign_id, rng)
        chunks = csv_chunks([frame], DAILY_COLUMNS, PEOPLE)
    else:
        raise NoSuchReport(view)
    return "".join(chunks).encode("utf-8")


def report_files(
    session: Session,
    scope: Scope,
    view: str,
    campaign_id: int | None,
    params: dict,
    include_csv: bool,
) -> list[tuple[str, bytes, str]]:
    """(file name, bytes, MIME type) of the PDF, then of the CSV when ``include_csv``."""
    root = (current_app.config.get("KIKI_PUBLIC_URL") or "http://localhost").rstrip("/")
    body, name = build_pdf(
        session, scope, view, params, root=root + "/", campaign_id=campaign_id
    )
    files = [(name, body, "application/pdf")]
    if include_csv:
        files.append(
            (
                name[: -len(".pdf")] + ".csv",
                _csv(session, scope, view, campaign_id, params),
                "text/csv",
            )
        )
    return files


def init_app(app: Flask) -> None:
    protocols.bind(app, report_renderer=report_files)
