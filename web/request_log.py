"""Structured JSON logs, each line with the request id that every answer echoes."""

from __future__ import annotations

import json
import logging
import sys
import time
import uuid

from flask import Flask, g, request


class JsonFormatter(logging.Formatter):
    """One JSON object per line, with the request id when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
        }
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry)


class _RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            record.request_id = g.get("request_id")
        except RuntimeError:  # outside a request
            record.request_id = None
        return True


def assign_request_id() -> None:
    """before_request: the caller's X-Request-ID when it is sane, else a fresh one."""
    incoming = request.headers.get("X-Request-ID", "")
    g.request_id = (
        incoming[:64] if incoming.replace("-", "").isalnum() else uuid.uuid4().hex
    )


def echo_request_id(response):
    """after_request: every answer carries its request id."""
    response.headers["X-Request-ID"] = g.get("request_id", "")
    return response


def init_logging(app: Flask) -> None:
    """Structured JSON logs on stderr, every line carrying the request id."""
    root = logging.getLogger()
    if not any(isinstance(h.formatter, JsonFormatter) for h in root.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter())
        handler.addFilter(_RequestIdFilter())
        root.addHandler(handler)
    root.setLevel(app.config.get("LOG_LEVEL", "INFO"))
