"""The data layer's one error family: a refused request, by kind, with a message for a person."""

from __future__ import annotations


class DataError(Exception):
    """A data function refused the request; ``str(error)`` is a message for the person asking.

    Mapped once to a page message (components/data_errors.py: data_error_message) and once to
    an HTTP status (api/http.py: data_error_response). A DataError is never a server failure.
    """


class NotFound(DataError):
    """The thing asked for does not exist in the caller's organization (HTTP 404)."""


class Conflict(DataError):
    """The change collides with the stored state, e.g. a unique key or a race (HTTP 409)."""


# ValueError too: callers written before the family caught ValueError for bad input.
class Invalid(DataError, ValueError):
    """The input is not acceptable; the message says how to fix it (HTTP 400)."""


class Forbidden(DataError):
    """The caller's role or organization does not allow this (HTTP 403)."""
