"""The creatives library in the JSON API (api/creatives_spec.py): list, upload, one.

An upload's body is the file itself, streamed to disk through the same resumable-upload code
and validation as the page's chunk route (data/media/), never held in memory; a JSON body adds
ad copy. The same content twice answers the existing creative (200) instead of a new one (201).
"""

from __future__ import annotations

from flask import Blueprint, abort, g, request

from api.bearer import writes
from api.creatives_spec import CREATIVE_FIELDS, CREATIVE_PARAMETERS, CREATIVE_SORTS
from api.params import date_range, paging, platform_list, records
from auth.access import requires_role
from data.db import db_session
from data.filters import InvalidFilter
from data.media import uploads
from data.media.errors import Refused
from data.media.settings import current_settings
from data.reads.creative_library import LIBRARY_COLUMNS, creative_library
from data.writes.creatives import (
    add_copy_creative,
    add_uploaded_creative,
    record_refusal,
    used_bytes,
)
from data.writes.transaction import write_transaction

QUERY = {
    "creatives": ("start", "end", "sort", "page", "page_size"),
    "creative": ("start", "end"),
    "upload_creative": ("filename", "campaign_id", "prompt_id"),
}
JSON_FIELDS = [name for name in CREATIVE_FIELDS if name != "url"]


def _known(name: str) -> None:
    for key in request.args:
        if key not in QUERY[name]:
            raise InvalidFilter(key[:40], f"Unknown parameter {key[:40]!r}.")


def _rows(frame) -> list[dict]:
    rows = records(frame, [c for c in LIBRARY_COLUMNS if c in JSON_FIELDS])
    for row in rows:
        row["platforms"] = platform_list(row["platforms"])
        row["url"] = f"/media/{row['asset_id']}" if row["kind"] != "copy" else None
    return [{name: row.get(name) for name in CREATIVE_FIELDS} for row in rows]


def _sort() -> str:
    value = request.args.get("sort", "revenue")
    if value not in CREATIVE_SORTS:
        raise InvalidFilter("sort", f"sort: use one of {', '.join(CREATIVE_SORTS)}.")
    return value


@requires_role("viewer")
def list_creatives():
    _known("creatives")
    rng, sort = date_range(), _sort()
    page, size = paging()
    frame = creative_library(db_session(), g.scope, rng)
    if sort in ("revenue", "spend"):
        frame = frame.assign(_key=frame[sort].map(float))
        key = "_key"
    else:
        key = sort
    frame = frame.sort_values(key, ascending=False, na_position="last", kind="stable")
    rows = frame.iloc[(page - 1) * size : page * size]
    return {
        "data": _rows(rows),
        "page": page,
        "page_size": size,
        "total": len(frame),
        "filters": {
            "start": rng.start.isoformat(),
            "end": rng.end.isoformat(),
            "sort": sort,
        },
    }


@requires_role("viewer")
def one_creative(creative_id: int):
    _known("creative")
    rng = date_range()
    frame = creative_library(db_session(), g.scope, rng, asset_id=creative_id)
    if frame.empty:
        abort(404, description=f"No creative {creative_id} in your organization.")
    return {"data": _rows(frame)[0]}


def _id_param(name: str) -> int | None:
    raw = request.args.get(name)
    if raw is None:
        return None
    maximum = CREATIVE_PARAMETERS[name]["schema"]["maximum"]
    if not raw.isdigit() or not 1 <= int(raw) <= maximum:
        raise InvalidFilter(name, f"{name}: a whole number from 1.")
    return int(raw)


def _answer(asset_id: int, created: bool):
    frame = creative_library(db_session(), g.scope, date_range(), asset_id=asset_id)
    return (
        {"data": _rows(frame)[0]},
        201 if created else 200,
        {"Location": f"/api/v1/creatives/{asset_id}"},
    )


@requires_role("analyst")
@writes
def upload_creative():
    _known("upload_creative")
    g.scope.require("analyst")
    campaign_id = _id_param("campaign_id")
    if request.mimetype == "application/json":
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or set(body) - {
            "headline", "body", "call_to_action", "campaign_id",
        }:  # fmt: skip
            raise Refused(
                "Send {headline, body, call_to_action?, campaign_id?} as ad copy.", 400
            )
        with write_transaction() as session:
            added = add_copy_creative(
                session, g.scope, headline=body.get("headline"), body=body.get("body"),
                call_to_action=body.get("call_to_action"),
                campaign_id=body.get("campaign_id", campaign_id),
                ip_address=request.remote_addr,
            )  # fmt: skip
            asset_id = added.asset.id
        return _answer(asset_id, added.created)
    return _upload_file(campaign_id, _id_param("prompt_id"))


def _upload_file(campaign_id: int | None, prompt_id: int | None):
    settings = current_settings()
    length = request.content_length
    if not length:
        raise Refused("Send the file as the body, with its Content-Length.", 411)
    upload = uploads.start_upload(
        settings,
        g.scope.organization_id,
        g.scope.user_id,
        request.args.get("filename"),
        length,
        used_bytes(db_session(), g.scope),
        campaign_id=campaign_id,
        prompt_id=prompt_id,
    )
    try:
        uploads.write_chunk(
            upload, 0, length, uploads.blocks_of(request.stream, length)
        )
        added = add_uploaded_creative(
            db_session(), g.scope, upload, settings, ip_address=request.remote_addr
        )
    except Refused as error:
        with write_transaction() as session:
            record_refusal(
                session, g.scope, upload.filename, str(error),
                ip_address=request.remote_addr,
            )  # fmt: skip
        raise
    finally:
        uploads.discard(upload)  # gone already when it was stored; else nothing is kept
    return _answer(added.asset.id, added.created)


VIEWS = {
    "creatives": list_creatives,
    "upload_creative": upload_creative,
    "creative": one_creative,
}


def register(blueprint: Blueprint) -> None:
    from api.creatives_spec import OPERATIONS
    from api.spec import MAX_ID

    for name, method, path, _summary, _params in OPERATIONS:
        rule = path.replace("{creative_id}", f"<int(min=1, max={MAX_ID}):creative_id>")
        blueprint.add_url_rule(
            rule, endpoint=name, view_func=VIEWS[name], methods=[method.upper()]
        )
