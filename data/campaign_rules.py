"""What a campaign must satisfy: amounts, dates, names, and ad-copy lengths per platform.

The limits and their sources are in docs/CAMPAIGNS.md. Every refusal is an InvalidField naming
the field, raised before anything is written.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from sqlalchemy.orm import Session

from data.errors import Invalid
from data.models import (
    BUDGET_TYPES,
    PLATFORMS,
    CampaignDeployment,
    OrganizationSettings,
)

MAX_NAME = 200
MAX_OBJECTIVE = 64
MAX_CTA = 64
MAX_VARIANTS = 10
MAX_REASON = 500
MAX_AMOUNT = Decimal("999999999999.99")  # Numeric(14, 2)
MAX_PROMPTS = 5  # image prompts, and video prompts, per campaign
MAX_PROMPT = 1000
# (headline, body) character limits per platform; None = not limited by that platform.
COPY_LIMITS: dict[str, tuple[int | None, int]] = {
    "meta": (
        40,
        125,
    ),  # headline 40, primary text 125 (recommended; longer is truncated)
    "google": (30, 90),  # responsive search ad: headline 30, description 90
    "tiktok": (None, 100),  # ad text 1-100; TikTok shows no separate headline
}
MAX_HEADLINE = 200  # the column's size, whatever the platforms
MAX_BODY = 2000
_HTML = re.compile(r"<\s*[a-zA-Z/!?]|&[a-zA-Z#][a-zA-Z0-9]*;")
_CONTROL = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f]"
)  # tab and newline are checked per field
_AMOUNT = re.compile(r"[0-9]{1,12}(\.[0-9]{1,2})?")


class InvalidField(Invalid):
    """Bad input in one field; ``field`` names it (``variants[1].headline`` for a variant)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Variant:
    headline: str
    body: str
    call_to_action: str | None = None


@dataclass(frozen=True)
class CampaignInput:
    """A campaign as the writes store it, after parse_campaign."""

    name: str
    objective: str | None
    platforms: tuple[str, ...]
    budget_type: str
    budget_amount: Decimal
    start_date: dt.date | None
    end_date: dt.date | None
    variants: tuple[Variant, ...]
    image_prompts: tuple[str, ...] = ()
    video_prompts: tuple[str, ...] = ()


def settings_of(session: Session, organization_id: int) -> OrganizationSettings:
    """The organization's settings row, or the defaults (not added to the session)."""
    row = session.get(OrganizationSettings, organization_id)
    return row or OrganizationSettings(
        organization_id=organization_id, currency="USD", allow_self_approval=False
    )


def clean_text(field: str, value, *, limit: int, required: bool, multiline=False):
    """Stripped text without HTML or control characters, at most ``limit`` long."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidField(field, "Enter text.")
    value = value.strip()
    if not value:
        if required:
            raise InvalidField(field, "This field is required.")
        return None
    bad = _CONTROL.search(value) or (not multiline and re.search(r"[\t\n\r]", value))
    if bad:
        raise InvalidField(field, "Remove control characters (tabs, line breaks).")
    if _HTML.search(value):
        raise InvalidField(field, "HTML is not allowed here.")
    if len(value) > limit:
        raise InvalidField(field, f"At most {limit} characters (now {len(value)}).")
    return value


def parse_amount(field: str, value, ceiling: Decimal | None = None) -> Decimal:
    """A positive amount with at most two decimals, at most ``ceiling`` when set."""
    if isinstance(value, bool) or value is None:
        raise InvalidField(field, "Enter an amount, e.g. 250.00.")
    text = str(value).strip() if isinstance(value, int | float | Decimal | str) else ""
    if isinstance(value, float):
        text = repr(value)
    if not _AMOUNT.fullmatch(text):
        raise InvalidField(
            field, "Enter a positive amount with at most two decimals, e.g. 250.00."
        )
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise InvalidField(field, "Enter an amount, e.g. 250.00.") from None
    if amount <= 0:
        raise InvalidField(field, "The amount must be more than zero.")
    limit = min(ceiling, MAX_AMOUNT) if ceiling is not None else MAX_AMOUNT
    if amount > limit:
        raise InvalidField(field, f"At most {limit:,.2f} in your organization.")
    return amount.quantize(Decimal("0.01"))  # "200" is 200.00, as stored and shown


def _date(field: str, value) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise InvalidField(field, "Enter a date as YYYY-MM-DD.") from None


def _platforms(value) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [p for p in value.split(",") if p]
    if not isinstance(value, list | tuple) or not value:
        raise InvalidField("platforms", "Choose at least one platform.")
    if any(p not in PLATFORMS for p in value):
        raise InvalidField("platforms", f"Choose from {', '.join(PLATFORMS)}.")
    return tuple(sorted(set(value)))


def _variants(value, platforms: tuple[str, ...]) -> tuple[Variant, ...]:
    if not isinstance(value, list | tuple) or not 1 <= len(value) <= MAX_VARIANTS:
        raise InvalidField("variants", f"Give 1 to {MAX_VARIANTS} ad-copy variants.")
    variants = []
    for i, raw in enumerate(value):
        if not isinstance(raw, Mapping):
            raise InvalidField(f"variants[{i}]", "Give a headline and a body.")
        head_field, body_field = f"variants[{i}].headline", f"variants[{i}].body"
        headline = clean_text(
            head_field, raw.get("headline"), limit=MAX_HEADLINE, required=True
        )
        body = clean_text(
            body_field, raw.get("body"), limit=MAX_BODY, required=True, multiline=True
        )
        cta = clean_text(
            f"variants[{i}].call_to_action",
            raw.get("call_to_action"),
            limit=MAX_CTA,
            required=False,
        )
        for platform in platforms:
            head_max, body_max = COPY_LIMITS[platform]
            if head_max is not None and len(headline) > head_max:
                raise InvalidField(
                    head_field, f"{platform.title()} allows {head_max} characters."
                )
            if len(body) > body_max:
                raise InvalidField(
                    body_field, f"{platform.title()} allows {body_max} characters."
                )
        variants.append(Variant(headline, body, cta))
    return tuple(variants)


def _prompts(field: str, value) -> tuple[str, ...]:
    """Optional generation prompts: a list of texts, or one text with a prompt per line."""
    if value in (None, ""):
        return ()
    if isinstance(value, str):
        value = value.splitlines()
    if not isinstance(value, list | tuple):
        raise InvalidField(field, "Give a list of prompts.")
    prompts = [
        clean_text(f"{field}[{i}]", text, limit=MAX_PROMPT, required=False)
        for i, text in enumerate(value)
    ]
    prompts = [text for text in prompts if text]
    if len(prompts) > MAX_PROMPTS:
        raise InvalidField(field, f"At most {MAX_PROMPTS} prompts.")
    return tuple(prompts)


def parse_campaign(
    session: Session,
    organization_id: int,
    raw: Mapping,
    *,
    campaign_id: int | None = None,
) -> CampaignInput:
    """Check a campaign form or API body; InvalidField (first bad field) otherwise.

    Keys: name, objective, platforms (list or comma text), budget_type, budget_amount,
    start_date, end_date (ISO dates), variants (list of {headline, body, call_to_action}),
    image_prompts and video_prompts (optional lists of text, or one prompt per line).
    """
    if not isinstance(raw, Mapping):
        raise InvalidField("body", "Send a JSON object.")
    settings = settings_of(session, organization_id)
    name = clean_text("name", raw.get("name"), limit=MAX_NAME, required=True)
    objective = clean_text(
        "objective", raw.get("objective"), limit=MAX_OBJECTIVE, required=False
    )
    platforms = _platforms(raw.get("platforms"))
    budget_type = raw.get("budget_type") or "daily"
    if budget_type not in BUDGET_TYPES:
        raise InvalidField("budget_type", "Choose a daily or a lifetime budget.")
    amount = parse_amount(
        "budget_amount", raw.get("budget_amount"), settings.max_budget_amount
    )
    start = _date("start_date", raw.get("start_date"))
    end = _date("end_date", raw.get("end_date"))
    if start and end and end <= start:
        raise InvalidField("end_date", "The end must be after the start.")
    if budget_type == "lifetime" and not (start and end):
        raise InvalidField("end_date", "A lifetime budget needs start and end dates.")
    variants = _variants(raw.get("variants"), platforms)
    image_prompts = _prompts("image_prompts", raw.get("image_prompts"))
    video_prompts = _prompts("video_prompts", raw.get("video_prompts"))
    _unique_name(session, organization_id, name, campaign_id)
    return CampaignInput(
        name, objective, platforms, budget_type, amount, start, end, variants,
        image_prompts, video_prompts,
    )  # fmt: skip


def _unique_name(session, organization_id, name, campaign_id) -> None:
    query = sa.select(CampaignDeployment.id).where(
        CampaignDeployment.organization_id == organization_id,
        sa.func.lower(CampaignDeployment.name) == name.lower(),
        CampaignDeployment.deleted_at.is_(None),
    )
    if campaign_id is not None:
        query = query.where(CampaignDeployment.id != campaign_id)
    if session.scalar(query.limit(1)) is not None:
        raise InvalidField("name", "Another campaign already has this name.")


def check_submission(campaign: CampaignDeployment, today: dt.date) -> None:
    """What a submission needs beyond a valid draft: dates, none in the past."""
    if campaign.start_date is None:
        raise InvalidField("start_date", "Set a start date before submitting.")
    if campaign.end_date is None:
        raise InvalidField("end_date", "Set an end date before submitting.")
    if campaign.start_date < today:
        raise InvalidField("start_date", "The start date is in the past.")


def daily_figure(data: CampaignInput) -> Decimal:
    """The daily budget the reads show: the amount, or a lifetime amount spread over its days."""
    if data.budget_type == "daily":
        return data.budget_amount
    days = (data.end_date - data.start_date).days + 1
    return (data.budget_amount / days).quantize(Decimal("0.01"))
