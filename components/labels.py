"""Words for the values the data layer stores: the one place pages, charts, filters and CSV use.

The database keeps short machine values ("pending_approval", "tiktok", "roas"); people see
"Pending approval", "TikTok", "ROAS", the same on every page, chart, filter and CSV header. A
value this module does not list still reads as words ("login_failed" -> "Login failed"), so a
new status shows sensibly before anyone adds it here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from data.models import (
    ASSET_KINDS,
    BUDGET_TYPES,
    CAMPAIGN_STATUSES,
    REQUEST_STATUSES,
    ROLES,
)

# Written in capitals wherever they appear in a value or a column name.
ACRONYMS = {
    "roas": "ROAS", "roi": "ROI", "cpa": "CPA", "cpc": "CPC", "cpm": "CPM",
    "ctr": "CTR", "cvr": "CVR", "ip": "IP", "id": "ID", "api": "API", "ltv": "LTV",
    "csv": "CSV", "url": "URL",
}  # fmt: skip


def words(value) -> str:
    """A machine value as words: "login_failed" -> "Login failed", "ip_address" -> "IP address"."""
    text = str(value or "").strip()
    if not text:
        return ""
    parts = [ACRONYMS.get(part, part) for part in text.replace("-", "_").split("_")]
    parts = [part for part in parts if part]
    first = parts[0]
    return " ".join([first[:1].upper() + first[1:], *parts[1:]])


PLATFORM_LABELS = {"meta": "Meta", "google": "Google", "tiktok": "TikTok"}
# Campaign statuses, budget-request statuses and the free-text deployment statuses alike.
STATUS_LABELS = {
    **{status: words(status) for status in CAMPAIGN_STATUSES + REQUEST_STATUSES},
    "cancelled": "Withdrawn",  # a budget request taken back by its requester (or an admin)
    "deactivated": "Deactivated",
    "locked": "Locked",
}
ROLE_LABELS = {role: words(role) for role in ROLES}
BUDGET_TYPE_LABELS = {kind: words(kind) for kind in BUDGET_TYPES}
ASSET_KIND_LABELS = {kind: words(kind) for kind in ASSET_KINDS}


def _lookup(labels: dict[str, str]) -> Callable[[object], str]:
    def label(value) -> str:
        return labels.get(value, words(value)) if isinstance(value, str) else ""

    return label


platform_label = _lookup(PLATFORM_LABELS)
status_label = _lookup(STATUS_LABELS)
role_label = _lookup(ROLE_LABELS)
budget_type_label = _lookup(BUDGET_TYPE_LABELS)
asset_kind_label = _lookup(ASSET_KIND_LABELS)


def platforms_label(value) -> str:
    """A list of platforms as stored ("meta, google") in words ("Meta, Google")."""
    if not isinstance(value, str):
        return ""
    return ", ".join(platform_label(p.strip()) for p in value.split(",") if p.strip())


def options(values: Iterable[str], label: Callable[[object], str]) -> list[dict]:
    """Dropdown options of ``values``, each shown as ``label`` says."""
    return [{"label": label(value), "value": value} for value in values]


# Columns whose values are machine values, and the words each is shown as.
VALUE_LABELS: dict[str, Callable[[object], str]] = {
    "platform": platform_label,
    "platforms": platforms_label,
    "status": status_label,
    "role": role_label,
    "budget_type": budget_type_label,
    "kind": asset_kind_label,
    "action": words,  # audit actions: "login_failed" -> "Login failed"
    "target_type": words,
}

# Column names in words, where words(name) would not say it right.
COLUMN_LABELS = {
    "name": "Campaign",
    "campaign_name": "Campaign",
    "campaign_id": "Campaign ID",
    "budget_daily": "Daily budget",
    "bucket": "Period start",
    "date": "Date",
    "platform_deployment_id": "Deployment ID",
    "deployment_id": "Deployment ID",
    "external_id": "Platform's ID",
    "variant_label": "Variant",
    "ad_copy_id": "Ad copy ID",
    "ctr_low": "CTR 95% CI low",
    "ctr_high": "CTR 95% CI high",
    "cvr_low": "CVR 95% CI low",
    "cvr_high": "CVR 95% CI high",
    "cvr_p_value": "CVR p-value",
    "verdict": "Verdict (CVR vs A)",
    "audit_id": "Audit ID",
    "created_at": "When (UTC)",
    "actor_email": "Actor",
    "target_type": "Target type",
    "target_id": "Target ID",
    "cac": "CAC",
    "ltv_cac": "LTV:CAC",
    "ltv_per_customer": "Predicted LTV per customer",
    "judged_customers": "Customers in judged cohorts",
    "judged_spend": "Spend on judged cohorts",
    "young_cohorts": "Cohorts too young",
    "payback_months": "Payback (months)",
    "median_payback_months": "Median payback (months)",
}


def column_label(name: str) -> str:
    """A column's header for people: "roas" -> "ROAS", "budget_daily" -> "Daily budget"."""
    return COLUMN_LABELS.get(name) or words(name)


# People's CSV shows the ratios the screen shows as percentages (CTR 2.35%) in percent too
# (2.35: components/format.py CSV_NUMBERS), and their headers say so.
PERCENTS = ("ctr", "cvr", "roi", "ctr_low", "ctr_high", "cvr_low", "cvr_high")


def csv_header(name: str) -> str:
    """A CSV column's header for people: the column's words, with "(%)" for a percentage."""
    label = column_label(name)
    return f"{label} (%)" if name in PERCENTS else label
