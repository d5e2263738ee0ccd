"""Imported objectives as drafts: what a source reader (`tabular`, `viva`) makes of
a file's rows. A `DraftObjective` holds file keys and the lines they came from;
`Parsed` adds findings for the rows it could not read. `newfiles.plan` turns them
into the files `itokr import` writes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from itokr.findings import Finding
from itokr.periods import resolve

# Finding codes of `itokr import`: the rows of a spreadsheet it cannot map.
CODES: dict[str, str] = {
    "I101": "a cell the objective or key result needs is empty (a title, a metric's baseline)",
    "I102": "a cell that is not what its column holds (a number, a date, true/false, "
    "one of the allowed words, a milestone line), or holds a control character",
    "I103": "a cell holding a spreadsheet formula rather than a value",
    "I104": "a cell longer than a spreadsheet cell can be (32,767 characters)",
    "I105": "rows of one objective or key result that disagree, or a period whose dates "
    "disagree with its name",
    "I106": "a row that belongs to nothing: a key result aligned to no objective of the file, "
    "a check-in of no key result or KPI, `aligns_to` naming no objective, a `kpi` link to "
    "a KPI neither imported nor in the root",
    "I107": "a period that is not YYYY-Qn, YYYY-Hn or YYYY, not defined in itokr.yaml, "
    "and has no start and end dates",
    "I108": "an objective without key results",
    "I201": "an objective already in the root (the same title and period)",
    "I202": "a KPI whose id the root already has (a KPI's or an objective's)",
}


@dataclass
class DraftKR:
    """A key result as read: file keys (a value `None` is left out) and check-ins."""

    line: int
    data: dict[str, Any]
    checkins: list[tuple[int, dict[str, Any]]] = field(default_factory=list)


@dataclass
class DraftKpi(DraftKR):
    """A KPI as read: file keys, and its readings (check-ins whose ref is its id)."""


@dataclass
class DraftObjective:
    """An objective as read. `source_id` is how rows refer to it (its id, title or the
    other tool's id); `parents` are such references, or ids of the root."""

    line: int
    source_id: str
    data: dict[str, Any]
    origin: str  # the comment above it in the new file
    parents: list[str] = field(default_factory=list)
    key_results: list[DraftKR] = field(default_factory=list)

    @property
    def lines(self) -> list[int]:
        """The lines it was read from: its own, its key results', their check-ins'."""
        return [self.line] + [
            line for kr in self.key_results for line in (kr.line, *(c for c, _ in kr.checkins))
        ]


@dataclass
class Parsed:
    """What a source reader made of a file."""

    source: str  # the file, as findings name it
    label: str  # what it is: "itokr export", "Viva Goals explorer view"
    objectives: list[DraftObjective] = field(default_factory=list)
    kpis: list[DraftKpi] = field(default_factory=list)
    kpi_source: str = ""  # the KPIs' sheet or file, as findings name it
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what was left out, and why
    periods: dict[str, tuple[dt.date, dt.date]] = field(default_factory=dict)  # to define

    def problem(
        self, line: int, col: int, code: str, message: str, *, source: str | None = None
    ) -> None:
        self.findings.append(Finding(source or self.source, line, col, code, message))


def place_period(
    parsed: Parsed,
    named: Mapping[str, tuple[dt.date, dt.date]],
    where: tuple[int, int],
    name: str | None,
    start: dt.date | None,
    end: dt.date | None,
) -> dict[str, Any]:
    """The period keys of an objective: a name itokr knows (a quarter, half or year, or
    one in itokr.yaml), a name to define in itokr.yaml from the row's dates, or explicit
    `start`/`end`. Dates that contradict a known name are a finding."""
    line, col = where
    if (start is None) != (end is None):
        parsed.problem(line, col, "I101", "a period needs both a start and an end date")
        return {}
    if start is not None and end is not None and end < start:
        parsed.problem(line, col, "I102", f"the period ends ({end}) before it starts ({start})")
        return {}
    if name is None:
        return {} if start is None else {"start": start, "end": end}
    known = resolve(name, {**named, **parsed.periods})
    if known is not None:
        if start is not None and (known.start, known.end) != (start, end):
            where_defined = "is defined in itokr.yaml as" if name in named else "runs"
            parsed.problem(
                line,
                col,
                "I105",
                f"period {name} {where_defined} {known.start}..{known.end}, but this row "
                f"says {start}..{end}",
            )
        return {"period": name}
    if start is None or end is None:
        parsed.problem(
            line,
            col,
            "I107",
            f"period {name!r} is not YYYY-Qn, YYYY-Hn or YYYY and not defined in itokr.yaml: "
            "give its start and end dates, or define it under `periods:` first",
        )
        return {}
    parsed.periods[name] = (start, end)
    return {"period": name}
