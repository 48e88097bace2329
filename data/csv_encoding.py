"""CSV encoding for exports: the csv module's quoting, empty cells for no value, no formula injection."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Iterator
from decimal import Decimal

import pandas as pd

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> object:
    if (
        value is None
        or (isinstance(value, float) and math.isnan(value))
        or value is pd.NA
    ):
        return ""
    if isinstance(value, str):
        # A spreadsheet would run "=..." as a formula: make it plain text.
        return "'" + value if value.startswith(FORMULA_PREFIXES) else value
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, float):
        return repr(value)
    return value


def csv_chunks(frames: Iterable[pd.DataFrame], columns: list[str]) -> Iterator[str]:
    """The header, then the rows of each frame, encoded one frame at a time (memory stays bounded)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    yield buffer.getvalue()
    for frame in frames:
        buffer.seek(0)
        buffer.truncate()
        for row in frame[columns].itertuples(index=False, name=None):
            writer.writerow([_cell(v) for v in row])
        yield buffer.getvalue()
