"""File exports from plain Flask routes: CSV of every list and table a page shows, streamed and audited; PDF reports of the overview, campaigns, a campaign and the LTV page; the files of scheduled report e-mails and their unsubscribe link."""

from __future__ import annotations

from flask import Flask

from exports import (
    campaign_detail,
    lists,
    ltv,
    ltv_pdf,
    overview,
    pdf,
    privacy,
    report_files,
    unsubscribe,
)


def init_app(app: Flask) -> None:
    """Register the export routes (behind the guard like every other route)."""
    lists.init_app(app)
    campaign_detail.init_app(app)
    overview.init_app(app)
    ltv.init_app(app)
    ltv_pdf.init_app(app)
    pdf.init_app(app)
    privacy.init_app(app)
    report_files.init_app(app)  # the scheduled e-mails' PDF and CSV
    unsubscribe.init_app(app)  # /unsubscribe/<token> (public)
