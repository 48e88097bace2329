"""The date-preset callback every page with a period control registers (not a page itself)."""

from __future__ import annotations

import dash
from dash import Input, Output, callback, ctx

from data.clock import today
from data.filters import resolve_preset_change


def register_preset_callback(prefix: str, clock=today) -> None:
    """A preset sets ``<prefix>-dates``; editing the dates selects the matching preset. Rolling
    presets end on ``clock()`` (the dashboards' today; the audit log's is the real UTC day)."""
    preset_id, dates_id = f"{prefix}-preset", f"{prefix}-dates"

    @callback(
        Output(dates_id, "start_date"),
        Output(dates_id, "end_date"),
        Output(preset_id, "value"),
        Input(preset_id, "value"),
        Input(dates_id, "start_date"),
        Input(dates_id, "end_date"),
        prevent_initial_call=True,
    )
    def apply_preset(preset, start, end):
        changed = ctx.triggered_id == preset_id
        values = resolve_preset_change(preset, start, end, changed, clock())
        return tuple(dash.no_update if v is None else v for v in values)
