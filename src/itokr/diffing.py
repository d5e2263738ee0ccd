"""What a change does to the goals: two loaded trees compared by meaning.

Pure: the trees come from `gitio` (or anywhere), today is `as_of`. Objectives
are matched by id wherever their file is, so a renamed file is a move, and key
results by id inside their objective. On top of the raw field changes sit the
review flags a reviewer of goals cares about (`changes.FLAGS`); a flag is accepted
when the item it is about carries a `reason:` that this change wrote.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from itokr.asof import known_on
from itokr.changes import (
    Change,
    Diff,
    Flag,
    Value,
    changed_fields,
    number_shown,
    present_fields,
    reason_written,
    removed_fields,
)
from itokr.crosscheck import Entry
from itokr.diffing_kpis import kpi_changes
from itokr.loader import Tree
from itokr.model.keyresults import AnyKeyResult, Milestone
from itokr.periods import Period
from itokr.scoring import ObjectiveScore, newest_confidence, score_objective

# fmt: off
_KR_FIELDS = (
    "kind", "title", "unit", "direction", "baseline", "target", "weight", "due", "reason",
    "current", "confidence", "checkins", "milestones", "done", "source",
)


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
    weight = f" (weight {number_shown(milestone.weight)})" if milestone.weight != 1 else ""
    return f"[{'x' if milestone.done else ' '}] {milestone.title}{weight}"


def _timing(kind: str, period: Period | None, as_of: dt.date, accepted: bool) -> tuple[Flag, ...]:
    """The `added`/`removed` flag, when the period had started by `as_of`."""
    if period is None or period.start > as_of:
        return ()
    message = f"{kind} after its period {period.label} started on {period.start.isoformat()}"
    return (Flag(kind, message, accepted),)


def _round(value: float) -> float:
    return round(value, 2)


def _added(entry: Entry, score: ObjectiveScore, as_of: dt.date) -> Change:
    fields = present_fields(objective_values(entry))
    fields["key_results"] = (None, [kr.id for kr in entry.objective.key_results])
    accepted = reason_written(None, entry.objective.reason)
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
    fields = removed_fields(objective_values(entry))
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
    fields = changed_fields(objective_values(before), objective_values(after))
    explained = reason_written(before.objective.reason, after.objective.reason)
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
            flags = _timing("added", after.period, as_of, reason_written(None, kr.reason))
            yield Change(
                ref,
                "added",
                kr.title,
                after.path,
                loc,
                present_fields(key_result_values(kr)),
                (None, score_after),
                flags,
            )
            continue
        previous = old[kr.id][1]
        fields = changed_fields(key_result_values(previous), key_result_values(kr))
        if fields:
            explained = reason_written(previous.reason, kr.reason)
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
            for name, (_, value) in present_fields(key_result_values(previous)).items()
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
                f", towards the baseline {number_shown(baseline)}"
                if (kind == "eased" and baseline is not None)
                else ""
            )
            moved = f"{number_shown(before)} → {number_shown(after)}{towards}"
            yield Flag(kind, f"target {kind}: {moved}", explained)
    if "baseline" in fields and fields["baseline"][0] is not None:
        before, after = fields["baseline"]
        shown = "none" if after is None else number_shown(after)
        rewritten = f"baseline rewritten: {number_shown(before)} → {shown}"
        yield Flag("rebaselined", rewritten, explained)
    if "weight" in fields:
        before, after = fields["weight"]
        weights = f"{number_shown(before)} → {number_shown(after)}"
        yield Flag("weight", f"weight changed: {weights}", explained)


def _improving(key_result: AnyKeyResult) -> int:
    """+1 when a higher target is harder, -1 when a lower one is, 0 when unknown."""
    direction = getattr(key_result, "direction", None)
    if direction is not None:
        return 1 if direction == "at_least" else -1
    baseline, target = getattr(key_result, "baseline", None), getattr(key_result, "target", None)
    if baseline is None or target is None or baseline == target:
        return 0
    return 1 if target > baseline else -1
