"""The OpenAPI 3.1 document and the server-rendered docs page, both built from api_spec."""

from __future__ import annotations

import copy
import functools

from flask import jsonify, render_template
from markupsafe import Markup

from api.creatives_spec import CREATIVE_PARAMETERS, CREATIVE_SCHEMAS
from api.creatives_spec import OPERATIONS as CREATIVE_OPERATIONS
from api.lifecycle_schemas import LIFECYCLE_SCHEMAS
from api.lifecycle_spec import ALL_PARAMETERS, OPERATIONS, QUERY_NAMES, Operation
from api.schemas import SCHEMAS
from api.spec import (
    API_PREFIX,
    ENDPOINTS,
    MAX_PAGE_SIZE,
    PARAMETERS,
    Endpoint,
)

ERROR = {"$ref": "#/components/schemas/Error"}
RATE_HEADERS = {
    name: {"description": description, "schema": {"type": "integer"}}
    for name, description in (
        ("X-RateLimit-Limit", "Requests allowed in the current window."),
        ("X-RateLimit-Remaining", "Requests left in the current window."),
        ("X-RateLimit-Reset", "When the window resets (Unix time)."),
    )
}
SECURITY = [{"bearerAuth": []}, {"oauth2Password": []}]


def _error(description: str, **extra) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": ERROR}},
        **extra,
    }


def _rate_limited() -> dict:
    return _error(
        "Rate limit reached.",
        headers={
            "Retry-After": {
                "description": "Seconds to wait.",
                "required": True,
                "schema": {"type": "integer"},
            }
        },
    )


PAGE_PROPERTIES = {
    "page": {"type": "integer", "minimum": 1},
    "page_size": {"type": "integer", "minimum": 1},
    "total": {"type": "integer", "minimum": 0},
}


def _closed(properties: dict) -> dict:
    """An object with exactly ``properties``, all required."""
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


def _envelope(endpoint: Endpoint) -> dict:
    item = {"$ref": f"#/components/schemas/{endpoint.schema}"}
    if not endpoint.is_list:
        return _closed({"data": item, "filters": {"type": "object"}})
    return _closed(
        {
            "data": {"type": "array", "items": item, "maxItems": MAX_PAGE_SIZE},
            **PAGE_PROPERTIES,
            "filters": {"type": "object"},
        }
    )


def _operation(endpoint: Endpoint) -> dict:
    content = {"application/json": {"schema": _envelope(endpoint)}}
    description = "JSON. "
    if endpoint.is_list:
        content["text/csv"] = {"schema": {"type": "string"}}
        description += (
            "With `Accept: text/csv`: every matching row as CSV, paging ignored "
            "(analyst role or above)."
        )
    responses = {
        "200": {
            "description": description,
            "headers": RATE_HEADERS,
            "content": content,
        },
        "400": _error("A parameter is invalid; `details.param` names it."),
        "401": _error("No valid bearer token."),
        "403": _error("The caller's role does not allow this."),
        "429": _rate_limited(),
    }
    if endpoint.not_found:
        responses["404"] = _error("No such campaign in the caller's organization.")
    return {
        "operationId": endpoint.name,
        "summary": endpoint.summary,
        "parameters": [{"name": name, **PARAMETERS[name]} for name in endpoint.params],
        "responses": responses,
        "security": SECURITY,
    }


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _answer_schema(operation: Operation) -> dict:
    if not operation.is_list:
        return _closed({"data": _ref(operation.answer)})
    counts = (
        {"unread_count": {"type": "integer", "minimum": 0}}
        if operation.name == "notifications"
        else PAGE_PROPERTIES
    )
    return _closed(
        {
            "data": {"type": "array", "items": _ref(operation.answer)},
            **counts,
            "filters": {"type": "object"},
        }
    )


def _success(operation: Operation) -> dict:
    headers = dict(RATE_HEADERS)
    if operation.status == 201:
        headers["Location"] = {
            "description": "The new campaign's URL.",
            "required": True,
            "schema": {"type": "string"},
        }
    if operation.answer == "CampaignRecord":
        headers["ETag"] = {
            "description": 'The campaign\'s version, e.g. "3": send it back as If-Match.',
            "schema": {"type": "string"},
        }
    if "Idempotency-Key" in operation.params:
        headers["Idempotent-Replayed"] = {
            "description": "`true` when this is the stored answer of an earlier request "
            "with the same Idempotency-Key (nothing was written again).",
            "schema": {"type": "string", "enum": ["true"]},
        }
    success = {
        "description": {201: "Created.", 204: "Done: no content."}.get(
            operation.status, "The result."
        ),
        "headers": headers,
    }
    if operation.answer:
        success["content"] = {"application/json": {"schema": _answer_schema(operation)}}
    if operation.links:
        success["links"] = {
            target: {
                "operationId": target,
                "parameters": {"campaign_id": "$response.body#/data/campaign_id"},
                "description": f"{target} with this campaign.",
            }
            for target in operation.links
        }
    return success


def _lifecycle_operation(operation: Operation) -> dict:
    """A lifecycle operation of api/lifecycle_spec.py as an OpenAPI operation."""
    responses = {
        str(operation.status): _success(operation),
        "400": _error(
            "The input is invalid: `details.field` names the body field or header "
            "(`details.param` the query parameter)."
        ),
        "401": _error("No valid bearer token."),
        "403": _error(
            "The caller's role does not allow this"
            + (
                ", or the token is read-only (code `insufficient_scope`)."
                if operation.writes
                else ", or the token has no ingest scope (code `insufficient_scope`)."
                if operation.ingests
                else "."
            )
        ),
    }
    if operation.ingests:
        responses["400"] = _error(
            "Rows were refused and nothing was written (code `invalid_rows`): "
            "`details.errors` lists the first 100 as `{row, field, message}` (row: the "
            "index in `rows`), `details.total` counts them all. Other input errors name "
            "`details.field`."
        )
        responses["413"] = _error("The body is larger than the ingest limit (8 MiB).")
    if operation.not_found:
        responses["404"] = _error("No such campaign in the caller's organization.")
    if operation.writes:
        responses["409"] = _error(
            "Not allowed from the campaign's status, the campaign changed since the "
            "version sent, or another request decided it first."
        )
    if operation.body:
        responses["415"] = _error("The body is not application/json.")
    if "Idempotency-Key" in operation.params:
        responses["422"] = _error(
            "The Idempotency-Key was used before for a different request."
        )
    responses["429"] = _rate_limited()
    result = {
        "operationId": operation.name,
        "summary": operation.summary,
        "parameters": [
            {"name": QUERY_NAMES.get(name, name), **ALL_PARAMETERS[name]}
            for name in operation.params
        ],
        "responses": responses,
        "security": SECURITY,
    }
    if operation.body:
        result["requestBody"] = {
            "required": operation.body_required,
            "content": {"application/json": {"schema": _ref(operation.body)}},
        }
    return result


def _token_operation() -> dict:
    form = {
        "type": "object",
        "properties": {
            "grant_type": {"type": "string", "enum": ["password"]},
            "username": {"type": "string", "description": "The account's email."},
            "password": {"type": "string"},
        },
        "required": ["grant_type", "username", "password"],
    }
    return {
        "operationId": "issue_token",
        "summary": "Exchange email and password for a 15-minute access token (OAuth2 password grant)",
        "requestBody": {
            "required": True,
            "content": {"application/x-www-form-urlencoded": {"schema": form}},
        },
        "responses": {
            "200": {
                "description": "A bearer token.",
                "content": {
                    "application/json": {
                        "schema": {"$ref": "#/components/schemas/Token"}
                    }
                },
            },
            "400": _error(
                "A form field is missing or the grant type is not supported."
            ),
            "401": _error("Wrong email or password, or the account is locked."),
            "429": _error(
                "Too many attempts.",
                headers={
                    "Retry-After": {"required": True, "schema": {"type": "integer"}}
                },
            ),
        },
        "security": [],
    }


UPLOAD_TYPES = (
    "image/jpeg", "image/png", "image/webp", "image/gif", "video/mp4", "video/quicktime",
    "video/webm", "application/octet-stream",
)  # fmt: skip


def _creative_operation(name: str, method: str, summary: str, params) -> dict:
    """An operation of api/creatives_spec.py as an OpenAPI operation."""
    one = {"data": _ref("Creative")}
    answer = (
        _closed(
            {
                "data": {"type": "array", "items": _ref("Creative")},
                **PAGE_PROPERTIES,
                "filters": {"type": "object"},
            }
        )
        if name == "creatives"
        else _closed(one)
    )
    ok = {
        "description": "The result.",
        "headers": RATE_HEADERS,
        "content": {"application/json": {"schema": answer}},
    }
    responses = {"200": ok}
    if name == "upload_creative":
        ok["description"] = (
            "The same content was already in the library: that creative."
        )
        responses["201"] = {**ok, "description": "Created."}
    responses.update(
        {
            "400": _error("A parameter or the ad copy is invalid."),
            "401": _error("No valid bearer token."),
            "403": _error(
                "The caller's role does not allow this, or the token is read-only."
            ),
        }
    )
    if name == "creative":
        responses["404"] = _error("No such creative in the caller's organization.")
    if name == "upload_creative":
        responses.update(
            {
                "404": _error("No such campaign in the caller's organization."),
                "411": _error("No Content-Length."),
                "413": _error("Larger than the caps (images 30 MB) or the quota."),
                "415": _error(
                    "Not a JPEG, PNG, WebP, GIF, MP4, MOV or WebM file by content."
                ),
                "422": _error(
                    "Damaged, truncated, or beyond the pixel, frame or duration limits."
                ),
            }
        )
    responses["429"] = _rate_limited()
    operation = {
        "operationId": name,
        "summary": summary,
        "parameters": [{"name": p, **CREATIVE_PARAMETERS[p]} for p in params],
        "responses": responses,
        "security": SECURITY,
    }
    if name == "upload_creative":
        binary = {"schema": {"type": "string", "format": "binary"}}
        operation["requestBody"] = {
            "required": True,
            "content": {
                "application/json": {"schema": _ref("AdCopyInput")},
                **{media: binary for media in UPLOAD_TYPES},
            },
        }
    return operation


@functools.cache
def document() -> dict:
    """The OpenAPI 3.1 document of the API (built once per process)."""
    paths = {endpoint.path: {"get": _operation(endpoint)} for endpoint in ENDPOINTS}
    for operation in OPERATIONS:
        paths.setdefault(operation.path, {})[operation.method] = _lifecycle_operation(
            operation
        )
    for name, method, path, summary, params in CREATIVE_OPERATIONS:
        paths.setdefault(path, {})[method] = _creative_operation(
            name, method, summary, params
        )
    paths["/auth/token"] = {"post": _token_operation()}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "KIKI Analytics API",
            "version": "1.0.0",
            "description": (
                "Analytics of the caller's organization (the same numbers as the dashboard "
                "pages) and the campaign lifecycle: drafts, budget approval, notifications. "
                "Money is exact decimal text; ratios are numbers or null. Writes need an "
                "access token from /auth/token (the user's own rights) or a personal token "
                "with read and write access; POSTs take an Idempotency-Key."
            ),
        },
        "servers": [{"url": API_PREFIX}],
        "paths": paths,
        "components": {
            "schemas": copy.deepcopy(
                {**SCHEMAS, **LIFECYCLE_SCHEMAS, **CREATIVE_SCHEMAS}
            ),
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "An access token from /auth/token (reads and writes, "
                    "with the user's role), or a personal API token created at "
                    "/profile/tokens (read only, or read and write).",
                },
                "oauth2Password": {
                    "type": "oauth2",
                    "flows": {
                        "password": {
                            "tokenUrl": f"{API_PREFIX}/auth/token",
                            "scopes": {},
                        }
                    },
                },
            },
        },
    }


def openapi_json():
    """GET /api/v1/openapi.json (public)."""
    return jsonify(document())


def docs_page():
    """GET /api/v1/docs (public): every endpoint with its parameters, as plain HTML."""
    doc = document()
    operations = [
        (method.upper(), API_PREFIX + path, operation)
        for path, methods in doc["paths"].items()
        for method, operation in methods.items()
    ]
    return render_template(
        "api_docs.html",
        operations=operations,
        info=doc["info"],
        schemas=doc["components"]["schemas"],
        markdown=_markdown,
    )


def _markdown(text) -> Markup:
    """OpenAPI's descriptions are CommonMark: rendered inline (code, emphasis, links), with any
    raw HTML escaped rather than passed through (markdown-it's "js-default" preset)."""
    from markdown_it import (
        MarkdownIt,  # the docs page only: not loaded for the API's calls
    )

    if not isinstance(text, str) or not text:
        return Markup("")
    return Markup(MarkdownIt("js-default").renderInline(text))
