"""What a change does to the goals: two loaded trees compared by meaning.

Pure: the trees come from `gitio` (or anywhere), today is `as_of`. Objectives
are matched by id wherever their file is, so a renamed file is a move, and key
results by id inside their objective. On top of the raw field changes sit the
review flags a reviewer of goals cares about (see `FLAGS`); a flag is accepted
when the item it is about carries a `reason:` that this change wrote.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from typing import Any

from itokr.asof import known_on, kpi_known_on
from itokr.crosscheck import Entry
from itokr.kpis import KpiEntry, band, lower_is_better
from itokr.loader import Tree
from itokr.model import AnyKeyResult, Milestone
from itokr.periods import Period
from itokr.scoring import ObjectiveScore, newest_confidence, score_objective

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
# fmt: off
_KR_FIELDS = (
    "kind", "title", "unit", "direction", "baseline", "target", "weight", "due", "reason",
    "current", "confidence", "checkins", "milestones", "done", "source",
)
# fmt: on
_DEFAULTS = {"weight": 1, "type": "aspirational"}  # not worth listing for a new item

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


def compare(base: Tree, head: Tree, as_of: dt.date) -> Diff:
    """The changes from `base` to `head` as known on `as_of` (check-ins dated later
    count for no field and no score), scored at `as_of`."""
    old, new = _by_id(base, as_of), _by_id(head, as_of)
    groups: list[tuple[tuple[str, int], list[Change]]] = []
    for key, entry in new.items():
        before = old.get(key)
        if before is not None and _same(before, entry):
            continue  # most objectives: nothing to score twice
        head_score = score_objective(entry, head.config, as_of)
        if before is None:
            groups.append(((entry.path, entry.index), [_added(entry, head_score, as_of)]))
        else:
            base_score = score_objective(before, base.config, as_of)
            changes = _modified(before, entry, base_score, head_score, as_of)
            if changes:
                groups.append(((entry.path, entry.index), changes))
    for key, entry in old.items():
        if key not in new:
            base_score = score_objective(entry, base.config, as_of)
            groups.append(((entry.path, entry.index), [_removed(entry, base_score, as_of)]))
    groups.sort(key=lambda group: group[0])
    return Diff(
        changes=(
            *(change for _, changes in groups for change in changes),
            *kpi_changes(base, head, as_of),
        ),
        as_of=as_of,
        problems=(len(base.findings), len(head.findings)),
    )


def _same(before: Entry, after: Entry) -> bool:
    def identity(entry: Entry) -> tuple[object, ...]:
        return (entry.objective, entry.path, entry.owner, entry.area, entry.period)

    return identity(before) == identity(after)


def _by_id(tree: Tree, as_of: dt.date) -> dict[str, Entry]:
    found: dict[str, Entry] = {}
    for entry in tree.entries:
        if entry.id not in found:  # a duplicate id is validate's business
            found[entry.id] = known_on(entry, as_of)
    return found


def _number(value: float | int) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def _period_value(period: Period | None) -> str | None:
    return None if period is None else period.label


def objective_values(entry: Entry) -> dict[str, Value]:
    """The fields of an objective as a reviewer reads them, its file's defaults applied."""
    objective = entry.objective
    return {
        "title": objective.title,
        "description": objective.description,
        "reason": objective.reason,
        "type": objective.type,
        "owner": entry.owner,
        "area": entry.area,
        "period": _period_value(entry.period),
        "aligns_to": list(objective.aligns_to) or None,
        "path": entry.path,
    }


def key_result_values(key_result: AnyKeyResult) -> dict[str, Value]:
    """The fields of a key result; check-ins are summed up as their count, the newest
    value (`current`) and the newest stated confidence."""
    values: dict[str, Value] = {name: getattr(key_result, name, None) for name in _KR_FIELDS}
    values["due"] = key_result.due.isoformat() if key_result.due else None
    checkins = getattr(key_result, "checkins", None) or []
    values["current"] = getattr(key_result, "value", None)
    stated = newest_confidence(checkins)
    values["confidence"] = stated.confidence if stated else None
    values["checkins"] = len(checkins) or None
    milestones = getattr(key_result, "milestones", None)
    values["milestones"] = [_milestone(m) for m in milestones] if milestones else None
    source = getattr(key_result, "source", None)
    values["source"] = source.summary if source is not None else None  # where measure reads it
    return values


def _milestone(milestone: Milestone) -> str:
    weight = f" (weight {_number(milestone.weight)})" if milestone.weight != 1 else ""
    return f"[{'x' if milestone.done else ' '}] {milestone.title}{weight}"


def _present(values: dict[str, Value]) -> dict[str, tuple[Value, Value]]:
    return {
        name: (None, value)
        for name, value in values.items()
        if value is not None and _DEFAULTS.get(name) != value and name != "path"
    }


def _changed(old: dict[str, Value], new: dict[str, Value]) -> dict[str, tuple[Value, Value]]:
    return {name: (old[name], new[name]) for name in old if old[name] != new[name]}


def _reason_written(old: str | None, new: str | None) -> bool:
    """True when this change added or rewrote the item's `reason:`."""
    return bool(new and new.strip()) and new != old


def _timing(kind: str, period: Period | None, as_of: dt.date, accepted: bool) -> tuple[Flag, ...]:
    """The `added`/`removed` flag, when the period had started by `as_of`."""
    if period is None or period.start > as_of:
        return ()
    message = f"{kind} after its period {period.label} started on {period.start.isoformat()}"
    return (Flag(kind, message, accepted),)


def _round(value: float) -> float:
    return round(value, 2)


def _added(entry: Entry, score: ObjectiveScore, as_of: dt.date) -> Change:
    fields = _present(objective_values(entry))
    fields["key_results"] = (None, [kr.id for kr in entry.objective.key_results])
    accepted = _reason_written(None, entry.objective.reason)
    return Change(
        entry.id,
        "added",
        entry.objective.title,
        entry.path,
        ("objectives", entry.index),
        fields,
        (None, _round(score.score)),
        _timing("added", entry.period, as_of, accepted),
    )


def _removed(entry: Entry, score: ObjectiveScore, as_of: dt.date) -> Change:
    fields = {name: (value, None) for name, (_, value) in _present(objective_values(entry)).items()}
    fields["key_results"] = ([kr.id for kr in entry.objective.key_results], None)
    return Change(
        entry.id,
        "removed",
        entry.objective.title,
        entry.path,
        ("objectives", entry.index),
        fields,
        (_round(score.score), None),
        # a deleted objective has nowhere to carry a reason: only a reviewer can accept it
        _timing("removed", entry.period, as_of, False),
    )


def _modified(
    before: Entry, after: Entry, base: ObjectiveScore, head: ObjectiveScore, as_of: dt.date
) -> list[Change]:
    fields = _changed(objective_values(before), objective_values(after))
    explained = _reason_written(before.objective.reason, after.objective.reason)
    flags = []
    if "owner" in fields:
        old, new = fields["owner"]
        flags.append(Flag("owner", f"owner changed: {old or 'none'} → {new or 'none'}", explained))
    if "period" in fields:
        old, new = fields["period"]
        flags.append(
            Flag("period", f"period changed: {old or 'none'} → {new or 'none'}", explained)
        )
    elif before.period and after.period and before.period != after.period:
        # the same name, its dates redefined in itokr.yaml
        fields["period"] = (_span(before.period), _span(after.period))
        flags.append(Flag("period", "period dates changed", explained))
    children = list(_key_result_changes(before, after, base, head, as_of, explained))
    if not fields and not children:
        return []
    objective = Change(
        after.id,
        "modified",
        after.objective.title,
        after.path,
        ("objectives", after.index),
        fields,
        (_round(base.score), _round(head.score)),
        tuple(flags),
    )
    return [objective, *children]


def _span(period: Period) -> str:
    return f"{period.label} ({period.start.isoformat()}..{period.end.isoformat()})"


def _key_result_changes(
    before: Entry,
    after: Entry,
    base: ObjectiveScore,
    head: ObjectiveScore,
    as_of: dt.date,
    objective_explained: bool,
) -> Iterator[Change]:
    old = {kr.id: (index, kr) for index, kr in enumerate(before.objective.key_results)}
    old_scores = {result.key_result.id: result.score for result in base.key_results}
    new_scores = {result.key_result.id: result.score for result in head.key_results}
    for index, kr in enumerate(after.objective.key_results):
        ref, loc = f"{after.id}/{kr.id}", ("objectives", after.index, "key_results", index)
        score_after = _round(new_scores[kr.id])
        if kr.id not in old:
            flags = _timing("added", after.period, as_of, _reason_written(None, kr.reason))
            yield Change(
                ref,
                "added",
                kr.title,
                after.path,
                loc,
                _present(key_result_values(kr)),
                (None, score_after),
                flags,
            )
            continue
        previous = old[kr.id][1]
        fields = _changed(key_result_values(previous), key_result_values(kr))
        if fields:
            explained = _reason_written(previous.reason, kr.reason)
            yield Change(
                ref,
                "modified",
                kr.title,
                after.path,
                loc,
                fields,
                (_round(old_scores[kr.id]), score_after),
                tuple(_key_result_flags(previous, kr, fields, explained)),
            )
    kept = {kr.id for kr in after.objective.key_results}
    for kr_id, (index, previous) in old.items():
        if kr_id in kept:
            continue
        # the key result is gone: its objective's reason is where the explanation lives
        flags = _timing("removed", before.period, as_of, objective_explained)
        fields = {
            name: (value, None)
            for name, (_, value) in _present(key_result_values(previous)).items()
        }
        yield Change(
            f"{after.id}/{kr_id}",
            "removed",
            previous.title,
            before.path,
            ("objectives", before.index, "key_results", index),
            fields,
            (_round(old_scores[kr_id]), None),
            flags,
        )


def _key_result_flags(
    old: AnyKeyResult, new: AnyKeyResult, fields: dict[str, tuple[Value, Value]], explained: bool
) -> Iterator[Flag]:
    if "target" in fields and old.kind == new.kind:
        sign = _improving(old) or _improving(new)
        before, after = fields["target"]
        if sign and before is not None and after is not None:
            kind = "eased" if (after - before) * sign < 0 else "raised"
            baseline = getattr(new, "baseline", None)
            towards = (
                f", towards the baseline {_number(baseline)}"
                if (kind == "eased" and baseline is not None)
                else ""
            )
            yield Flag(
                kind, f"target {kind}: {_number(before)} → {_number(after)}{towards}", explained
            )
    if "baseline" in fields and fields["baseline"][0] is not None:
        before, after = fields["baseline"]
        shown = "none" if after is None else _number(after)
        yield Flag("rebaselined", f"baseline rewritten: {_number(before)} → {shown}", explained)
    if "weight" in fields:
        before, after = fields["weight"]
        yield Flag("weight", f"weight changed: {_number(before)} → {_number(after)}", explained)


def _improving(key_result: AnyKeyResult) -> int:
    """+1 when a higher target is harder, -1 when a lower one is, 0 when unknown."""
    direction = getattr(key_result, "direction", None)
    if direction is not None:
        return 1 if direction == "at_least" else -1
    baseline, target = getattr(key_result, "baseline", None), getattr(key_result, "target", None)
    if baseline is None or target is None or baseline == target:
        return 0
    return 1 if target > baseline else -1


# ---------------------------------------------------------------- KPIs


def kpi_values(entry: KpiEntry, as_of: dt.date) -> dict[str, Value]:
    """The fields of a KPI as a reviewer reads them; its readings summed up as their
    count and the newest value known at `as_of`, with its band."""
    kpi = kpi_known_on(entry, as_of).kpi
    readings = kpi.checkins or []
    value = readings[-1].value if readings else None
    return {
        "title": kpi.title,
        "description": kpi.description,
        "reason": kpi.reason,
        "unit": kpi.unit,
        "owner": entry.owner,
        "area": entry.area,
        "good": kpi.good,
        "bad": kpi.bad,
        "every": kpi.every,
        "source": kpi.source.summary if kpi.source is not None else None,  # as a key result's
        "value": value,
        "band": None if value is None else band(kpi, value),
        "checkins": len(readings) or None,
        "path": entry.path,
    }


def kpi_changes(base: Tree, head: Tree, as_of: dt.date) -> list[Change]:
    """KPIs added, removed or modified, matched by id; flags for eased or raised bands."""
    old: dict[str, KpiEntry] = {}
    for entry in base.kpis:
        old.setdefault(entry.id, entry)
    new: dict[str, KpiEntry] = {}
    for entry in head.kpis:
        new.setdefault(entry.id, entry)
    changes = []
    for key, entry in new.items():
        values = kpi_values(entry, as_of)
        before = old.get(key)
        if before is None:
            fields = _present(values)
            changes.append(_kpi_change(entry, "added", fields))
            continue
        fields = _changed(kpi_values(before, as_of), values)
        if fields:
            explained = _reason_written(before.kpi.reason, entry.kpi.reason)
            flags = tuple(_kpi_flags(before, entry, explained))
            changes.append(_kpi_change(entry, "modified", fields, flags))
    for key, entry in old.items():
        if key not in new:
            fields = {
                name: (value, None)
                for name, (_, value) in _present(kpi_values(entry, as_of)).items()
            }
            changes.append(_kpi_change(entry, "removed", fields))
    return changes


def _kpi_change(
    entry: KpiEntry,
    change: str,
    fields: dict[str, tuple[Value, Value]],
    flags: tuple[Flag, ...] = (),
) -> Change:
    loc = ("kpis", entry.index)
    return Change(
        entry.id, change, entry.kpi.title, entry.path, loc, fields, (None, None), flags, is_kpi=True
    )


def _kpi_flags(before: KpiEntry, after: KpiEntry, explained: bool) -> Iterator[Flag]:
    """`eased` when `good` or `bad` moved so that a reading falls in a better band than
    before (or the direction reversed), `raised` when they moved the other way."""
    old, new = before.kpi, after.kpi
    if lower_is_better(old) != lower_is_better(new):
        better = "lower" if lower_is_better(new) else "higher"
        yield Flag("eased", f"direction reversed: {better} is now better", explained)
        return
    sign = -1 if lower_is_better(new) else 1  # +1: a higher reading is better
    moves: dict[str, list[str]] = {"eased": [], "raised": []}
    for name, was, now in (("good", old.good, new.good), ("bad", old.bad, new.bad)):
        if was != now:
            kind = "eased" if (now - was) * sign < 0 else "raised"
            moves[kind].append(f"{name} {_number(was)} → {_number(now)}")
    for kind, said in moves.items():
        if said:
            yield Flag(kind, f"band {kind}: {'; '.join(said)}", explained)
    if before.owner != after.owner:
        yield Flag(
            "owner", f"owner changed: {before.owner or 'none'} → {after.owner or 'none'}", explained
        )
