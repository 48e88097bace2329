"""Callback inputs checked at the boundary: what a component can really send, or InvalidFilter.

Dash hands a callback whatever JSON the request carried, so a page number may arrive as a
string and a sort spec as a dict. The thin callbacks parse with these (and data/filters.py) and
answer a wrong shape with their page's own error message, like any other invalid filter.
"""

from __future__ import annotations

import math

from data.filters import InvalidFilter

MAX_PAGE_INDEX = (
    1_000_000  # far beyond any list a page shows, far below an SQL overflow
)


def page_index(value, param: str = "page") -> int:
    """A zero-based page index (DataTable ``page_current``); None is the first page."""
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidFilter(param, f"{param}: expected a page number.")
    if math.isnan(value) or not 0 <= value <= MAX_PAGE_INDEX or value != int(value):
        raise InvalidFilter(param, f"{param}: no such page.")
    return int(value)


def sort_spec(value, default: str) -> tuple[str, bool]:
    """(column, descending) from a DataTable ``sort_by``: a list of {column_id, direction}."""
    if value is None or value == []:
        return default, True
    first = value[0] if isinstance(value, list) else None
    column = first.get("column_id") if isinstance(first, dict) else None
    direction = first.get("direction", "desc") if isinstance(first, dict) else None
    if not isinstance(column, str) or direction not in ("asc", "desc"):
        raise InvalidFilter("sort", "sort: expected a column and a direction.")
    return column, direction == "desc"


def count(value) -> int:
    """A button's ``n_clicks`` or a store's version counter: a count, or 0 for anything else."""
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def text(value, param: str) -> str | None:
    """A text field's value: text or nothing."""
    if value is None or isinstance(value, str):
        return value
    raise InvalidFilter(param, f"{param}: expected text.")
