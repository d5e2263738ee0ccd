"""The CSV file of `itokr checkin --batch`: one check-in per row.

Header `ref,value,date,confidence,note` and optionally `by` (columns in any order;
`ref` and `value` required, the others optional): `itokr export --checkins` writes
such a file, its text cells guarded against spreadsheets, which is undone here. An
empty cell is an absent value: an empty date is `--as-of`, an empty value on a
milestone or binary key result a status update.
What each row means is checked against the root by the caller (`itokr.checkin`);
here, only that the file is such a CSV (`UsageError`, exit 2, when it is not).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from itokr.errors import UsageError

COLUMNS = ("ref", "value", "date", "confidence", "note", "by")
_REQUIRED = ("ref", "value")


@dataclass(frozen=True, slots=True)
class Row:
    """One row, its cells stripped of surrounding blanks; an empty cell is None."""

    line: int  # where the row starts in the file, 1-based
    ref: str
    value: str | None
    date: str | None
    confidence: str | None
    note: str | None
    by: str | None = None


@dataclass(frozen=True, slots=True)
class BadRow:
    """A row that is no check-in at all (a cell too many or too few)."""

    line: int
    message: str


def _text(data: bytes, name: str) -> str:
    if b"\x00" in data:
        raise UsageError(f"{name}: a binary file, not CSV text: give a CSV file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UsageError(
            f"{name}: not UTF-8 text (byte {error.start + 1}): save it as CSV UTF-8"
        ) from None


def _header(cells: list[str], name: str, line: int) -> dict[str, int]:
    names = [cell.strip().lower() for cell in cells]
    unknown = [cell for cell in names if cell not in COLUMNS]
    twice = sorted({cell for cell in names if names.count(cell) > 1})
    missing = [column for column in _REQUIRED if column not in names]
    if unknown or twice or missing:
        said = []
        said += [f"unknown column {', '.join(map(repr, unknown))}"] if unknown else []
        said += [f"column {', '.join(map(repr, twice))} twice"] if twice else []
        said += [f"no {' or '.join(map(repr, missing))} column"] if missing else []
        raise UsageError(
            f"{name}:{line}: {'; '.join(said)}: the first line must be the header "
            f"{','.join(COLUMNS)} (date, confidence, note and by may be left out)"
        )
    return {column: names.index(column) for column in names}


def read_rows(data: bytes, name: str) -> tuple[list[Row], list[BadRow]]:
    """The rows of a batch file, and those with the wrong number of cells."""
    text = _text(data, name)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[Row] = []
    bad: list[BadRow] = []
    columns: dict[str, int] | None = None
    line = 1
    try:
        for cells in reader:
            start, line = line, reader.line_num + 1
            if not any(cell.strip() for cell in cells):
                continue  # a blank line
            if columns is None:
                columns = _header(cells, name, start)
                continue
            if len(cells) != len(columns):
                bad.append(BadRow(start, f"{len(cells)} cells where the header has {len(columns)}"))
                continue
            rows.append(_row(cells, columns, start))
    except csv.Error as error:
        raise UsageError(f"{name}:{reader.line_num}: not CSV: {error}") from None
    if columns is None:
        raise UsageError(
            f"{name}: empty: write the header {','.join(COLUMNS)}, then a row per check-in"
        )
    return rows, bad


def _row(cells: list[str], columns: dict[str, int], line: int) -> Row:
    from itokr.transfer.cells import unguard

    def cell(column: str) -> str | None:
        return cells[columns[column]].strip() or None if column in columns else None

    def text(column: str) -> str | None:  # a `'=…` export wrote is `=…` again
        found = cell(column)
        return None if found is None else unguard(found)

    return Row(
        line,
        cell("ref") or "",
        cell("value"),
        cell("date"),
        cell("confidence"),
        text("note"),
        text("by"),
    )
