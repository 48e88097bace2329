"""The campaign form (new and edit): fields, ten variant slots, and where each field's message goes.

Field names are the data layer's (data/campaign_rules.py ``parse_campaign``): an ``InvalidField``
names its field (``variants[1].headline``), and ``field_key`` turns that into the form element
whose message shows it.
"""

from __future__ import annotations

import re

import dash_bootstrap_components as dbc
from dash import dcc, html

from components.labels import PLATFORM_LABELS
from data.campaign_rules import COPY_LIMITS, MAX_PROMPTS, MAX_VARIANTS
from data.models import PLATFORMS

PREFIX = "campaign-form"
TOP_FIELDS = (
    "name", "objective", "platforms", "budget_type", "budget_amount",
    "start_date", "end_date", "image_prompts", "video_prompts",
)  # fmt: skip
VARIANT_FIELDS = ("headline", "body", "call_to_action")
# Fields that are text inputs (they get Bootstrap's ``invalid`` outline).
INPUT_FIELDS = ("name", "objective", "budget_amount", "start_date", "end_date")
INPUT_FIELDS += ("image_prompts", "video_prompts")
LABELS = {
    "name": "Name",
    "objective": "Objective",
    "platforms": "Platforms",
    "budget_type": "Budget type",
    "budget_amount": "Budget amount",
    "start_date": "Start date",
    "end_date": "End date",
    "image_prompts": "Image prompts",
    "video_prompts": "Video prompts",
    "headline": "Headline",
    "body": "Body",
    "call_to_action": "Call to action",
}
_VARIANT = re.compile(r"variants\[(\d+)\]\.(headline|body|call_to_action)")


def field_id(key: str) -> str:
    """The form control of a field key (``name``, ``v1-headline``)."""
    return f"{PREFIX}-{key}"


def message_id(key: str) -> str:
    return f"{PREFIX}-{key}-message"


def variant_key(index: int, field: str) -> str:
    return f"v{index}-{field}"


def all_keys() -> list[str]:
    """Every field key in form order: the top fields, then each variant slot's three."""
    return list(TOP_FIELDS) + [
        variant_key(i, f) for i in range(MAX_VARIANTS) for f in VARIANT_FIELDS
    ]


# Keys with a message beside them: every field, and the variants as a whole (their number).
MESSAGE_KEYS = [*all_keys(), "variants"]


def field_key(field: str) -> str | None:
    """The form key an InvalidField's ``field`` belongs to; None for the form as a whole."""
    match = _VARIANT.fullmatch(field)
    if match:
        return variant_key(int(match.group(1)), match.group(2))
    base = field.split("[", 1)[0]
    return base if base in (*TOP_FIELDS, "variants") else None


def field_label(field: str) -> str:
    """Words for an InvalidField's field: 'Variant 2 headline', 'Budget amount'."""
    match = _VARIANT.fullmatch(field)
    if match:
        return f"Variant {int(match.group(1)) + 1} {LABELS[match.group(2)].lower()}"
    base = field.split("[", 1)[0]
    return LABELS.get(base, "Ad-copy variants" if base == "variants" else "The form")


def _message(key: str) -> html.Div:
    return html.Div(id=message_id(key), className="invalid-feedback d-block")


def _field(key: str, control, hint: str | None = None, label: str | None = None):
    """A labelled control with its hint and its message; a group of choices (checkboxes, radio
    buttons) is a fieldset named by its legend."""
    text = label or LABELS[key]
    group = isinstance(control, dbc.Checklist | dbc.RadioItems)
    title = (
        html.Legend(text, className="form-label fs-6 mb-1")
        if group
        else dbc.Label(text, html_for=field_id(key), className="mb-1")
    )
    parts = [title, control]
    if hint:
        parts.append(dbc.FormText(hint, className="d-block"))
    parts.append(_message(key))
    return (html.Fieldset if group else html.Div)(parts, className="mb-3")


def _copy_limits_hint() -> str:
    heads = [
        f"{PLATFORM_LABELS[p]} {h}"
        for p, (h, _b) in COPY_LIMITS.items()
        if h is not None
    ]
    bodies = [f"{PLATFORM_LABELS[p]} {b}" for p, (_h, b) in COPY_LIMITS.items()]
    return (
        f"Limits per chosen platform: headline {', '.join(heads)}; "
        f"body {', '.join(bodies)} characters."
    )


def _variant_slot(index: int, values: dict, shown: bool) -> html.Fieldset:
    def text(field, limit=None, area=False):
        component = dbc.Textarea if area else dbc.Input
        extra = {"rows": 3} if area else {}
        return component(
            id=field_id(variant_key(index, field)),
            value=values.get(field, ""),
            maxLength=limit,
            **extra,
        )

    return html.Fieldset(
        [
            html.Legend(f"Variant {index + 1}", className="fs-6 fw-semibold"),
            _field(
                variant_key(index, "headline"), text("headline", 200), label="Headline"
            ),
            _field(
                variant_key(index, "body"), text("body", 2000, area=True), label="Body"
            ),
            _field(
                variant_key(index, "call_to_action"),
                text("call_to_action", 64),
                label="Call to action (optional)",
            ),
        ],
        id=f"{PREFIX}-variant-{index}",
        hidden=not shown,
        className="border rounded p-3 mb-3 variant-slot",
    )


def campaign_form(values: dict, currency: str, ceiling: str | None) -> html.Div:
    """The form filled with ``values`` (campaign_draft's keys; empty for a new campaign)."""
    variants = values.get("variants") or [{}]
    amount_hint = f"In {currency}, up to two decimals."
    if ceiling:
        amount_hint += f" At most {ceiling} in your organization."
    return html.Div(
        [
            dcc.Store(id=f"{PREFIX}-variant-count", data=len(variants)),
            _field(
                "name",
                dbc.Input(
                    id=field_id("name"), value=values.get("name", ""), maxLength=200
                ),
                "Unique in your organization.",
            ),
            _field(
                "objective",
                dbc.Input(
                    id=field_id("objective"),
                    value=values.get("objective", ""),
                    maxLength=64,
                    placeholder="e.g. Sales, Leads, Awareness",
                ),
                "Optional.",
            ),
            _field(
                "platforms",
                dbc.Checklist(
                    id=field_id("platforms"),
                    options=[
                        {"label": PLATFORM_LABELS[p], "value": p} for p in PLATFORMS
                    ],
                    value=values.get("platforms", []),
                    inline=True,
                ),
                "One or more. Ad-copy lengths are checked against each.",
            ),
            dbc.Row(
                [
                    dbc.Col(
                        _field(
                            "budget_type",
                            dbc.RadioItems(
                                id=field_id("budget_type"),
                                options=[
                                    {"label": "Daily", "value": "daily"},
                                    {"label": "Lifetime", "value": "lifetime"},
                                ],
                                value=values.get("budget_type", "daily"),
                                inline=True,
                            ),
                        ),
                        md=4,
                    ),
                    dbc.Col(
                        _field(
                            "budget_amount",
                            dbc.InputGroup(
                                [
                                    dbc.Input(
                                        id=field_id("budget_amount"),
                                        value=values.get("budget_amount", ""),
                                        inputmode="decimal",
                                        placeholder="250.00",
                                    ),
                                    dbc.InputGroupText(currency),
                                ]
                            ),
                            amount_hint,
                        ),
                        md=8,
                    ),
                ]
            ),
            dbc.Row(
                [
                    dbc.Col(
                        _field(
                            key,
                            dbc.Input(
                                id=field_id(key), type="date", value=values.get(key, "")
                            ),
                            hint,
                        ),
                        md=6,
                    )
                    for key, hint in (
                        ("start_date", "Needed to submit; not in the past."),
                        ("end_date", "After the start."),
                    )
                ]
            ),
            html.H2("Ad copy", className="h5 mt-2"),
            dbc.FormText(_copy_limits_hint(), className="d-block mb-2"),
            html.Div(_message("variants")),
            *[
                _variant_slot(
                    i,
                    variants[i] if i < len(variants) else {},
                    shown=i < len(variants),
                )
                for i in range(MAX_VARIANTS)
            ],
            html.Div(
                [
                    dbc.Button(
                        "Add a variant",
                        id=f"{PREFIX}-add-variant",
                        color="secondary",
                        outline=True,
                        size="sm",
                        className="me-2",
                    ),
                    dbc.Button(
                        "Remove the last variant",
                        id=f"{PREFIX}-remove-variant",
                        color="secondary",
                        outline=True,
                        size="sm",
                    ),
                ],
                className="mb-3",
            ),
            html.H2("Creative prompts (optional)", className="h5 mt-2"),
            *[
                _field(
                    key,
                    dbc.Textarea(
                        id=field_id(key),
                        value="\n".join(values.get(key) or []),
                        rows=3,
                    ),
                    f"One prompt per line, at most {MAX_PROMPTS}.",
                )
                for key in ("image_prompts", "video_prompts")
            ],
        ]
    )
