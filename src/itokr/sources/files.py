"""A CSV or JSON export on disk: the newest row dated on or before the day."""

from __future__ import annotations

import bisect
import csv
import datetime as dt
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from itokr.sources.failure import SourceFailure, shown
from itokr.sources.numbers import number

MAX_BYTES = 64 * 2**20
_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})(?:[T ].*)?")


@dataclass(frozen=True)
class Table:
    """The rows of an export in date order (rows of one date in file order)."""

    name: str  # as itokr.yaml writes it
    columns: tuple[str, ...]
    dates: tuple[dt.date, ...]
    rows: tuple[dict[str, Any], ...]

    def value(self, column: str, day: dt.date) -> float:
        """`column` of the newest row dated on or before `day`."""
        if column not in self.columns:
            listed = ", ".join(self.columns[:12]) or "none"
            raise SourceFailure("E604", f"{self.name} has no column {column!r} (it has: {listed})")
        at = bisect.bisect_right(self.dates, day)
        if not at:
            raise SourceFailure("E605", f"{self.name} has no row dated on or before {day}")
        row = self.rows[at - 1]
        return number(row.get(column), f"{column!r} of its row of {self.dates[at - 1]}")


def load(path: Path, name: str) -> Table:
    """Read `path` (`.csv` with a `date` column, or `.json`: a list of {date, ...})."""
    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_BYTES + 1)
    except OSError as error:
        raise SourceFailure("E601", f"cannot read {name}: {error.strerror or error}") from None
    if len(data) > MAX_BYTES:
        raise SourceFailure("E604", f"{name} is larger than {MAX_BYTES // 2**20} MiB")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SourceFailure("E604", f"{name} is not UTF-8 text") from None
    if path.suffix.lower() == ".json":
        items, columns = _json_rows(text, name)
    else:
        items, columns = _csv_rows(text, name)
    dated = sorted(
        (
            (_date(item.get("date"), name, where), index, item)
            for index, (where, item) in enumerate(items)
        ),
        key=lambda row: (row[0], row[1]),
    )
    return Table(
        name,
        tuple(columns),
        tuple(day for day, _, _ in dated),
        tuple(item for _, _, item in dated),
    )


def _csv_rows(text: str, name: str) -> tuple[list[tuple[str, dict[str, Any]]], list[str]]:
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""))
        columns = [column.strip() for column in reader.fieldnames or ()]
        if "date" not in columns:
            raise SourceFailure("E604", f"{name} has no `date` column in its first line")
        reader.fieldnames = columns
        rows = [(f"line {reader.line_num}", row) for row in reader]
    except csv.Error as error:
        raise SourceFailure("E604", f"{name} is not CSV: {error}") from None
    return rows, columns


def _json_rows(text: str, name: str) -> tuple[list[tuple[str, dict[str, Any]]], list[str]]:
    try:
        document = json.loads(text)
    except ValueError:
        raise SourceFailure("E604", f"{name} is not JSON") from None
    if not isinstance(document, list) or not all(isinstance(item, dict) for item in document):
        raise SourceFailure("E604", f"{name} is not a JSON list of rows such as {{date, ...}}")
    columns = list(dict.fromkeys(key for item in document for key in item))
    return [(f"item {number + 1}", item) for number, item in enumerate(document)], columns


def _date(value: Any, name: str, where: str) -> dt.date:
    match = _DATE.fullmatch(value.strip()) if isinstance(value, str) else None
    try:
        if match:
            return dt.date.fromisoformat(match[1])
    except ValueError:
        pass
    raise SourceFailure(
        "E604", f"{name}, {where}: date {shown(str(value))} is not a date written YYYY-MM-DD"
    )
