"""Who an export's CSV is for: people by default (headers and values in words, numbers rounded
as the screen shows them, a byte-order mark), scripts with ``?names=machine`` (column names and stored values, as the API gives them)."""

from __future__ import annotations

from flask import request

from components.format import CSV_NUMBERS
from components.labels import VALUE_LABELS, csv_header
from data.csv_encoding import MACHINE, CsvStyle
from data.filters import InvalidFilter

PEOPLE = CsvStyle(header=csv_header, values=VALUE_LABELS, numbers=CSV_NUMBERS, bom=True)
STYLES = {"people": PEOPLE, "machine": MACHINE}
MAX_NAMES = 20


def csv_style() -> CsvStyle:
    """The style ``?names=`` asks for: "people" (the default) or "machine"; InvalidFilter else."""
    chosen = request.args.get("names", "people")
    if len(chosen) > MAX_NAMES or chosen not in STYLES:
        raise InvalidFilter("names", "names: people or machine.")
    return STYLES[chosen]
