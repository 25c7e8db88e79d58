"""The one way the app serves a CSV file: every cell that a spreadsheet would read as a formula is
written as text."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from flask import Response

# What a spreadsheet takes for the start of a formula: = + - @, a tab or a carriage return, and
# their full-width forms (some spreadsheets fold those).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def spreadsheet_safe(cell):
    """A cell that a spreadsheet shows as text, never runs as a formula ("=HYPERLINK(..."):
    prefixed with an apostrophe. Numbers stay numbers."""
    if isinstance(cell, str) and cell.lstrip(" ").startswith(FORMULA_START):
        return "'" + cell
    return cell


def csv_response(name: str, head: list[str], rows: Iterable[Iterable]) -> Response:
    """``rows`` under ``head`` as a CSV download called ``name``.csv."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([spreadsheet_safe(cell) for cell in head])
    for row in rows:
        writer.writerow([spreadsheet_safe(cell) for cell in row])
    response = Response(out.getvalue(), mimetype="text/csv")
    response.charset = "utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response
