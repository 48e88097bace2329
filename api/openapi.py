"""The OpenAPI 3.1 document and the server-rendered docs page, both built from api_spec."""

from __future__ import annotations

import copy
import functools

from flask import jsonify, render_template

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


def _envelope(endpoint: Endpoint) -> dict:
    item = {"$ref": f"#/components/schemas/{endpoint.schema}"}
    if not endpoint.is_list:
        properties = {"data": item, "filters": {"type": "object"}}
    else:
        properties = {
            "data": {"type": "array", "items": item, "maxItems": MAX_PAGE_SIZE},
            "page": {"type": "integer", "minimum": 1},
            "page_size": {"type": "integer", "minimum": 1},
            "total": {"type": "integer", "minimum": 0},
            "filters": {"type": "object"},
        }
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


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
        "429": _error(
            "Rate limit reached.",
            headers={
                "Retry-After": {
                    "description": "Seconds to wait.",
                    "required": True,
                    "schema": {"type": "integer"},
                }
            },
        ),
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


@functools.cache
def document() -> dict:
    """The OpenAPI 3.1 document of the API (built once per process)."""
    paths = {endpoint.path: {"get": _operation(endpoint)} for endpoint in ENDPOINTS}
    paths["/auth/token"] = {"post": _token_operation()}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "KIKI Analytics API",
            "version": "1.0.0",
            "description": (
                "Read-only analytics of the caller's organization: the same numbers as the "
                "dashboard pages. Money is exact decimal text; ratios are numbers or null."
            ),
        },
        "servers": [{"url": API_PREFIX}],
        "paths": paths,
        "components": {
            "schemas": copy.deepcopy(SCHEMAS),
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "An access token from /auth/token, or a personal API "
                    "token created at /profile/tokens.",
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
    return render_template("api_docs.html", operations=operations, info=doc["info"])
