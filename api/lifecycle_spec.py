"""The campaign lifecycle's operations in the JSON API: writes, the approval queue, notifications.

The one description the routes (api/lifecycle_routes.py) and the OpenAPI document
(api/openapi.py) are built from, beside api/spec.py's read endpoints.
"""

from __future__ import annotations

from dataclasses import dataclass

from api.spec import MAX_ID, PAGING, PARAMETERS, _query, amount_query, flask_rule
from data.models import PLATFORMS, REQUEST_STATUSES
from data.reads.notifications import MAX_PAGE as MAX_NOTIFICATIONS
from data.writes.idempotency import LIFETIME, MAX_KEY_LENGTH
from data.writes.metrics import MAX_BATCH

IDEMPOTENCY_HOURS = int(LIFETIME.total_seconds() // 3600)
LIFECYCLE_PARAMETERS = {
    "Idempotency-Key": {
        "in": "header",
        "description": f"Any unique text of 1 to {MAX_KEY_LENGTH} visible ASCII characters "
        "(a UUID). A retry with the same key and the same request within "
        f"{IDEMPOTENCY_HOURS} hours gets the first answer again (header "
        "`Idempotent-Replayed: true`) and writes nothing; the same key with another "
        "request is 422. Only successful answers are kept: a refused request can be "
        "retried with its key.",
        "schema": {
            "type": "string",
            "minLength": 1,
            "maxLength": MAX_KEY_LENGTH,
            "pattern": "^[!-~]+$",
        },
    },
    "If-Match": {
        "in": "header",
        "description": 'The campaign\'s version you loaded, as its ETag (`"3"`) or '
        "`version` in the body: a campaign changed meanwhile is 409.",
        "schema": {"type": "string", "pattern": '^(W/)?"[0-9]{1,10}"$'},
    },
    "request_status": _query(
        {"type": "string", "enum": list(REQUEST_STATUSES)},
        "Only requests in this status.",
    ),
    "requester": _query(
        {"type": "integer", "minimum": 1, "maximum": MAX_ID},
        "Only requests of this user id.",
    ),
    "request_platform": _query(
        {"type": "string", "enum": list(PLATFORMS)},
        "Only requests for campaigns that run on this platform.",
    ),
    "min_amount": amount_query("Only requests of at least this amount."),
    "max_amount": amount_query("Only requests of at most this amount."),
    "unread": _query(
        {"type": "boolean", "default": False}, "Only notifications not yet read."
    ),
    "before_id": _query(
        {"type": "integer", "minimum": 1, "maximum": MAX_ID},
        "Page back: only notifications older than this id.",
    ),
    "limit": _query(
        {
            "type": "integer",
            "minimum": 1,
            "maximum": MAX_NOTIFICATIONS,
            "default": 50,
        },
        f"How many notifications, newest first (at most {MAX_NOTIFICATIONS}).",
    ),
}
ALL_PARAMETERS = {**PARAMETERS, **LIFECYCLE_PARAMETERS}
QUERY_NAMES = {  # the query parameter's name where the spec's key differs from it
    "request_status": "status",
    "request_platform": "platform",
}


@dataclass(frozen=True)
class Operation:
    name: str  # the Flask endpoint and the OpenAPI operationId
    method: str
    path: str  # OpenAPI form, below API_PREFIX
    summary: str
    role: str  # the least role; the data layer checks again
    status: int  # the success status
    answer: str | None  # the answer's schema (None: no body)
    body: str | None = None  # the request body's schema
    body_required: bool = False
    params: tuple[str, ...] = ()
    writes: bool = True  # needs a credential with the write scope
    ingests: bool = False  # needs a personal token with the ingest scope
    is_list: bool = False
    links: tuple[str, ...] = ()  # operations that take this answer's data.campaign_id

    @property
    def flask_rule(self) -> str:
        return flask_rule(self.path)

    @property
    def query_params(self) -> tuple[str, ...]:
        return tuple(
            QUERY_NAMES.get(p, p)
            for p in self.params
            if ALL_PARAMETERS[p]["in"] == "query"
        )

    @property
    def not_found(self) -> bool:
        return "{campaign_id}" in self.path


ONE = "/campaigns/{campaign_id}"
ACTION = ("campaign_id", "If-Match", "Idempotency-Key")
OPERATIONS = (
    Operation(
        "create_campaign", "post", "/campaigns",
        "Save a new draft campaign (analyst or admin)", "analyst", 201,
        "CampaignRecord", "CampaignInput", True, ("Idempotency-Key",),
        links=("campaign", "edit_campaign", "submit_campaign", "delete_campaign"),
    ),
    Operation(
        "edit_campaign", "patch", ONE,
        "Change a draft or rejected campaign: the fields sent replace the stored ones; a "
        "rejected campaign becomes a draft again (analyst or admin)", "analyst", 200,
        "CampaignRecord", "CampaignChanges", True, ("campaign_id", "If-Match"),
        links=("submit_campaign", "delete_campaign"),
    ),
    Operation(
        "delete_campaign", "delete", ONE,
        "Delete a draft (soft; its author or an admin)", "analyst", 204, None,
        "VersionInput", False, ("campaign_id", "If-Match"),
    ),
    Operation(
        "submit_campaign", "post", f"{ONE}/submit",
        "Submit a draft for budget approval: a pending request, or approved at once at "
        "or under the organization's auto-approve ceiling (analyst or admin)", "analyst",
        200, "CampaignRecord", "VersionInput", False, ACTION,
        links=("approve_campaign", "reject_campaign", "withdraw_campaign"),
    ),
    Operation(
        "approve_campaign", "post", f"{ONE}/approve",
        "Approve the pending budget request, or a lower amount with a reason (admin; not "
        "the requester unless the organization allows self-approval)", "admin", 200,
        "CampaignRecord", "ApproveInput", False, ACTION,
    ),
    Operation(
        "reject_campaign", "post", f"{ONE}/reject",
        "Reject the pending budget request with a reason (admin; not the requester unless "
        "the organization allows self-approval)", "admin", 200, "CampaignRecord",
        "RejectInput", True, ACTION, links=("edit_campaign",),
    ),
    Operation(
        "withdraw_campaign", "post", f"{ONE}/withdraw",
        "Withdraw the pending request: the campaign is a draft again (the requester or "
        "an admin)", "analyst", 200, "CampaignRecord", "VersionInput", False, ACTION,
        links=("edit_campaign", "submit_campaign"),
    ),
    Operation(
        "approvals", "get", "/approvals",
        "Budget requests, pending first and oldest first: the organization's for admins, "
        "their own for analysts", "analyst", 200, "ApprovalRow",
        params=("request_status", "requester", "request_platform", "min_amount",
                "max_amount", *PAGING),
        writes=False, is_list=True,
    ),
    Operation(
        "notifications", "get", "/notifications",
        "The caller's notifications, newest first, and their unread count", "viewer",
        200, "NotificationRow", params=("unread", "before_id", "limit"), writes=False,
        is_list=True,
    ),
    Operation(
        "mark_notifications_read", "post", "/notifications/read",
        "Mark some or all of the caller's notifications as read", "viewer", 200,
        "MarkedRead", "MarkReadInput", True, ("Idempotency-Key",),
    ),
    Operation(
        "ingest_metrics", "post", "/metrics",
        f"Send daily metric rows (1 to {MAX_BATCH:,}): a row for a deployment and day "
        "already stored replaces it (ad platforms revise the last ~28 days); all rows are "
        "written or none (a personal token with the ingest scope; its user analyst or "
        "admin)", "analyst", 200, "IngestSummary", "MetricsBatch", True,
        ("Idempotency-Key",), writes=False, ingests=True,
    ),
)  # fmt: skip
OPERATIONS_BY_NAME = {operation.name: operation for operation in OPERATIONS}
