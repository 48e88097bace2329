"""The JSON API's answer schemas (OpenAPI components), and which columns hold money."""

from __future__ import annotations

from data.metric_definitions import MONEY_COLUMNS, RATIO_COLUMNS
from data.models import CAMPAIGN_STATUSES, PLATFORMS

VERDICTS = (
    "control",
    "not enough data",
    "no significant difference",
    "better than control",
    "worse than control",
)


MONEY = {
    "type": "string",
    "pattern": "^-?[0-9]+\\.[0-9]{2,}$",
    "description": "Exact decimal amount as text.",
}
RATIO = {"type": ["number", "null"], "description": "null when the denominator is 0."}
COUNT = {"type": "integer", "minimum": 0}
DATE = {"type": "string", "format": "date"}
DATE_TIME = {"type": ["string", "null"], "format": "date-time"}


def _object(properties: dict) -> dict:
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


METRICS = {
    **{name: COUNT for name in ("impressions", "clicks", "conversions")},
    **{name: MONEY for name in MONEY_COLUMNS},
    **{name: RATIO for name in RATIO_COLUMNS},
}
PLATFORM = {"type": "string", "enum": list(PLATFORMS)}
NULLABLE_NUMBER = {"type": ["number", "null"]}

LTV_SUMMARY = {  # data/reads/ltv.py SUMMARY_COLUMNS
    "cohorts": COUNT,
    "young_cohorts": COUNT,
    "customers": COUNT,
    "spend": MONEY,
    "judged_customers": COUNT,
    "judged_spend": MONEY,
    "cac": RATIO,
    "ltv_per_customer": NULLABLE_NUMBER,
    "ltv_cac": RATIO,
    "payback_months": {
        "type": ["number", "null"],
        "description": "null: not paid back yet, or no CAC.",
    },
    "median_payback_months": NULLABLE_NUMBER,
}

SCHEMAS = {
    "Metrics": _object(METRICS),
    "Period": _object(
        {
            "start": DATE,
            "end": DATE,
            "campaigns_total": COUNT,
            "campaigns_active": COUNT,
            **METRICS,
        }
    ),
    "Summary": _object(
        {
            "current": {"$ref": "#/components/schemas/Period"},
            "previous": {"$ref": "#/components/schemas/Period"},
        }
    ),
    "TrendRow": _object({"bucket": DATE, **METRICS}),
    "PlatformRow": _object({"platform": PLATFORM, **METRICS}),
    "CampaignRow": _object(
        {
            "campaign_id": {"type": "integer"},
            "name": {"type": "string"},
            "status": {"type": "string", "enum": list(CAMPAIGN_STATUSES)},
            "platforms": {"type": "array", "items": PLATFORM},
            "budget_daily": MONEY,
            **METRICS,
        }
    ),
    "Deployment": _object(
        {
            "deployment_id": {"type": "integer"},
            "platform": PLATFORM,
            "status": {"type": "string"},
            "variant_label": {"type": ["string", "null"]},
            "external_id": {"type": ["string", "null"]},
            **METRICS,
        }
    ),
    "Campaign": _object(
        {
            "campaign_id": {"type": "integer"},
            "name": {"type": "string"},
            "status": {"type": "string", "enum": list(CAMPAIGN_STATUSES)},
            "objective": {"type": ["string", "null"]},
            "budget_daily": MONEY,
            "start_date": {"type": ["string", "null"], "format": "date"},
            "end_date": {"type": ["string", "null"], "format": "date"},
            "created_at": DATE_TIME,
            "platforms": {"type": "array", "items": PLATFORM},
            "totals": {"$ref": "#/components/schemas/Metrics"},
            "deployments": {
                "type": "array",
                "items": {"$ref": "#/components/schemas/Deployment"},
            },
        }
    ),
    "DailyRow": _object({"date": DATE, "platform": PLATFORM, **METRICS}),
    "VariantRow": _object(
        {
            "ad_copy_id": {"type": "integer"},
            "variant_label": {"type": "string"},
            "headline": {"type": "string"},
            **METRICS,
            **{
                name: NULLABLE_NUMBER
                for name in ("ctr_low", "ctr_high", "cvr_low", "cvr_high")
            },
            "cvr_p_value": NULLABLE_NUMBER,
            "verdict": {"type": "string", "enum": list(VERDICTS)},
        }
    ),
    "LtvRow": _object(
        {
            "campaign_id": {"type": "integer"},
            "campaign_name": {"type": "string"},
            "cohort_size": COUNT,
            "predicted_ltv": MONEY,
            "acquisition_cost": MONEY,
            "payback_days": {"type": ["integer", "null"]},
            "confidence": NULLABLE_NUMBER,
            "model_version": {"type": "string"},
            "predicted_at": DATE_TIME,
        }
    ),
    "LtvCampaignRow": _object(
        {
            "campaign_id": {"type": "integer"},
            "campaign_name": {"type": "string"},
            **LTV_SUMMARY,
        }
    ),
    "LtvCohortRow": _object(
        {"cohort_month": DATE, "too_young": {"type": "boolean"}, **LTV_SUMMARY}
    ),
    "Error": _object(
        {
            "error": _object(
                {
                    "code": {"type": "string"},
                    "message": {"type": "string"},
                    "details": {"type": "object"},
                }
            )
        }
    ),
    "Token": _object(
        {
            "access_token": {"type": "string"},
            "token_type": {"type": "string", "enum": ["bearer"]},
            "expires_in": {"type": "integer"},
        }
    ),
}
# Columns that hold money (serialized as exact text) beyond the metric ones.
EXTRA_MONEY_COLUMNS = (
    "budget_daily",
    "predicted_ltv",
    "acquisition_cost",
    "judged_spend",  # the LTV rows
    "budget_amount",  # the campaign lifecycle (api/lifecycle_schemas.py)
    "requested_amount",
    "approved_amount",
)
