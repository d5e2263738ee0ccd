"""Microsoft Viva Goals' explorer-view CSV (SPEC §8), as itokr objectives.

A row is an Objective, a Key result or a Deliverable; `Aligned To (weight,
Objective ID)` names its parents as `Title(weight: 40%, Id: 123)`. A key result
joins the objective it aligns to (through other key results, if need be) with
that weight; a deliverable becomes a binary key result, done at 100% progress.
`Owner` may list several people: the first owns it; `Team` becomes the area.
Periods such as `Q1 2025` become `2025-Q1`, `Annual 2025` becomes `2025`; any
other name is defined in itokr.yaml from the row's start and end dates. Check-ins
come packed in the `Checkins` cell and after it (`viva_checkins`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from itokr.periods import resolve
from itokr.transfer import cells
from itokr.transfer.cells import CellError
from itokr.transfer.drafts import DraftKR, DraftObjective, Parsed, place_period
from itokr.transfer.sheets import Table, column_key
from itokr.transfer.tabular import remap
from itokr.transfer.viva_checkins import row_checkins

LABEL = "Viva Goals explorer view"
REQUIRED = ("Id", "Title", "Object Type")
# FIELD -> the Viva column that fills it; `--map COL=FIELD` changes any of them.
COLUMNS = {
    "viva_id": "Id",
    "title": "Title",
    "area": "Team",
    "owner": "Owner",
    "period": "Period",
    "start": "Start Date",
    "end": "End Date",
    "description": "Description",
    "aligned_to": "Aligned To (weight, Objective ID)",
    "metric_name": "Metric Name",
    "unit": "Unit",
    "target": "Target",
    "object_type": "Object Type",
    "type": "Goal Type",
    "baseline": "Start",
    "progress": "Progress %",
    "status": "Status",
    "checkins": "Checkins",
}
_KINDS = {
    "objective": "objective",
    "key result": "key result",
    "keyresult": "key result",
    "kr": "key result",
    "deliverable": "deliverable",
    "initiative": "deliverable",
    "project": "deliverable",
}
_ALIGNED = re.compile(r"\(\s*weight:\s*([^,)]*?)\s*,\s*Id:\s*([^)]*?)\s*\)", re.IGNORECASE)
_QUARTER = re.compile(r"(?:Q([1-4])[\s-]*(\d{4})|(\d{4})[\s-]*Q([1-4]))", re.IGNORECASE)
_HALF = re.compile(r"(?:H([12])[\s-]*(\d{4})|(\d{4})[\s-]*H([12]))", re.IGNORECASE)
_YEAR = re.compile(r"(?:(?:Annual|Year|Calendar year|CY)[\s-]*)?(\d{4})", re.IGNORECASE)
_PERCENT = {"%", "percent", "percentage"}
_PLAIN_COUNT = {"", "number", "numeric", "#", "count"}
_DONE_STATUS = {"completed", "complete", "done", "achieved"}


@dataclass
class _Goal:
    """One row: an objective, key result or deliverable, with its cells read."""

    line: int
    viva_id: str
    kind: str
    values: dict[str, Any]
    aligned: list[tuple[str, float | None]]


def column_map(table: Table, pairs: Sequence[tuple[str, str]]) -> dict[str, int]:
    """FIELD -> column, by Viva's column names, then `--map COL=FIELD`."""
    found = {}
    for name, header in COLUMNS.items():
        column = table.column(header)
        if column is None and name == "aligned_to":  # its parenthesis varies
            column = next(
                (i for i, h in enumerate(table.header) if column_key(h).startswith("aligned to")),
                None,
            )
        if column is not None:
            found[name] = column
    return remap(table, found, pairs, COLUMNS)


def read_rows(
    parsed: Parsed,
    table: Table,
    columns: Mapping[str, int],
    named: Mapping[str, tuple[dt.date, dt.date]],
) -> None:
    """Objectives with their key results and check-ins from a Viva Goals export."""
    goals: dict[str, _Goal] = {}
    for row in table.rows:
        goal = _goal(parsed, table, row.line, row.cells, columns)
        if goal is None:
            continue
        if goal.viva_id in goals:
            parsed.problem(
                row.line,
                columns["viva_id"] + 1,
                "I105",
                f"Id {goal.viva_id} is also on line {goals[goal.viva_id].line}",
            )
            continue
        goals[goal.viva_id] = goal
    objectives: dict[str, DraftObjective] = {}
    for goal in goals.values():
        if goal.kind == "objective":
            objectives[goal.viva_id] = _objective(parsed, goal, goals, columns, named)
    for goal in goals.values():
        if goal.kind != "objective":
            _attach(parsed, goal, goals, objectives, columns)
    parsed.objectives += objectives.values()


def _goal(
    parsed: Parsed,
    table: Table,
    line: int,
    row: Sequence[Any],
    columns: Mapping[str, int],
) -> _Goal | None:
    values: dict[str, Any] = {}
    bad = False
    for name, column in columns.items():
        if name == "checkins":
            continue
        cell = row[column] if column < len(row) else None
        try:
            value = _read(name, cell, csv=table.csv)
        except CellError as error:
            head = table.header[column]
            parsed.problem(line, column + 1, error.code, f"{head}: {error.message}")
            bad = True
            continue
        if value is not None:
            values[name] = value
    if not values:
        return None
    for name in ("viva_id", "title", "object_type"):
        if name not in values and not bad:
            where = columns.get(name, 0) + 1
            parsed.problem(line, where, "I101", f"{COLUMNS[name]} is empty")
            bad = True
    kind = _KINDS.get(column_key(values.get("object_type", "")))
    if kind is None and not bad:
        parsed.problem(
            line,
            columns["object_type"] + 1,
            "I102",
            f"Object Type {values['object_type']!r} is none of Objective, Key result, Deliverable",
        )
        bad = True
    checkins = row_checkins(parsed, table, line, row, columns)
    if bad or kind is None:
        return None
    values["checkins"] = checkins
    links = _ALIGNED.finditer(values.pop("aligned_to", ""))
    aligned = [(match[2], _weight(match[1])) for match in links]
    return _Goal(line, values["viva_id"], kind, values, aligned)


def _read(name: str, cell: Any, *, csv: bool) -> Any:
    if name in ("target", "baseline", "progress"):
        return cells.number(cell)
    if name in ("start", "end"):
        return cells.date(cell, month_first=True)  # Viva Goals writes US dates
    return cells.text(cell, csv=csv, strip=True)


def _weight(text: str) -> float | None:
    try:
        return cells.number(text)
    except CellError:
        return None


def _period(
    parsed: Parsed,
    goal: _Goal,
    columns: Mapping[str, int],
    named: Mapping[str, tuple[dt.date, dt.date]],
) -> dict[str, Any]:
    name = goal.values.get("period")
    start, end = goal.values.get("start"), goal.values.get("end")
    where = (goal.line, columns.get("period", 0) + 1)
    if name is None:
        return place_period(parsed, named, where, None, start, end)
    itokr_name = _itokr_period(name)
    if itokr_name is not None and name not in named:
        known = resolve(itokr_name, {})
        if start is None or (known is not None and (known.start, known.end) == (start, end)):
            return place_period(parsed, named, where, itokr_name, start, end)
        parsed.notes.append(  # a fiscal quarter: its own dates, under Viva's name
            f"line {goal.line}: period {name!r} runs {start}..{end}, not as {itokr_name}: "
            f"defined as {name!r}"
        )
    return place_period(parsed, named, where, name, start, end)


def _itokr_period(name: str) -> str | None:
    """`Q1 2025` -> `2025-Q1`, `H2 2025` -> `2025-H2`, `Annual 2025` -> `2025`."""
    if match := _QUARTER.fullmatch(name.strip()):
        year, number = (match[2], match[1]) if match[1] else (match[3], match[4])
        return f"{year}-Q{number}"
    if match := _HALF.fullmatch(name.strip()):
        year, number = (match[2], match[1]) if match[1] else (match[3], match[4])
        return f"{year}-H{number}"
    if match := _YEAR.fullmatch(name.strip()):
        return match[1]
    return None


def _objective(
    parsed: Parsed,
    goal: _Goal,
    goals: Mapping[str, _Goal],
    columns: Mapping[str, int],
    named: Mapping[str, tuple[dt.date, dt.date]],
) -> DraftObjective:
    values = goal.values
    data: dict[str, Any] = {"title": values["title"]}
    if "description" in values:
        data["description"] = values["description"]
    if "committed" in values.get("type", "").lower():
        data["type"] = "committed"
    if "owner" in values:
        data["owner"] = _first_owner(values["owner"])
    if "area" in values:
        data["area"] = values["area"]
    data |= _period(parsed, goal, columns, named)
    draft = DraftObjective(
        goal.line, goal.viva_id, data, f"line {goal.line}, Viva Goals Id {goal.viva_id}"
    )
    for parent, _ in goal.aligned:
        if parent in goals and goals[parent].kind == "objective":
            draft.parents.append(parent)
        else:
            parsed.notes.append(
                f"line {goal.line}: aligned to Viva Goals Id {parent}, which is no objective "
                "of this export: that alignment is left out"
            )
    if goal.values["checkins"]:
        parsed.notes.append(
            f"line {goal.line}: the objective's own check-ins are left out (itokr scores an "
            "objective from its key results)"
        )
    return draft


def _first_owner(owners: str) -> str:
    return re.split(r"[;,\n]", owners)[0].strip() or owners.strip()


def _attach(
    parsed: Parsed,
    goal: _Goal,
    goals: Mapping[str, _Goal],
    objectives: Mapping[str, DraftObjective],
    columns: Mapping[str, int],
) -> None:
    """Add a key result or deliverable to the objective it aligns to, directly or
    through other key results."""
    parent, seen, share = goal, {goal.viva_id}, 1.0
    while parent.kind != "objective":
        link = next(((i, w) for i, w in parent.aligned if i in goals and i not in seen), None)
        if link is None:
            parsed.problem(
                goal.line,
                columns.get("aligned_to", 0) + 1,
                "I106",
                f"{goal.kind} {goal.values['title']!r} aligns to no objective of this export",
            )
            return
        share = share * (link[1] if link[1] is not None else 100) / 100
        parent = goals[link[0]]
        seen.add(parent.viva_id)
    draft = objectives[parent.viva_id]
    if len(seen) > 2:  # through a key result: weighed by the shares along the way
        parsed.notes.append(
            f"line {goal.line}: {goal.values['title']!r} aligns to a key result: it becomes a "
            f"key result of {draft.data['title']!r}, weight {share * 100:g}"
        )
    data: dict[str, Any] = {"title": goal.values["title"]}
    if share > 0 and any(w is not None for _, w in goal.aligned):
        data["weight"] = round(share * 100, 6)
    if goal.kind == "deliverable":
        data["done"] = _delivered(goal)
        if goal.values["checkins"]:
            parsed.notes.append(
                f"line {goal.line}: deliverable {goal.values['title']!r} becomes a binary key "
                "result; its check-ins are left out"
            )
        draft.key_results.append(DraftKR(goal.line, data))
        return
    data |= {
        "unit": _unit(goal.values),
        "baseline": goal.values.get("baseline"),
        "target": goal.values.get("target"),
    }
    if not goal.values["checkins"] and goal.values.get("progress"):
        parsed.notes.append(
            f"line {goal.line}: {goal.values['title']!r} shows {goal.values['progress']:g}% "
            "progress but no check-in with a value: it starts with no data"
        )
    draft.key_results.append(DraftKR(goal.line, data, list(goal.values["checkins"])))


def _delivered(goal: _Goal) -> bool:
    values = goal.values
    latest = max(values["checkins"], key=lambda c: c[1]["date"])[1] if values["checkins"] else None
    return (
        (values.get("progress") or 0) >= 100
        or column_key(values.get("status", "")) in _DONE_STATUS
        or (latest is not None and latest["value"] >= 100)
    )


def _unit(values: Mapping[str, Any]) -> str | None:
    """`%` for a percentage; the metric's name for a plain count (`incidents`)."""
    unit = values.get("unit")
    written = column_key(unit or "")
    if written in _PERCENT:
        return "%"
    if written in _PLAIN_COUNT:
        return values.get("metric_name") or unit
    return unit
