"""The JSON API at /api/v1: bearer authentication, validated parameters, one spec (OpenAPI, docs), HTTP plumbing."""

from api.routes import init_app

__all__ = ["init_app"]
