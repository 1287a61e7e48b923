"""CSV cells a spreadsheet shows as text, never runs as a formula (and reads back as written)."""

from __future__ import annotations

from typing import Any

# A spreadsheet runs a cell that starts with one of these as a formula.
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: str) -> str:
    """A cell a spreadsheet shows as text: a leading ' before formula characters (and ')."""
    return "'" + value if value.startswith((*_FORMULA, "'")) else value


def from_csv_cell(value: str) -> str:
    """The text of a cell written by csv_cell."""
    return value[1:] if value.startswith("'") else value


def csv_row(row: dict[str, Any]) -> dict[str, Any]:
    """The row with every text cell escaped by csv_cell (numbers and booleans as they are)."""
    return {
        name: csv_cell(value) if isinstance(value, str) else value for name, value in row.items()
    }
