"""The campaign lifecycle in the JSON API: create, edit, delete, submit, approve, reject and
withdraw campaigns, the approval queue and the caller's notifications.

Each write view parses its body, runs one data/writes function inside answer_once (one
transaction, with its Idempotency-Key) and answers the campaign as it now is. The data layer
checks roles, states and input again; its refusals become HTTP once, in api/http.py.
"""

from __future__ import annotations

from decimal import Decimal

from flask import Blueprint, g, request
from sqlalchemy.orm import Session

from api.bearer import writes
from api.bodies import expected_version, json_body
from api.idempotency import Answer, answer_once
from api.lifecycle_spec import OPERATIONS, OPERATIONS_BY_NAME
from api.metrics_routes import ingest_metric_rows
from api.params import _integer, check_known, paging, platform_list, records
from api.spec import API_PREFIX, MAX_ID
from auth.access import requires_role
from data.campaign_rules import InvalidField
from data.clock import today
from data.db import db_session
from data.errors import NotFound
from data.filters import InvalidFilter, parse_non_negative
from data.lifecycle import next_status
from data.models import PLATFORMS, REQUEST_STATUSES
from data.reads.approvals import QUEUE_COLUMNS, approval_queue
from data.reads.campaign_lifecycle import campaign_draft
from data.reads.campaign_record import (
    COPY_COLUMNS,
    RECORD_COLUMNS,
    REQUEST_COLUMNS,
    campaign_copies,
    campaign_record,
    latest_request,
)
from data.reads.notifications import (
    NOTIFICATION_COLUMNS,
    notifications,
    unread_count,
)
from data.writes import approvals, campaigns
from data.writes.notify import mark_read

CAMPAIGN_FIELDS = (
    "name", "objective", "platforms", "budget_type", "budget_amount", "start_date",
    "end_date", "variants", "image_prompts", "video_prompts",
)  # fmt: skip
PROMPT_FIELDS = ("image_prompts", "video_prompts")
ID_COLUMNS = (
    "campaign_id", "created_by_id", "request_id", "requested_by_id", "decided_by_id",
    "notification_id", "version",
)  # fmt: skip


def _whole_ids(row: dict) -> dict:
    """Ids as integers (pandas turns an id column with a missing value into floats)."""
    for name in ID_COLUMNS:
        if isinstance(row.get(name), float):
            row[name] = int(row[name])
    return row


def campaign_answer(session: Session, campaign_id: int) -> dict:
    """``{"data": CampaignRecord}``: the campaign, its variants and its newest request."""
    scope = g.scope
    record = campaign_record(session, scope, campaign_id)
    if record.empty:
        raise NotFound("No such campaign.")
    data = _whole_ids(records(record, RECORD_COLUMNS)[0])
    data["platforms"] = platform_list(data["platforms"])
    data["variants"] = records(
        campaign_copies(session, scope, campaign_id), COPY_COLUMNS
    )
    request_frame = latest_request(session, scope, campaign_id)
    data["budget_request"] = (
        None
        if request_frame.empty
        else _whole_ids(records(request_frame, REQUEST_COLUMNS)[0])
    )
    return {"data": data}


def _current_fields(session: Session, campaign_id: int) -> dict:
    """The stored campaign as an API body: what an edit's fields are laid over."""
    current = campaign_answer(session, campaign_id)["data"]
    next_status(
        current["status"], "edit"
    )  # 409 before the stored fields are re-checked
    stored = campaign_draft(session, g.scope, campaign_id)
    fields = {
        name: current[name]
        for name in CAMPAIGN_FIELDS
        if name not in ("variants", *PROMPT_FIELDS)
    }
    fields["variants"] = [
        {k: v for k, v in variant.items() if k != "variant_label"}
        for variant in current["variants"]
    ]
    fields.update({name: stored[name] for name in PROMPT_FIELDS})  # kept unless sent
    return fields


def _ip() -> str | None:
    return request.remote_addr


@requires_role("analyst")
@writes
def create_campaign():
    body = json_body(CAMPAIGN_FIELDS, required=True)

    def write(session: Session) -> Answer:
        campaign_id = campaigns.create_campaign(
            session, g.scope, body, ip_address=_ip()
        )
        location = f"{API_PREFIX}/campaigns/{campaign_id}"
        return 201, campaign_answer(session, campaign_id), location

    return answer_once(body, write)


@requires_role("analyst")
@writes
def edit_campaign(campaign_id: int):
    body = json_body((*CAMPAIGN_FIELDS, "version"), required=True)
    version = expected_version(body)
    changes = {name: value for name, value in body.items() if name != "version"}

    def write(session: Session) -> Answer:
        fields = {**_current_fields(session, campaign_id), **changes}
        campaigns.edit_campaign(
            session, g.scope, campaign_id, fields,
            expected_version=version, ip_address=_ip(),
        )  # fmt: skip
        return 200, campaign_answer(session, campaign_id), None

    return answer_once(body, write)


@requires_role("analyst")
@writes
def delete_campaign(campaign_id: int):
    body = json_body(("version",), required=False)
    version = expected_version(body)

    def write(session: Session) -> Answer:
        campaigns.delete_campaign(
            session, g.scope, campaign_id, expected_version=version, ip_address=_ip()
        )
        return 204, None, None

    return answer_once(body, write)


@requires_role("analyst")
@writes
def submit_campaign(campaign_id: int):
    body = json_body(("version",), required=False)
    version = expected_version(body)

    def write(session: Session) -> Answer:
        campaigns.submit_for_approval(
            session, g.scope, campaign_id, today=today(),
            expected_version=version, ip_address=_ip(),
        )  # fmt: skip
        return 200, campaign_answer(session, campaign_id), None

    return answer_once(body, write)


@requires_role("admin")
@writes
def approve_campaign(campaign_id: int):
    body = json_body(("amount", "reason", "version"), required=False)
    version = expected_version(body)

    def write(session: Session) -> Answer:
        pending = approvals.campaign_request(
            session, g.scope, campaign_id, "approve", expected_version=version
        )
        approvals.approve_request(
            session, g.scope, pending.id, amount=body.get("amount"),
            reason=body.get("reason"), ip_address=_ip(),
        )  # fmt: skip
        return 200, campaign_answer(session, campaign_id), None

    return answer_once(body, write)


@requires_role("admin")
@writes
def reject_campaign(campaign_id: int):
    body = json_body(("reason", "version"), required=True)
    version = expected_version(body)

    def write(session: Session) -> Answer:
        pending = approvals.campaign_request(
            session, g.scope, campaign_id, "reject", expected_version=version
        )
        approvals.reject_request(
            session, g.scope, pending.id, reason=body.get("reason"), ip_address=_ip()
        )
        return 200, campaign_answer(session, campaign_id), None

    return answer_once(body, write)


@requires_role("analyst")
@writes
def withdraw_campaign(campaign_id: int):
    body = json_body(("version",), required=False)
    version = expected_version(body)

    def write(session: Session) -> Answer:
        campaigns.withdraw(
            session, g.scope, campaign_id, expected_version=version, ip_address=_ip()
        )
        return 200, campaign_answer(session, campaign_id), None

    return answer_once(body, write)


def _choice(name: str, values: tuple[str, ...]) -> str | None:
    value = request.args.get(name)
    if value in (None, ""):
        return None
    if value not in values:
        raise InvalidFilter(name, f"{name}: choose from {', '.join(values)}.")
    return value


@requires_role("analyst")
def approval_rows():
    check_known(OPERATIONS_BY_NAME["approvals"])
    status = _choice("status", REQUEST_STATUSES)
    platform = _choice("platform", PLATFORMS)
    requester = request.args.get("requester")
    requester = None if requester in (None, "") else _integer("requester", 0, MAX_ID)
    low = parse_non_negative(request.args.get("min_amount"), "min_amount", Decimal)
    high = parse_non_negative(request.args.get("max_amount"), "max_amount", Decimal)
    page, size = paging()
    frame = approval_queue(
        db_session(), g.scope, status=status, requester_id=requester,
        platform=platform, min_amount=low, max_amount=high,
    )  # fmt: skip
    rows = [_whole_ids(row) for row in records(frame, QUEUE_COLUMNS)]
    for row in rows:
        row["platforms"] = platform_list(row["platforms"])
    filters = {
        "status": status, "requester": requester, "platform": platform,
        "min_amount": None if low is None else str(low),
        "max_amount": None if high is None else str(high),
    }  # fmt: skip
    return {
        "data": rows[(page - 1) * size : page * size],
        "page": page,
        "page_size": size,
        "total": len(rows),
        "filters": {k: v for k, v in filters.items() if v is not None},
    }


def _flag(name: str) -> bool:
    value = (request.args.get(name) or "false").lower()
    if value not in ("true", "false"):
        raise InvalidFilter(name, f"{name}: use true or false.")
    return value == "true"


@requires_role("viewer")
def notification_rows():
    check_known(OPERATIONS_BY_NAME["notifications"])
    unread = _flag("unread")
    before = request.args.get("before_id")
    before = None if before in (None, "") else _integer("before_id", 0, MAX_ID)
    limit = _integer("limit", 50, 200)
    db = db_session()
    frame = notifications(
        db, g.scope, unread_only=unread, before_id=before, limit=limit
    )
    filters = {"unread": unread, "limit": limit}
    if before is not None:
        filters["before_id"] = before
    return {
        "data": [_whole_ids(row) for row in records(frame, NOTIFICATION_COLUMNS)],
        "unread_count": unread_count(db, g.scope),
        "filters": filters,
    }


def _notification_ids(body: dict) -> list[int] | None:
    """The ids to mark, or None for all of them."""
    if set(body) != {"notification_ids"} and set(body) != {"all"}:
        raise InvalidField("body", 'Send either "notification_ids" or "all": true.')
    if "all" in body:
        if body["all"] is not True:
            raise InvalidField("all", 'Send "all": true to mark every notification.')
        return None
    ids = body["notification_ids"]
    if (
        not isinstance(ids, list)
        or not 1 <= len(ids) <= 200
        or not all(
            isinstance(i, int) and not isinstance(i, bool) and 1 <= i <= MAX_ID
            for i in ids
        )
    ):
        raise InvalidField(
            "notification_ids", "Send a list of 1 to 200 notification ids."
        )
    return sorted(set(ids))


@requires_role("viewer")
@writes
def mark_notifications_read():
    body = json_body(("notification_ids", "all"), required=True)
    ids = _notification_ids(body)

    def write(session: Session) -> Answer:
        user_id = g.scope.user_id
        if ids is None:
            marked = mark_read(session, user_id)
        else:
            marked = sum(mark_read(session, user_id, i) for i in ids)
        data = {"marked": marked, "unread_count": unread_count(session, g.scope)}
        return 200, {"data": data}, None

    return answer_once(body, write)


VIEWS = {
    "create_campaign": create_campaign,
    "edit_campaign": edit_campaign,
    "delete_campaign": delete_campaign,
    "submit_campaign": submit_campaign,
    "approve_campaign": approve_campaign,
    "reject_campaign": reject_campaign,
    "withdraw_campaign": withdraw_campaign,
    "approvals": approval_rows,
    "notifications": notification_rows,
    "mark_notifications_read": mark_notifications_read,
    "ingest_metrics": ingest_metric_rows,
}


def register(blueprint: Blueprint) -> None:
    """Add every lifecycle operation of api/lifecycle_spec.py to the API's blueprint."""
    for operation in OPERATIONS:
        blueprint.add_url_rule(
            operation.flask_rule,
            endpoint=operation.name,
            view_func=VIEWS[operation.name],
            methods=[operation.method.upper()],
        )
