"""CSV encoding for exports: the csv module's quoting, empty cells for no value, no formula injection."""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

import pandas as pd

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


@dataclass(frozen=True)
class CsvStyle:
    """Who a CSV is for. Scripts (the default, ``MACHINE``): the column names as headers, stored
    values, no byte-order mark. People (the exports' default, built in exports/csv_style.py):
    ``header`` words each column's name, ``values`` words a column's stored values (platform,
    status), ``numbers`` rounds a column's numbers to what the screen shows (money to the cent,
    percentages as percent), and ``bom`` starts the file with a UTF-8 byte-order mark, without
    which Excel reads the file as the system's legacy code page and garbles accented names.
    Numbers are unformatted in both ('.' as the decimal point, no thousands separator); dates
    and times ISO 8601."""

    header: Callable[[str], str] = str
    values: Mapping[str, Callable[[object], str]] = field(default_factory=dict)
    numbers: Mapping[str, Callable[[object], object]] = field(default_factory=dict)
    bom: bool = False

    def cell_maker(self, column: str) -> Callable[[object], object]:
        """How this style writes a value of ``column``: worded, rounded, or as it is."""
        word, number = self.values.get(column), self.numbers.get(column)

        def make(value):
            if isinstance(value, str):
                return _cell(word(value) if word else value)
            if (
                number is not None
                and _cell(value) != ""
                and not isinstance(value, bool)
            ):
                return _cell(number(value))
            return _cell(value)

        return make

    def header_line(self, columns: list[str], line_end: str = "\r\n") -> str:
        """The first line: the BOM if any, then each column's header."""
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator=line_end).writerow(
            [_cell(self.header(c)) for c in columns]
        )
        return (BOM if self.bom else "") + buffer.getvalue()


MACHINE = CsvStyle()


def _cell(value) -> object:
    if (
        value is None
        or (isinstance(value, float) and math.isnan(value))
        or value is pd.NA
        or value is pd.NaT
    ):
        return ""
    if isinstance(value, str):
        # A spreadsheet would run "=..." as a formula: make it plain text.
        return "'" + value if value.startswith(FORMULA_PREFIXES) else value
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, float):
        return repr(value)
    if isinstance(
        value, dt.datetime
    ):  # and pandas' Timestamp: "2026-11-01T14:03:00+00:00"
        # Stored times are UTC; SQLite hands them back without their zone.
        return (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).isoformat()
    return value


def csv_chunks(
    frames: Iterable[pd.DataFrame], columns: list[str], style: CsvStyle = MACHINE
) -> Iterator[str]:
    """The header, then the rows of each frame, encoded one frame at a time (memory stays bounded)."""
    yield style.header_line(columns)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    makers = [style.cell_maker(column) for column in columns]
    for frame in frames:
        buffer.seek(0)
        buffer.truncate()
        for row in frame[columns].itertuples(index=False, name=None):
            writer.writerow([make(v) for make, v in zip(makers, row, strict=True)])
        yield buffer.getvalue()
