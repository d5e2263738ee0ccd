"""Viva Goals' check-ins: packed into the `Checkins` cell and the cells after it,
each as `Checkin Date: …; User: …; Note: …; Status: …; Current Value: 25%;` with
its keys in any order."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from itokr.transfer import cells
from itokr.transfer.cells import CellError
from itokr.transfer.drafts import Parsed
from itokr.transfer.sheets import Table, column_key

_CHECKIN_KEYS = {
    "checkin date": "date",
    "check-in date": "date",
    "date": "date",
    "current value": "value",
    "value": "value",
    "note": "note",
    "comment": "note",
    "user": "",  # kept out until check-ins say who made them
    "status": "",
    "progress": "",
}


def row_checkins(
    parsed: Parsed, table: Table, line: int, row: Sequence[Any], columns: Mapping[str, int]
) -> list[tuple[int, dict[str, Any]]]:
    """The check-ins packed in the Checkins cell and every cell after it."""
    first = columns.get("checkins")
    if first is None:
        return []
    found = []
    for column in range(first, len(row)):
        try:
            text = cells.text(row[column], csv=table.csv, strip=True)
        except CellError as error:
            parsed.problem(line, column + 1, error.code, f"check-ins: {error.message}")
            continue
        try:
            read = [_checkin(packed) for packed in packed_checkins(text or "")]
        except CellError as error:
            parsed.problem(line, column + 1, error.code, f"check-in: {error.message}")
            continue
        found += [(line, checkin) for checkin in read if checkin is not None]
        if None in read:
            count = read.count(None)
            parsed.notes.append(
                f"line {line}: "
                + ("a check-in" if count == 1 else f"{count} check-ins")
                + " without a Current Value (a status update) left out"
            )
    return found


def packed_checkins(text: str) -> list[dict[str, str]]:
    """`Key: value;` pairs, a new check-in each time a key comes again. Text without
    a known key belongs to the value before it (a `;` inside a note)."""
    entries: list[dict[str, str]] = []
    current: dict[str, str] = {}
    last = None
    for part in re.split(r"[;\n]", text):
        if not part.strip():
            continue
        key, colon, value = part.partition(":")
        name = column_key(key)
        if colon and name in _CHECKIN_KEYS:
            slot = _CHECKIN_KEYS[name] or name  # `Checkin Date` and `Date` fill one slot
            if slot in current:
                entries.append(current)
                current = {}
            current[slot] = value.strip()
            last = slot
        elif last is not None:
            current[last] += ";" + part
        else:
            raise CellError("I102", f"{part.strip()[:40]!r} is not `Checkin Date: …;` text")
    if current:
        entries.append(current)
    return entries


def _checkin(packed: Mapping[str, str]) -> dict[str, Any] | None:
    """A check-in from one packed entry; None for a status update without a value."""
    value = cells.number(packed.get("value"))
    if value is None:
        return None
    day = cells.date(packed.get("date"), month_first=True)
    if day is None:
        raise CellError("I101", f"a check-in of {value} has no Checkin Date")
    checkin: dict[str, Any] = {"date": day, "value": value}
    if packed.get("note"):
        checkin["note"] = packed["note"]
    return checkin
