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


MAX_ROW_ID = 2**63 - 1  # the largest id any backend stores (BIGINT, SQLite INTEGER)


def row_id(value, message: str) -> int:
    """An id from a URL, a form or a JSON body: a positive integer a database can hold.

    Anything else (text, a bool, a float, a number past BIGINT) is a NotFound with ``message``:
    no such row can exist.
    """
    if isinstance(value, bool):
        raise NotFound(message)
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        raise NotFound(message) from None
    if isinstance(value, float) or not 0 < number <= MAX_ROW_ID:
        raise NotFound(message)
    return number
