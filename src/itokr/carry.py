"""Start next period's objective file from this one's unfinished objectives (`itokr carry`).

Pure: the root's entries and the day go in, the new file's text comes out. An
objective is carried when its score at `as_of` is below 1; in the new file it
keeps its title, owner, area, type and alignment, and each unfinished key result
starts again from where it stands: a metric's or threshold's baseline becomes
its latest value, check-ins and `current` are dropped (one that tracks a KPI
keeps tracking it), a milestone key result
keeps only its open milestones. Key results already done stay behind, as do
`due:` dates and `reason:` notes that belong to the old period.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from itokr.crosscheck import Entry
from itokr.errors import UsageError
from itokr.model import AnyKeyResult, Binary, Config, Metric, MilestoneKR, Threshold
from itokr.periods import resolve
from itokr.roundtrip import scalar_text
from itokr.scoring import ObjectiveScore, score_objective

_DONE = 1.0 - 1e-9
_WORDS_11 = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"}  # YAML 1.1 readers


@dataclass(frozen=True, slots=True)
class Carried:
    """One objective as carried: its old and new id, what went along and what stayed."""

    old_id: str
    new_id: str
    path: str
    score: float
    kept: tuple[str, ...]
    dropped: tuple[str, ...]  # key results already done


@dataclass(frozen=True, slots=True)
class Plan:
    source: str
    target: str
    as_of: dt.date
    carried: tuple[Carried, ...]
    finished: tuple[str, ...]  # objectives of `source` done at `as_of`, not carried
    text: str


def number_text(value: float) -> str:
    """A number exactly as it reads back: `repr` round-trips every float."""
    return str(value) if isinstance(value, int) else repr(float(value))


def slug(name: str) -> str:
    """A period name as an id or file-name part: `2027-Q1` -> `2027-q1`."""
    return re.sub(r"[^a-z0-9-]+", "-", name.lower()).strip("-") or "next"


def scalar(value: object) -> str:
    """A value as a YAML 1.2 scalar that reads back as itself (JSON quoting when unsure)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return number_text(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    if text.lower() in _WORDS_11:  # plain in YAML 1.2, a boolean to older readers
        return json.dumps(text)
    return scalar_text(text)


def new_ids(carried: Sequence[Entry], taken: set[str], source: str, target: str) -> dict[str, str]:
    """Old id -> new id: unchanged when free, else suffixed with the target period
    (a suffix of the source period is replaced, so ids do not grow each quarter)."""
    mapping: dict[str, str] = {}
    used = set(taken)
    old_suffix, new_suffix = f"-{slug(source)}", f"-{slug(target)}"
    for entry in carried:
        old = entry.id
        if old not in used:
            new = old
        else:
            base = old.removesuffix(old_suffix) if old.endswith(old_suffix) else old
            new, count = base + new_suffix, 2
            while new in used:
                new, count = f"{base}{new_suffix}-{count}", count + 1
        used.add(new)
        mapping[old] = new
    return mapping


def _key_result_lines(kr: AnyKeyResult, source: str) -> list[str]:
    lines = [f"- id: {kr.id}", f"  title: {scalar(kr.title)}"]
    if isinstance(kr, Threshold):
        lines += ["  kind: threshold", f"  direction: {kr.direction}"]
    if isinstance(kr, Metric | Threshold):
        if kr.unit is not None:
            lines.append(f"  unit: {scalar(kr.unit)}")
        baseline = kr.value if kr.value is not None else kr.baseline
        if baseline is not None:
            was = (
                f"  # {source}: baseline {number_text(kr.baseline)}"
                if kr.baseline is not None
                else ""
            )
            lines.append(
                f"  baseline: {number_text(baseline)}{was if baseline != kr.baseline else ''}"
            )
        lines.append(f"  target: {number_text(kr.target)}")
        if kr.kpi is not None:  # it keeps moving with its KPI's readings
            lines.append(f"  kpi: {kr.kpi}")
    if kr.weight != 1:
        lines.append(f"  weight: {number_text(kr.weight)}")
    if isinstance(kr, MilestoneKR):
        lines.append("  milestones:")
        for milestone in kr.milestones:
            if milestone.done:
                continue
            lines += [f"    - title: {scalar(milestone.title)}", "      done: false"]
            if milestone.weight != 1:
                lines.append(f"      weight: {number_text(milestone.weight)}")
    if isinstance(kr, Binary):
        lines.append("  done: false")
    return lines


def _objective_lines(
    score: ObjectiveScore, ids: Mapping[str, str], source: str, as_of: dt.date
) -> list[str]:
    entry = score.entry
    objective = entry.objective
    lines = [
        f"# was {entry.id} in {entry.path}: score {score.score:.2f} at {as_of}",
        f"- id: {ids[entry.id]}",
        f"  title: {scalar(objective.title)}",
    ]
    if objective.description is not None:
        lines.append(f"  description: {scalar(objective.description.strip())}")
    if objective.type == "committed":
        lines.append("  type: committed")
    for key, value in (("owner", entry.owner), ("area", entry.area)):
        if value is not None:
            lines.append(f"  {key}: {scalar(value)}")
    if objective.aligns_to:
        parents = ", ".join(ids.get(parent, parent) for parent in objective.aligns_to)
        lines.append(f"  aligns_to: [{parents}]")
    lines.append("  key_results:")
    for result in score.key_results:
        if result.score < _DONE:
            lines += ["    " + line for line in _key_result_lines(result.key_result, source)]
    return lines


def plan(
    entries: Sequence[Entry], config: Config, source: str, target: str, as_of: dt.date
) -> Plan:
    """What carrying `source`'s unfinished objectives into `target` writes.

    Raises `UsageError` when `target` names no period or `source` has no objectives.
    """
    named = {name: (dates.start, dates.end) for name, dates in config.periods.items()}
    if resolve(target, named) is None:
        defined = f", or one of {', '.join(named)}" if named else ""
        raise UsageError(f"{target!r} is not a period: write YYYY-Qn, YYYY-Hn or YYYY{defined}")
    if source == target:
        raise UsageError(f"carrying {source} into itself: name the next period as TO")
    scores = [
        score_objective(entry, config, as_of)
        for entry in entries
        if entry.period is not None and entry.period.name == source
    ]
    if not scores:
        raise UsageError(f"no objectives in period {source!r}: nothing to carry")
    open_ = [s for s in scores if s.score < _DONE]
    ids = new_ids([s.entry for s in open_], {e.id for e in entries}, source, target)
    lines = [
        f"# Carried from {source} to {target} by `itokr carry` on {as_of}: the objectives",
        f"# unfinished then (score below 1.00). Baselines are the latest values of {source};",
        "# check-ins, done key results and done milestones were left behind. Review,",
        "# adjust the targets, and commit.",
        "",
        f"period: {scalar(target)}",
        "",
        "objectives:",
    ]
    for score in open_:
        lines += ["  " + line for line in _objective_lines(score, ids, source, as_of)]
        lines.append("")
    carried = tuple(
        Carried(
            old_id=s.entry.id,
            new_id=ids[s.entry.id],
            path=s.entry.path,
            score=s.score,
            kept=tuple(r.key_result.id for r in s.key_results if r.score < _DONE),
            dropped=tuple(r.key_result.id for r in s.key_results if r.score >= _DONE),
        )
        for s in open_
    )
    finished = tuple(s.entry.id for s in scores if s.score >= _DONE)
    return Plan(source, target, as_of, carried, finished, "\n".join(lines).rstrip() + "\n")
