"""What a diff is made of: the changes to objectives, key results and KPIs, the
review flags on them (`FLAGS`), and the field comparisons all three share."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

FLAGS: dict[str, str] = {
    "eased": "a target moved towards its baseline, or a KPI's good or bad moved the lenient way",
    "raised": "a target moved away from its baseline, or a KPI's good or bad moved the strict way",
    "rebaselined": "a baseline was rewritten",
    "removed": "an objective or key result was removed after its period started",
    "added": "an objective or key result was added after its period started",
    "weight": "a key result's weight changed",
    "owner": "an objective's or a KPI's owner changed",
    "period": "an objective's period changed",
}


# fmt: on
DEFAULTS = {"weight": 1, "type": "aspirational"}  # not worth listing for a new item


Value = Any  # JSON-able: str, number, bool, list of str, or None


Score = tuple[float | None, float | None]


@dataclass(frozen=True, slots=True)
class Flag:
    """A change a reviewer of goals should look at; `accepted` when a reason explains it."""

    kind: str
    message: str
    accepted: bool


@dataclass(frozen=True, slots=True)
class Change:
    """One objective or key result that was added, removed or modified."""

    ref: str  # "objective" or "objective/key-result"
    change: str  # added | removed | modified
    title: str
    path: str  # the file it is in, or was in when removed
    loc: tuple[str | int, ...]  # where in that file, for annotations
    fields: dict[str, tuple[Value, Value]]
    score: Score
    flags: tuple[Flag, ...] = ()
    is_kpi: bool = False  # then `ref` is the KPI's id, and `score` is (None, None)

    @property
    def is_objective(self) -> bool:
        return "/" not in self.ref and not self.is_kpi

    @property
    def kind(self) -> str:
        return "kpi" if self.is_kpi else "objective" if self.is_objective else "key_result"


@dataclass(frozen=True)
class Diff:
    """Every change, each objective followed by its key results, in path order."""

    changes: tuple[Change, ...]
    as_of: dt.date
    problems: tuple[int, int]  # validation findings of the base and the head tree

    def unaccepted(self, kinds: Collection[str]) -> list[tuple[Change, Flag]]:
        """The flags of the chosen kinds that no reason explains (`--fail-on`)."""
        return [
            (change, flag)
            for change in self.changes
            for flag in change.flags
            if flag.kind in kinds and not flag.accepted
        ]


def number_shown(value: float | int) -> str:
    """A number in a flag's message: 10, not 10.0."""
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def present_fields(values: dict[str, Value]) -> dict[str, tuple[Value, Value]]:
    """The fields of a new item that say something: set, and not the default."""
    return {
        name: (None, value)
        for name, value in values.items()
        if value is not None and DEFAULTS.get(name) != value and name != "path"
    }


def removed_fields(values: dict[str, Value]) -> dict[str, tuple[Value, Value]]:
    """The fields of an item that is gone, as `present_fields` lists a new one's."""
    return {name: (value, None) for name, (_, value) in present_fields(values).items()}


def changed_fields(old: dict[str, Value], new: dict[str, Value]) -> dict[str, tuple[Value, Value]]:
    """The fields whose value differs, as (before, after)."""
    return {name: (old[name], new[name]) for name in old if old[name] != new[name]}


def reason_written(old: str | None, new: str | None) -> bool:
    """True when this change added or rewrote the item's `reason:`."""
    return bool(new and new.strip()) and new != old
