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


def clicked():
    """What fired the callback: a button's id, or a pattern-matching button's id (a dict).

    PreventUpdate when nothing was clicked: buttons that appear with a re-drawn list or card
    fire their pattern's callback with n_clicks None, which is not a click.
    """
    from dash import ctx
    from dash.exceptions import PreventUpdate

    if not ctx.triggered or not ctx.triggered[0].get("value"):
        raise PreventUpdate
    return ctx.triggered_id


def clicked_key(key: str = "index", kind: type = int):
    """The ``key`` of the clicked pattern-matching button (``{"type": ..., key: value}``), of
    type ``kind``; PreventUpdate when nothing was clicked or the id holds no such value."""
    from dash.exceptions import PreventUpdate

    trigger = clicked()
    value = trigger.get(key) if isinstance(trigger, dict) else None
    if not isinstance(value, kind) or isinstance(value, bool):
        raise PreventUpdate
    return value
