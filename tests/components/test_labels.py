"""One mapping from stored values to words (components/labels.py), used by every page, chart,
filter and CSV header."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from components import labels
from data.models import (
    BUDGET_TYPES,
    CAMPAIGN_STATUSES,
    PLATFORMS,
    REQUEST_STATUSES,
    ROLES,
)

ROOT = Path(__file__).resolve().parents[2]


def test_the_words_for_each_value():
    assert [labels.platform_label(p) for p in PLATFORMS] == ["Meta", "Google", "TikTok"]
    assert [labels.status_label(s) for s in CAMPAIGN_STATUSES] == [
        "Draft", "Pending approval", "Approved", "Rejected", "Active", "Paused",
        "Completed",
    ]  # fmt: skip
    assert [labels.status_label(s) for s in REQUEST_STATUSES] == [
        "Pending", "Approved", "Rejected", "Withdrawn",  # cancelled only by a withdrawal
    ]  # fmt: skip
    assert [labels.role_label(r) for r in ROLES] == ["Viewer", "Analyst", "Admin"]
    assert [labels.budget_type_label(b) for b in BUDGET_TYPES] == ["Daily", "Lifetime"]
    assert labels.platforms_label("meta, tiktok") == "Meta, TikTok"
    assert labels.platforms_label("") == "" and labels.platforms_label(None) == ""


@pytest.mark.parametrize(
    "name, words",
    [
        ("spend", "Spend"), ("roas", "ROAS"), ("cpa", "CPA"), ("ctr", "CTR"),
        ("budget_daily", "Daily budget"), ("campaign_id", "Campaign ID"),
        ("ip_address", "IP address"), ("conversions", "Conversions"),
        ("platform", "Platform"), ("name", "Campaign"),
    ],
)  # fmt: skip
def test_column_names_in_words(name, words):
    assert labels.column_label(name) == words


def test_an_unlisted_value_still_reads_as_words():
    assert labels.status_label("awaiting_review") == "Awaiting review"
    assert labels.words("login_failed") == "Login failed"
    assert labels.status_label(None) == "" and labels.status_label(3) == ""


def test_filters_list_every_value_in_words():
    from components.campaign_filters import campaign_filter_row
    from components.controls import platform_control
    from data.filters import CampaignFilters, DateRange

    row = campaign_filter_row(
        "campaigns",
        DateRange(pd.Timestamp("2026-10-01").date(), pd.Timestamp("2026-10-31").date()),
        "custom",
        CampaignFilters(),
    )
    status = next(c for c in _walk(row) if getattr(c, "id", None) == "campaigns-status")
    assert status.options == [
        {"label": labels.status_label(s), "value": s} for s in CAMPAIGN_STATUSES
    ]
    platforms = next(
        c
        for c in _walk(platform_control("overview", ()))
        if getattr(c, "id", None) == "overview-platforms"
    )
    assert [o["label"] for o in platforms.options] == ["Meta", "Google", "TikTok"]


def test_tables_show_statuses_and_platforms_in_words():
    from components.campaign_table import campaign_rows
    from components.tables import metrics_table

    record = {
        "campaign_id": 4, "name": "Spring", "status": "pending_approval",
        "platforms": "meta, tiktok",
        **{c: 0 for c in ("budget_daily", "spend", "revenue", "profit", "fee")},
        **{c: 0 for c in ("conversions", "impressions", "clicks")},
        **{c: None for c in ("roas", "roi", "cpa", "cpc", "cpm", "ctr", "cvr")},
    }  # fmt: skip
    row = campaign_rows(pd.DataFrame([record]))[0]
    assert (row["status"], row["platforms"]) == ("Pending approval", "Meta, TikTok")
    table = metrics_table(
        pd.DataFrame([{"platform": "tiktok", "status": "paused", "spend": 1}]),
        [("platform", "Platform"), ("status", "Status"), ("spend", "Spend")],
        "t",
        "none",
    )
    cells = [c.children for c in _walk(table) if type(c).__name__ == "Td"]
    assert cells[:2] == ["TikTok", "Paused"]


def test_users_are_shown_with_the_same_words():
    from components.accounts import ROLE_OPTIONS, user_options, users_table

    frame = pd.DataFrame(
        [
            {
                "user_id": 7, "email": "a@x.test", "name": "Ann", "role": "analyst",
                "is_active": False, "locked_until": None, "last_login_at": None,
                "created_at": None,
            }
        ]
    )  # fmt: skip
    texts = [getattr(c, "children", None) for c in _walk(users_table(frame, 1))]
    assert "Analyst" in texts and "Deactivated" in texts
    assert user_options(frame)[0]["label"] == "Ann — a@x.test (Analyst, Deactivated)"
    assert [o["label"].split(" — ")[0] for o in ROLE_OPTIONS] == [
        "Viewer",
        "Analyst",
        "Admin",
    ]


# Ad-hoc ways of turning a value into words, which drift from the mapping.
AD_HOC = re.compile(r'\.title\(\)|\.capitalize\(\)|\.replace\("_", " "\)')


def test_no_page_component_or_export_words_values_its_own_way():
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for folder in ("components", "pages", "exports", "shell")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if path.name != "labels.py"
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if AD_HOC.search(line)
    ]
    assert found == []


def _walk(component):
    yield component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list | tuple) else [children]:
        if hasattr(child, "to_plotly_json"):
            yield from _walk(child)
