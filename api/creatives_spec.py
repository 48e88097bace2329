"""The creatives library in the JSON API: list (with performance), upload or add ad copy, one.

The one description api/creatives_routes.py and the OpenAPI document (api/openapi.py) are built
from, beside api/spec.py (reads) and api/lifecycle_spec.py (the lifecycle).
"""

from __future__ import annotations

from api.spec import MAX_ID, PARAMETERS, _query

CREATIVE_SORTS = ("revenue", "spend", "roas", "ctr", "cvr", "created_at")
CREATIVE_PARAMETERS = {
    "start": PARAMETERS["start"],
    "end": PARAMETERS["end"],
    "page": PARAMETERS["page"],
    "page_size": PARAMETERS["page_size"],
    "sort": _query(
        {"type": "string", "enum": list(CREATIVE_SORTS), "default": "revenue"},
        "Highest first (newest first for created_at); creatives without a value last.",
    ),
    "creative_id": {
        "in": "path",
        "required": True,
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
        "description": "A creative of the caller's organization.",
    },
    "filename": _query(
        {"type": "string", "maxLength": 255},
        "The file's name, for display only (file uploads).",
    ),
    "campaign_id": _query(
        {"type": "integer", "minimum": 1, "maximum": MAX_ID},
        "The campaign the creative belongs to (optional).",
    ),
    "prompt_id": _query(
        {"type": "integer", "minimum": 1, "maximum": MAX_ID},
        "For an AI-generated creative: the image prompt (images) or video prompt (videos) "
        "it was made from, shown as its lineage.",
    ),
}
NUMBER_OR_NULL = {"type": ["number", "null"]}
INTEGER_OR_NULL = {"type": ["integer", "null"]}
STRING_OR_NULL = {"type": ["string", "null"]}
MONEY_TEXT = {"type": "string", "pattern": "^-?[0-9]+\\.[0-9]{2,}$"}
CREATIVE_FIELDS = {
    "asset_id": {"type": "integer"},
    "kind": {"type": "string", "enum": ["image", "video", "copy"]},
    "filename": {"type": "string"},
    "content_type": {"type": "string"},
    "size_bytes": {"type": "integer"},
    "width": INTEGER_OR_NULL,
    "height": INTEGER_OR_NULL,
    "duration_seconds": NUMBER_OR_NULL,
    "video_codec": STRING_OR_NULL,
    "status": {"type": "string", "enum": ["active", "archived"]},
    "headline": STRING_OR_NULL,
    "body": STRING_OR_NULL,
    "call_to_action": STRING_OR_NULL,
    "sha256": {"type": "string"},
    "campaign_id": INTEGER_OR_NULL,
    "campaign_name": STRING_OR_NULL,
    "created_at": {"type": "string"},
    "prompt": STRING_OR_NULL,
    "deployments": {"type": "integer", "minimum": 0},
    "platforms": {"type": "array", "items": {"type": "string"}},
    "impressions": {"type": "integer"},
    "clicks": {"type": "integer"},
    "conversions": {"type": "integer"},
    "spend": MONEY_TEXT,
    "revenue": MONEY_TEXT,
    "roas": NUMBER_OR_NULL,
    "ctr": NUMBER_OR_NULL,
    "cvr": NUMBER_OR_NULL,
    "spec_problems": {
        "type": "object",
        "description": "Per platform (meta, google, tiktok): why the creative fails its "
        "spec; an empty list when it meets it.",
        "additionalProperties": {"type": "array", "items": {"type": "string"}},
    },
    "url": STRING_OR_NULL,
}
CREATIVE_SCHEMAS = {
    "Creative": {
        "type": "object",
        "properties": CREATIVE_FIELDS,
        "required": list(CREATIVE_FIELDS),
        "additionalProperties": False,
    },
    "AdCopyInput": {
        "type": "object",
        "properties": {
            "headline": {"type": "string", "minLength": 1, "maxLength": 255},
            "body": {"type": "string", "minLength": 1, "maxLength": 5000},
            "call_to_action": {"type": ["string", "null"], "maxLength": 64},
            "campaign_id": {
                "type": ["integer", "null"],
                "minimum": 1,
                "maximum": MAX_ID,
            },
        },
        "required": ["headline", "body"],
        "additionalProperties": False,
    },
}
LIST_SUMMARY = (
    "The organization's creatives with the spend, revenue, ROAS, CTR and CVR of the "
    "deployments that used them over the range, sorted and paged"
)
UPLOAD_SUMMARY = (
    "Upload an image or video (the file as the body), or add ad copy (a JSON body): "
    "validated, stored once per content (analyst or admin)"
)
OPERATIONS = (
    ("creatives", "get", "/creatives", LIST_SUMMARY,
     ("start", "end", "sort", "page", "page_size")),
    ("upload_creative", "post", "/creatives", UPLOAD_SUMMARY,
     ("filename", "campaign_id", "prompt_id")),
    ("creative", "get", "/creatives/{creative_id}",
     "One creative with its performance over the range", ("creative_id", "start", "end")),
)  # fmt: skip
