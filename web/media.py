"""The creatives' file routes: resumable uploads (/media/uploads) and serving (/media/<id>).

Uploads: ``POST /media/uploads`` ({"filename", "size", "campaign_id"?, "prompt_id"?}) opens one and answers
its id; ``PUT /media/uploads/<id>`` appends a chunk (``Content-Range: bytes a-b/size``; a gap
or an overlap is 409 with the offset to resume from, a range outside the file 416); ``HEAD`` or
``GET`` tell the received offset (``Upload-Offset``); the chunk that completes the file
validates and stores it (201 with the creative) or refuses it (its status and message, nothing
kept). Session-cookie callers send the CSRF header like Dash's renderer (flask-wtf checks
every PUT and POST); analysts and admins only, the organization the session's.

Serving: only this organization's files, by id or by hash (anything else is 404, the same as
no file), as attachments with ``nosniff`` and a sandboxing CSP, so a file that is more than it
claims is never run as a page by the browser.
"""

from __future__ import annotations

import re

from flask import Flask, Response, abort, g, jsonify, request, send_file
from werkzeug.exceptions import ClientDisconnected

from auth.access import requires_role
from data.db import db_session
from data.errors import Conflict, DataError, Forbidden, Invalid, NotFound
from data.media import uploads
from data.media.errors import Refused
from data.media.settings import current_settings
from data.media.store import absolute
from data.reads.creative_library import creative_by_hash, creative_file
from data.writes.creatives import (
    add_uploaded_creative,
    check_upload_targets,
    record_refusal,
    used_bytes,
)
from data.writes.transaction import write_transaction

UPLOADS_PATH = "/media/uploads"
FILE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "sandbox; default-src 'none'; img-src 'self'; "
    "media-src 'self'; style-src 'unsafe-inline'",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Cache-Control": "private, max-age=3600",
}
SHA256 = re.compile(r"^[0-9a-f]{64}$")


def init_app(app: Flask) -> None:
    app.add_url_rule(UPLOADS_PATH, "media_upload_start", start_upload, methods=["POST"])
    app.add_url_rule(
        f"{UPLOADS_PATH}/<upload_id>",
        "media_upload_chunk",
        upload_chunk,
        methods=["PUT", "GET", "HEAD", "DELETE"],
    )
    app.add_url_rule("/media/<int:asset_id>", "media_file", media_file)
    app.add_url_rule(
        "/media/<int:asset_id>/thumbnail", "media_thumbnail", media_thumbnail
    )
    app.add_url_rule("/media/sha256/<digest>", "media_by_hash", media_by_hash)


def problem(status: int, message: str, **extra):
    response = jsonify({"error": {"message": message, **extra}})
    response.status_code = status
    return response


STATUS = ((NotFound, 404), (Conflict, 409), (Forbidden, 403), (Invalid, 400))


def refused_answer(error: DataError):
    """A refusal as JSON: a refused file with its own status (and the offset to resume from
    after a gap or an overlap), the rest of the error family as the API maps it."""
    if isinstance(error, Refused):
        return problem(error.status, str(error), offset=getattr(error, "offset", None))
    status = next((code for kind, code in STATUS if isinstance(error, kind)), 400)
    return problem(status, str(error))


@requires_role("analyst")
def start_upload():
    """Open an upload of a declared size (checked against the caps and the quota now)."""
    g.scope.require("analyst")
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return problem(400, 'Send {"filename": ..., "size": ...} as JSON.')
    campaign_id = body.get("campaign_id")
    if campaign_id is not None and (
        not isinstance(campaign_id, int) or isinstance(campaign_id, bool)
    ):
        return problem(400, "campaign_id must be a whole number.")
    prompt_id = body.get("prompt_id")
    if prompt_id is not None and (
        not isinstance(prompt_id, int) or isinstance(prompt_id, bool)
    ):
        return problem(400, "prompt_id must be a whole number.")
    filename = body.get("filename")
    try:
        check_upload_targets(db_session(), g.scope, campaign_id, prompt_id)
        upload = uploads.start_upload(
            current_settings(),
            g.scope.organization_id,
            g.scope.user_id,
            filename if isinstance(filename, str) else None,
            body.get("size"),
            used_bytes(db_session(), g.scope),
            campaign_id=campaign_id,
            prompt_id=prompt_id,
        )
    except Refused as error:
        _audit_refusal(str(error), filename)
        return refused_answer(error)
    except NotFound as error:
        return problem(404, str(error))
    response = jsonify({"data": upload.as_dict()})
    response.status_code = 201
    response.headers["Location"] = f"{UPLOADS_PATH}/{upload.id}"
    response.headers["Upload-Offset"] = "0"
    return response


@requires_role("analyst")
def upload_chunk(upload_id: str):
    """PUT a chunk; GET/HEAD the offset; DELETE cancels."""
    g.scope.require("analyst")
    settings = current_settings()
    try:
        upload = uploads.find_upload(settings, g.scope.organization_id, upload_id)
    except NotFound as error:
        return problem(404, str(error))
    if upload.user_id != g.scope.user_id:
        return problem(404, "No such upload.")
    if request.method in ("GET", "HEAD"):
        return _offset_answer(upload, 200)
    if request.method == "DELETE":
        uploads.discard(upload)
        return Response(status=204)
    try:
        start, end = uploads.parse_content_range(
            request.headers.get("Content-Range"), request.content_length, upload.total
        )
        received = uploads.write_chunk(
            upload, start, end, uploads.blocks_of(request.stream, end - start)
        )
    except Refused as error:
        return refused_answer(error)
    except ClientDisconnected:
        return _offset_answer(upload, 400)
    if received < upload.total:
        return _offset_answer(upload, 200)
    return _finish(upload)


def _finish(upload: uploads.Upload):
    settings = current_settings()
    try:
        added = add_uploaded_creative(
            db_session(), g.scope, upload, settings, ip_address=request.remote_addr
        )
    except Refused as error:
        uploads.discard(upload)
        _audit_refusal(str(error), upload.filename)
        return refused_answer(error)
    except DataError as error:
        uploads.discard(upload)
        return refused_answer(error)
    asset = added.asset
    response = jsonify(
        {
            "data": {
                "asset_id": asset.id,
                "kind": asset.kind,
                "filename": asset.filename,
                "content_type": asset.content_type,
                "size_bytes": asset.size_bytes,
                "width": asset.width,
                "height": asset.height,
                "duration_seconds": asset.duration_seconds,
                "sha256": asset.sha256,
                "created": added.created,
                "url": f"/media/{asset.id}",
            }
        }
    )
    response.status_code = 201 if added.created else 200
    response.headers["Location"] = f"/media/{asset.id}"
    return response


def _offset_answer(upload: uploads.Upload, status: int):
    response = jsonify({"data": upload.as_dict()})
    response.status_code = status
    response.headers["Upload-Offset"] = str(upload.received)
    response.headers["Upload-Length"] = str(upload.total)
    return response


def _audit_refusal(reason: str, filename) -> None:
    with write_transaction() as session:
        record_refusal(
            session, g.scope, filename, reason, ip_address=request.remote_addr
        )


@requires_role("viewer")
def media_file(asset_id: int):
    return _serve(asset_id, thumbnail=False)


@requires_role("viewer")
def media_thumbnail(asset_id: int):
    return _serve(asset_id, thumbnail=True)


@requires_role("viewer")
def media_by_hash(digest: str):
    if not SHA256.match(digest):
        abort(404)
    asset_id = creative_by_hash(db_session(), g.scope, digest)
    if asset_id is None:
        abort(404)
    return _serve(asset_id, thumbnail=False)


def _serve(asset_id: int, thumbnail: bool):
    found = creative_file(db_session(), g.scope, asset_id)
    relative = (found or {}).get("thumbnail_path" if thumbnail else "storage_path")
    if not relative or relative.startswith("demo/"):
        abort(404)
    try:
        path = absolute(current_settings(), relative)
    except ValueError:
        abort(404)
    if not path.is_file():
        abort(404)
    if thumbnail:
        mimetype, name = "image/webp", f"thumbnail-{asset_id}.webp"
    else:
        mimetype, name = found["content_type"], found["filename"]
    response = send_file(
        path,
        mimetype=mimetype,
        as_attachment=True,
        download_name=name,
        conditional=True,
        etag=found["sha256"] + ("-thumbnail" if thumbnail else ""),
        max_age=3600,
    )
    response.headers.update(FILE_HEADERS)
    return response
