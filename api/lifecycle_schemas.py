"""The campaign lifecycle's request and answer schemas (OpenAPI components), beside api/schemas.py."""

from __future__ import annotations

from api.schemas import COUNT, DATE_TIME, MONEY, PLATFORM
from data.campaign_rules import (
    MAX_BODY,
    MAX_CTA,
    MAX_HEADLINE,
    MAX_NAME,
    MAX_OBJECTIVE,
    MAX_PROMPT,
    MAX_PROMPTS,
    MAX_REASON,
    MAX_VARIANTS,
)
from data.models import BUDGET_TYPES, CAMPAIGN_STATUSES, REQUEST_STATUSES
from data.writes.metrics import COUNT_FIELDS, MAX_BATCH, MONEY_FIELDS
from data.writes.notify import KINDS

ID = {"type": "integer", "minimum": 1}
NULLABLE_ID = {"type": ["integer", "null"], "minimum": 1}
NULLABLE_MONEY = {**MONEY, "type": ["string", "null"]}
NULLABLE_DATE = {"type": ["string", "null"], "format": "date"}
AMOUNT_IN = {
    "type": ["string", "number"],
    "pattern": "^[0-9]{1,12}(\\.[0-9]{1,2})?$",
    "exclusiveMinimum": 0,
    "maximum": 999_999_999_999.99,
    "description": 'A positive amount with at most two decimals, best sent as text: "250.00".',
}
VERSION_IN = {
    "type": "integer",
    "minimum": 1,
    "maximum": 2**31 - 1,
    "description": "The campaign's version you loaded (or send `If-Match`): a different "
    "one is 409, so a change made meanwhile is never overwritten.",
}
TEXT = "No HTML and no control characters."
VARIANT_IN = {
    "type": "object",
    "properties": {
        "headline": {
            "type": "string",
            "minLength": 1,
            "maxLength": MAX_HEADLINE,
            "description": "At most 40 characters on Meta, 30 on Google. " + TEXT,
        },
        "body": {
            "type": "string",
            "minLength": 1,
            "maxLength": MAX_BODY,
            "description": "At most 125 characters on Meta, 90 on Google, 100 on TikTok. "
            "Line breaks allowed.",
        },
        "call_to_action": {"type": ["string", "null"], "maxLength": MAX_CTA},
    },
    "required": ["headline", "body"],
    "additionalProperties": False,
}
CAMPAIGN_FIELDS_IN = {
    "name": {
        "type": "string",
        "minLength": 1,
        "maxLength": MAX_NAME,
        "description": "Unique in the organization (case-insensitive). " + TEXT,
    },
    "objective": {"type": ["string", "null"], "maxLength": MAX_OBJECTIVE},
    "platforms": {
        "type": "array",
        "items": PLATFORM,
        "minItems": 1,
        "uniqueItems": True,
    },
    "budget_type": {"type": "string", "enum": list(BUDGET_TYPES), "default": "daily"},
    "budget_amount": AMOUNT_IN,
    "start_date": {
        **NULLABLE_DATE,
        "description": "Needed to submit; not in the past then.",
    },
    "end_date": {
        **NULLABLE_DATE,
        "description": "After the start; a lifetime budget needs both dates.",
    },
    "variants": {
        "type": "array",
        "items": VARIANT_IN,
        "minItems": 1,
        "maxItems": MAX_VARIANTS,
    },
    **{
        name: {
            "type": "array",
            "items": {"type": "string", "maxLength": MAX_PROMPT, "description": TEXT},
            "maxItems": MAX_PROMPTS,
            "description": f"Optional {kind} generation prompts (kept as they are on an edit "
            "that does not send them).",
        }
        for name, kind in (("image_prompts", "image"), ("video_prompts", "video"))
    },
}
REASON_IN = {"type": "string", "maxLength": MAX_REASON, "description": TEXT}
AMOUNT_ROW = {
    "type": ["string", "number"],
    "pattern": "^[0-9]{1,12}(\\.[0-9]{1,2})?$",
    "minimum": 0,
    "description": 'Zero or more, at most two decimals; exact as text ("12.50").',
}


def _object(properties: dict, required=None) -> dict:
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties) if required is None else list(required),
        "additionalProperties": False,
    }


LIFECYCLE_SCHEMAS = {
    "CampaignInput": _object(
        CAMPAIGN_FIELDS_IN, ["name", "platforms", "budget_amount", "variants"]
    ),
    "CampaignChanges": _object({**CAMPAIGN_FIELDS_IN, "version": VERSION_IN}, []),
    "VersionInput": _object({"version": VERSION_IN}, []),
    "ApproveInput": _object(
        {
            "amount": {
                **AMOUNT_IN,
                "description": "Approve a lower amount than requested (a reason is then "
                "required). Default: the requested amount.",
            },
            "reason": REASON_IN,
            "version": VERSION_IN,
        },
        [],
    ),
    "RejectInput": _object(
        {"reason": {**REASON_IN, "minLength": 1}, "version": VERSION_IN}, ["reason"]
    ),
    "MarkReadInput": {
        "type": "object",
        "properties": {
            "notification_ids": {
                "type": "array",
                "items": ID,
                "minItems": 1,
                "maxItems": 200,
                "uniqueItems": True,
            },
            "all": {"type": "boolean", "const": True},
        },
        "minProperties": 1,
        "maxProperties": 1,
        "additionalProperties": False,
        "description": 'Either `notification_ids` or `"all": true`.',
    },
    "Variant": _object(
        {
            "variant_label": {"type": "string"},
            "headline": {"type": "string"},
            "body": {"type": "string"},
            "call_to_action": {"type": ["string", "null"]},
        }
    ),
    "BudgetRequest": _object(
        {
            "request_id": ID,
            "status": {"type": "string", "enum": list(REQUEST_STATUSES)},
            "requested_amount": MONEY,
            "approved_amount": NULLABLE_MONEY,
            "auto_approved": {"type": "boolean"},
            "requested_by_id": NULLABLE_ID,
            "requested_at": DATE_TIME,
            "decided_by_id": NULLABLE_ID,
            "decided_at": DATE_TIME,
            "decision_reason": {"type": ["string", "null"]},
            "version": ID,
        }
    ),
    "CampaignRecord": _object(
        {
            "campaign_id": ID,
            "name": {"type": "string"},
            "status": {"type": "string", "enum": list(CAMPAIGN_STATUSES)},
            "objective": {"type": ["string", "null"]},
            "platforms": {"type": "array", "items": PLATFORM},
            "budget_type": {"type": "string", "enum": list(BUDGET_TYPES)},
            "budget_amount": MONEY,
            "budget_daily": MONEY,
            "currency": {"type": "string"},
            "start_date": NULLABLE_DATE,
            "end_date": NULLABLE_DATE,
            "version": ID,
            "created_by_id": NULLABLE_ID,
            "created_at": DATE_TIME,
            "updated_at": DATE_TIME,
            "variants": {
                "type": "array",
                "items": {"$ref": "#/components/schemas/Variant"},
            },
            "budget_request": {
                "oneOf": [
                    {"$ref": "#/components/schemas/BudgetRequest"},
                    {"type": "null"},
                ],
                "description": "The newest budget request, null before the first submit.",
            },
        }
    ),
    "ApprovalRow": _object(
        {
            "request_id": ID,
            "campaign_id": ID,
            "campaign_name": {"type": "string"},
            "platforms": {"type": "array", "items": PLATFORM},
            "budget_type": {"type": "string", "enum": list(BUDGET_TYPES)},
            "requested_amount": MONEY,
            "approved_amount": NULLABLE_MONEY,
            "currency": {"type": "string"},
            "status": {"type": "string", "enum": list(REQUEST_STATUSES)},
            "auto_approved": {"type": "boolean"},
            "requested_by_id": NULLABLE_ID,
            "requested_by": {"type": ["string", "null"]},
            "requested_at": DATE_TIME,
            "decided_by": {"type": ["string", "null"]},
            "decided_at": DATE_TIME,
            "decision_reason": {"type": ["string", "null"]},
            "version": ID,
        }
    ),
    "NotificationRow": _object(
        {
            "notification_id": ID,
            "kind": {"type": "string", "enum": list(KINDS)},
            "title": {"type": "string"},
            "body": {"type": "string"},
            "link": {"type": "string"},
            "created_at": DATE_TIME,
            "read_at": DATE_TIME,
            "is_read": {"type": "boolean"},
        }
    ),
    "MarkedRead": _object({"marked": COUNT, "unread_count": COUNT}),
    "MetricsBatch": _object(
        {
            "rows": {
                "type": "array",
                "items": {"$ref": "#/components/schemas/MetricRowInput"},
                "minItems": 1,
                "maxItems": MAX_BATCH,
            }
        }
    ),
    "MetricRowInput": _object(
        {
            "platform_deployment_id": {
                **ID,
                "description": "The deployment's id, or send external_id instead.",
            },
            "external_id": {
                "type": "string",
                "minLength": 1,
                "maxLength": 128,
                "description": "The ad platform's id of the deployment.",
            },
            "date": {
                "type": "string",
                "format": "date",
                "description": "The day (YYYY-MM-DD), at most tomorrow (UTC).",
            },
            **{name: {**COUNT, "default": 0} for name in COUNT_FIELDS},
            **{name: {**AMOUNT_ROW, "default": "0"} for name in MONEY_FIELDS},
        },
        ["date"],
    ),
    "IngestSummary": _object(
        {
            "rows": COUNT,
            "inserted": COUNT,
            "updated": {**COUNT, "description": "Rows that replaced a stored day."},
            "days": COUNT,
            "first_date": {"type": "string", "format": "date"},
            "last_date": {"type": "string", "format": "date"},
        }
    ),
}
