"""Start next period's objective file from this one's unfinished objectives (`itokr carry`).

The root's entries and the day go in, the new file's text comes out. An
objective is carried when its score at `as_of` is below 1; in the new file it
keeps its title, owner, area, type and alignment, and each unfinished key result
starts again from where it stands: a metric's or threshold's baseline becomes
its latest value known at `as_of`, check-ins and `current` are dropped (one
that tracks a KPI keeps tracking it), a milestone key result keeps only its open
milestones. Key results already done stay behind, as do `due:` dates and
`reason:` notes that belong to the old period.

The file is built as data and emitted by `itokr.emit` (ruamel.yaml, block style,
one quoting rule: `99`, `yes`, `2026-11-30` stay strings for every reader).
`review` then names what a carried objective would miss in SMART.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from itokr.crosscheck import Entry
from itokr.emit import comment, dump, number_text
from itokr.errors import UsageError
from itokr.model.config import Config
from itokr.model.keyresults import AnyKeyResult, Binary, Metric, MilestoneKR, Threshold
from itokr.periods import resolve
from itokr.scoring import ObjectiveScore, score_objective

_DONE = 1.0 - 1e-9
_NUMBER = re.compile(r"(?<![\w.])[-+]?[0-9]+(?:\.[0-9]+)?(?![\w.])")


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


def slug(name: str) -> str:
    """A period name as an id or file-name part: `2027-Q1` -> `2027-q1`."""
    return re.sub(r"[^a-z0-9-]+", "-", name.lower()).strip("-") or "next"


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


def _comment(text: str) -> str:
    """Comment text from data (ids, paths) on one printable line."""
    return comment(text.replace("\n", "\\n"))


def _key_result(kr: AnyKeyResult, source: str) -> Any:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    data = CommentedMap(id=kr.id, title=kr.title)
    if isinstance(kr, Threshold):
        data.update(kind="threshold", direction=kr.direction)
    if isinstance(kr, Metric | Threshold):
        if kr.unit is not None:
            data["unit"] = kr.unit
        baseline = kr.value if kr.value is not None else kr.baseline
        if baseline is not None:
            data["baseline"] = baseline
            if kr.baseline is not None and baseline != kr.baseline:
                data.yaml_add_eol_comment(
                    f"{source}: baseline {number_text(kr.baseline)}", "baseline"
                )
        data["target"] = kr.target
        if kr.kpi is not None:  # it keeps moving with its KPI's readings
            data["kpi"] = kr.kpi
        if kr.source is not None:  # `itokr measure` goes on reading it
            data["source"] = CommentedMap(kr.source.model_dump(by_alias=True, exclude_none=True))
    if kr.weight != 1:
        data["weight"] = kr.weight
    if isinstance(kr, MilestoneKR):
        data["milestones"] = CommentedSeq(
            CommentedMap(
                title=m.title,
                done=False,
                **({"weight": m.weight} if m.weight != 1 else {}),
            )
            for m in kr.milestones
            if not m.done
        )
    if isinstance(kr, Binary):
        data["done"] = False
    return data


def _objective(score: ObjectiveScore, ids: Mapping[str, str], source: str) -> Any:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    entry = score.entry
    objective = entry.objective
    data = CommentedMap(id=ids[entry.id], title=objective.title)
    if objective.description is not None:
        data["description"] = objective.description.strip()
    if objective.type == "committed":
        data["type"] = "committed"
    for key, value in (("owner", entry.owner), ("area", entry.area)):
        if value is not None:
            data[key] = value
    if objective.aligns_to:
        data["aligns_to"] = CommentedSeq(ids.get(parent, parent) for parent in objective.aligns_to)
    data["key_results"] = CommentedSeq(
        _key_result(result.key_result, source)
        for result in score.key_results
        if result.score < _DONE
    )
    return data


def _document(
    scores: Sequence[ObjectiveScore],
    ids: Mapping[str, str],
    source: str,
    target: str,
    as_of: dt.date,
) -> Any:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    objectives = CommentedSeq(_objective(score, ids, source) for score in scores)
    for index, score in enumerate(scores):
        was = f"was {score.entry.id} in {score.entry.path}: score {score.score:.2f} at {as_of}"
        gap = "\n" if index else ""  # a blank line between objectives
        objectives.yaml_set_comment_before_after_key(index, before=gap + _comment(was), indent=2)
    document = CommentedMap(period=target, objectives=objectives)
    document.yaml_set_start_comment(
        f"Carried from {_comment(source)} to {_comment(target)} by `itokr carry` on {as_of}: "
        "the objectives\n"
        f"unfinished then (score below 1.00). Baselines are the latest values of "
        f"{_comment(source)};\n"
        "check-ins, done key results and done milestones were left behind. Review,\n"
        "adjust the targets, and commit."
    )
    document.yaml_set_comment_before_after_key("objectives", before="\n")
    return document


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
    text = dump(_document(open_, ids, source, target, as_of)) if open_ else ""
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
    return Plan(source, target, as_of, carried, finished, text)


@dataclass(frozen=True, slots=True)
class ToFix:
    """Something a carried objective misses as written, and how to fix it."""

    ref: str  # the carried objective's new id, or NEW_ID/KR_ID
    code: str  # the SMART rule's code; "title" for a number left from the old baseline
    message: str
    fix: str


def review(
    plan: Plan,
    before: Sequence[Entry],
    after: Sequence[Entry],
    config: Config,
    *,
    path: str,
    source: Callable[[str], bytes | None],
) -> dict[str, tuple[ToFix, ...]]:
    """For each carried objective (by new id), what it would miss in `path`, the new
    file, loaded with the root as `after`: the SMART floor (one key result left, a
    lone milestone, …) and key-result titles that still name the old baseline."""
    from itokr.smart import check

    found: dict[str, list[ToFix]] = {item.new_id: [] for item in plan.carried}
    reports = check(
        after, config.smart, source=source, as_of=plan.as_of, selected=lambda e: e.path == path
    )
    for report in reports:
        for miss in report.errors:
            found.setdefault(report.entry.id, []).append(
                ToFix(miss.ref, miss.code, miss.message, miss.fix)
            )
    old = {entry.id: entry for entry in reversed(before)}
    new = {entry.id: entry for entry in reversed(after) if entry.path == path}
    for item in plan.carried:
        if item.old_id in old and item.new_id in new:
            found[item.new_id] += _stale_titles(old[item.old_id], new[item.new_id], plan.source)
    return {key: tuple(value) for key, value in found.items() if value}


def _stale_titles(old: Entry, new: Entry, source: str) -> list[ToFix]:
    """Key results whose title still names their old baseline, now that it moved."""
    was = {kr.id: kr for kr in old.objective.key_results}
    found = []
    for kr in new.objective.key_results:
        before = was.get(kr.id)
        if not isinstance(kr, Metric | Threshold) or not isinstance(before, Metric | Threshold):
            continue
        if before.baseline is None or kr.baseline is None or kr.baseline == before.baseline:
            continue
        said = next((n for n in _NUMBER.findall(kr.title) if float(n) == before.baseline), None)
        if said is not None:
            target = f" to {number_text(kr.target)}" if isinstance(kr, Metric) else ""
            found.append(
                ToFix(
                    f"{new.id}/{kr.id}",
                    "title",
                    f"the title still says {said}, the {source} baseline; it starts from "
                    f"{number_text(kr.baseline)} now",
                    f"retitle it: from {number_text(kr.baseline)}{target}",
                )
            )
    return found
