"""Malformed requests answered 400, 413 or 415 with a clear message, never a server error.

The body size limit (``KIKI_MAX_REQUEST_BYTES``, larger under ``UPLOAD_PREFIX`` for the creatives'
chunk route and POST /api/v1/creatives), JSON that cannot be parsed without recursing thousands deep, bodies of the wrong
content type on the sign-in forms, and Dash callback envelopes whose shape Dash cannot dispatch.
Values inside a well-formed envelope are the callbacks' own business: they validate them and
answer with their page's message (shell/callback_inputs.py, data/filters.py).
"""

from __future__ import annotations

import json

from dash.exceptions import DependencyException
from flask import Flask, current_app, jsonify, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import HTTPException

from auth.guard import CALLBACK_PATH, wants_json

# The creatives' chunk route (web/media.py): a chunk may be up to KIKI_MAX_UPLOAD_BYTES; the
# whole file's cap is the upload's own (KIKI_MEDIA_MAX_BYTES), enforced while it streams.
UPLOAD_PREFIX = "/media/uploads/"
# POST /api/v1/creatives takes the file itself as its body (streamed to disk, never held).
CREATIVES_API_PATH = "/api/v1/creatives"
INGEST_PATH = "/api/v1/metrics"  # a batch of daily rows may exceed it too (to 8 MiB)
FORM_PATHS = ("/login", "/logout")  # HTML forms: url-encoded bodies only
FORM_PREFIXES = ("/invite/",)  # the invitation form, under its token
API_PREFIX = "/api/"
API_FORM_PATHS = (
    "/api/v1/auth/token",
)  # the OAuth2 password grant: a form, by its RFC
BODY_METHODS = ("POST", "PUT", "PATCH", "DELETE")
LOCATION_ID = "_pages_location"  # Dash's dcc.Location of the page container
ROUTER_OUTPUT = "_pages_content.children"  # an output of Dash's page router
MESSAGES = {
    400: "The request is malformed.",
    413: "The request body is too large.",
    415: "The request body has an unsupported content type.",
}


class BoundedJSONProvider(DefaultJSONProvider):
    """JSON nested too deep to parse is invalid JSON (ValueError, so get_json answers 400)."""

    def loads(self, s, **kwargs):
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("The JSON is nested too deeply.") from None


def error_response(status: int, message: str):
    """JSON for the API, XHR and Dash; plain text for a browser."""
    if wants_json():
        code = {404: "not_found", 413: "too_large", 415: "unsupported_media_type"}.get(
            status, "bad_request"
        )
        response = jsonify({"error": {"code": code, "message": message, "details": {}}})
        response.status_code = status
        return response
    return message, status, {"Content-Type": "text/plain; charset=utf-8"}


def _http_error(error: HTTPException):
    status = error.code or 400
    limit = request.max_content_length
    if status == 413 and limit:
        message = f"The request body is too large: at most {limit:,} bytes."
    elif error.description and error.description != type(error).description:
        message = error.description  # abort(400, "what was wrong")
    else:
        message = MESSAGES.get(status, "The request is malformed.")
    return error_response(status, message)


def _unknown_script(_error: DependencyException):
    return error_response(404, "No such script.")


def check_request_body():
    """before_request: the size limit of this path, form bodies only on the sign-in forms, and
    JSON bodies only on the API's writes (the token grant excepted)."""
    config = current_app.config
    if request.path.startswith(UPLOAD_PREFIX):
        request.max_content_length = config["KIKI_MAX_UPLOAD_BYTES"]
    elif request.path == INGEST_PATH:  # 10,000 rows of JSON: about 1.5 MB
        request.max_content_length = config["KIKI_MAX_INGEST_BYTES"]
    elif request.path == CREATIVES_API_PATH and request.method == "POST":
        request.max_content_length = config.get("KIKI_MEDIA_MAX_BYTES", 4 * 1024**3)
    form_post = request.method == "POST" and (
        request.path in FORM_PATHS or request.path.startswith(FORM_PREFIXES)
    )
    # No body at all (a bare sign-out POST) is left to the view and the guard, as before.
    if form_post and request.mimetype not in ("", "application/x-www-form-urlencoded"):
        return error_response(
            415, "Send the form as application/x-www-form-urlencoded."
        )
    api_write = (
        request.method in BODY_METHODS
        and request.path.startswith(API_PREFIX)
        and request.path not in API_FORM_PATHS
    )
    has_body = (
        request.content_length or 0
    ) > 0 or "Transfer-Encoding" in request.headers
    file_body = (
        request.path == CREATIVES_API_PATH and request.mimetype != "application/json"
    )
    if (
        api_write
        and has_body
        and request.mimetype != "application/json"
        and not file_body
    ):
        return error_response(415, "Send the body as application/json.")
    return None


def envelope_problem(body, callback_map: dict) -> str | None:
    """Why Dash could not dispatch this callback body, or None when its shape is sound."""
    if not isinstance(body, dict):
        return "A callback request must be a JSON object."
    spec = callback_map.get(body.get("output"))
    if not isinstance(spec, dict) or "callback" not in spec:
        return "Unknown callback."  # the guard refuses these first (403)
    outputs = body.get("outputs")
    multi = body["output"].startswith("..")
    count = body["output"].count("...") + 1 if multi else 1
    if multi and not (isinstance(outputs, list) and len(outputs) == count):
        return f"outputs must be a list of {count} output specs."
    if not all(_spec_ok(o) for o in (outputs if multi else [outputs])):
        return "Each output must be an object with an id and a property."
    router = ROUTER_OUTPUT in body["output"]
    for part in ("inputs", "state"):
        items = body.get(part, [])
        if not isinstance(items, list) or len(items) != len(spec[part]):
            return f"{part} must be a list of {len(spec[part])} items."
        if not all(_item_ok(item, router) for item in items):
            return f"Each of {part} must be an object with an id and a property."
    changed = body.get("changedPropIds", [])
    if not isinstance(changed, list) or not all(isinstance(c, str) for c in changed):
        return "changedPropIds must be a list of strings."
    return None


def _spec_ok(item) -> bool:
    if isinstance(item, list):  # a pattern (ALL) matches a list of components
        return all(_spec_ok(i) for i in item)
    return (
        isinstance(item, dict)
        and isinstance(item.get("id"), str | dict)
        and isinstance(item.get("property"), str)
    )


def _item_ok(item, router: bool) -> bool:
    if isinstance(item, list):
        return all(_item_ok(i, router) for i in item)
    if not _spec_ok(item):
        return False
    if item["id"] != LOCATION_ID:
        return True
    # The location's values are strings (a pathname a path) or, before it has read the
    # address, nothing; Dash's page router needs the path.
    value = item.get("value")
    if value is None:
        return not (router and item["property"] == "pathname")
    if item["property"] == "pathname":
        return isinstance(value, str) and value.startswith("/")
    return isinstance(value, str)


def check_callback_envelope():
    """before_request (after the guard, CSRF and the limits): 400 for a body Dash cannot dispatch."""
    if request.path != CALLBACK_PATH or request.method != "POST":
        return None
    try:
        body = json.loads(request.get_data(cache=True) or b"null")
    except (ValueError, RecursionError):
        return error_response(400, "A callback request must be a JSON object.")
    problem = envelope_problem(body, current_app.extensions["kiki_callback_map"])
    return None if problem is None else error_response(400, problem)


def init_app(app: Flask) -> None:
    app.config.setdefault("KIKI_MAX_REQUEST_BYTES", 1024 * 1024)
    app.config.setdefault("KIKI_MAX_UPLOAD_BYTES", 20 * 1024 * 1024)
    app.config.setdefault("KIKI_MAX_INGEST_BYTES", 8 * 1024 * 1024)
    app.config["MAX_CONTENT_LENGTH"] = app.config["KIKI_MAX_REQUEST_BYTES"]
    app.json = BoundedJSONProvider(app)
    for status in MESSAGES:
        app.register_error_handler(status, _http_error)
    # Dash raises this for a script path it never registered: a missing file, not a failure.
    app.register_error_handler(DependencyException, _unknown_script)


def init_dash(dash_app) -> None:
    """The callback map the envelope check reads (the app's own dict, complete once built)."""
    dash_app.server.extensions["kiki_callback_map"] = dash_app.callback_map
