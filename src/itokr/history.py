"""The score of an objective or key result over time (`itokr history`), SPEC §2.

One reading per date. The reading on D is the plan as it stood on D (targets,
baselines, weights, milestones, the configuration: the files of the last commit
on or before the end of D, UTC) measured by every check-in dated on or before D
that the files hold today, also one committed later: measurements are facts,
plans change. Where no check-in was back-dated, the reading on D equals
`status --as-of D --at THAT_COMMIT`. A key result tracking a KPI takes its plan's
KPI (`every`) from the KPI's file at that commit, and its measurements from the
KPI's readings today. `kpihistory` draws a KPI's own timeline on the same dates.

Readings fall on the dates of the ref's check-ins and on the dates its plan
changed. A plan is read only from the commits that may have changed it: git's
patches say which commits touched nothing but check-in lines (`measured_only`),
so a history of thousands of check-in commits parses a handful of files.

Pure: the commits come in as `Snapshot`s (their files already loaded) and the
measurements from the root as it is today.
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
import itertools
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from itokr.crosscheck import Entry
from itokr.gitlog import FileChange
from itokr.loader import Tree
from itokr.model.checkins import AnyCheckin
from itokr.model.config import Config
from itokr.model.keyresults import AnyKeyResult, Metric, Threshold, dated_checkins
from itokr.model.objectives import Objective
from itokr.scoring import ObjectiveScore, score_objective

_Held = TypeVar("_Held")  # what a plan holds: an objective's entry, or a KPI

# A line of an objective file that holds nothing but a check-in (or a comment): a flow
# item `- {date: …}`, or a line of a block one (`- date:`, `value:`, `confidence:`,
# `note:`, `by:`), or `checkins:` itself. Anything else may change the plan. A
# multi-line note or a flow item over several lines is read as a plan change: the
# cost of a mistake that way is one more file parsed.
_MEASUREMENT = re.compile(
    rb"\s*(?:#.*|-\s*\{\s*date\s*:.*\}\s*(?:#.*)?"
    rb"|(?:-\s+)?(?:date|value|confidence|note|by)\s*:(?:\s+[^|>\s].*)?"
    rb"|checkins\s*:\s*(?:#.*)?)?\s*"
)


def measured_only(lines: Sequence[bytes] | None) -> bool:
    """True when a commit's changed lines are check-ins only: the plan stayed."""
    return lines is not None and all(_MEASUREMENT.fullmatch(line) for line in lines)


@dataclass(frozen=True, slots=True)
class PlanCommit:
    """A commit of the file's (or the configuration's, or a tracked KPI file's) history,
    with the plan in force after it: the objects of the files that hold it."""

    commit: str
    day: dt.date  # the commit's date in UTC: in force from the end of that day
    subject: str
    file: str | None  # object ids; None: no such file at that commit
    config: str | None
    also: tuple[str | None, ...] = ()  # of the KPI files, as `plan_commits` was given them

    @property
    def objects(self) -> tuple[str | None, ...]:
        """`(file, config, *also)`: what `gittrees.load_file_versions` loads."""
        return (self.file, self.config, *self.also)


def _day(time: int) -> dt.date:
    return dt.datetime.fromtimestamp(time, dt.UTC).date()


def plan_commits(
    file_log: Iterable[FileChange],
    config_log: Iterable[FileChange],
    also_logs: Sequence[Iterable[FileChange]] = (),
) -> list[PlanCommit]:
    """Every commit of the logs (each newest first, as git gives them), oldest first.

    `also_logs` are those of the KPI files the file's key results track: a KPI's
    `every` is part of their plan. A commit that changed nothing but check-ins (or
    readings) keeps the object of the commit before it: its plan is that one, so only
    the files of commits that changed the plan (and every version of `itokr.yaml`)
    are ever read.
    """
    logs = [file_log, config_log, *also_logs]
    changes = [(change.time, which, change) for which, log in enumerate(logs) for change in log]
    blobs: list[str | None] = [None] * len(logs)
    commits: list[PlanCommit] = []
    # oldest first; within one second the file's commit before the configuration's
    for _, which, change in sorted(reversed(changes), key=lambda item: item[:2]):
        if which == 1:
            blobs[1] = change.blob
        elif change.blob is None or blobs[which] is None or not measured_only(change.lines):
            blobs[which] = change.blob
        day = _day(change.time)
        if commits and commits[-1].commit == change.commit:
            commits.pop()  # one commit that changed several: keep it once, with all
        file, config, *also = blobs
        commits.append(PlanCommit(change.commit, day, change.subject, file, config, tuple(also)))
    return commits


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A commit, and the root its plan is read from (the same `Tree` object for
    commits that changed only check-ins); `commit` None for the working tree."""

    day: dt.date
    commit: str | None
    subject: str
    tree: Tree


@dataclass(frozen=True, slots=True)
class Point:
    """The reading on one date."""

    day: dt.date
    commit: str | None  # the last commit by the end of the day; None: the working tree
    subject: str | None
    plan_changed: bool  # the plan changed on this date
    checkins: tuple[tuple[str, AnyCheckin], ...]  # (ref, check-in or status update) that day
    value: float | None  # the key result's current value; None for an objective
    target: float | None
    score: float
    expected: float | None
    health: str | None


@dataclass(frozen=True, slots=True)
class History:
    ref: str
    title: str
    kind: str  # "objective", or the key result's kind
    unit: str | None
    points: tuple[Point, ...]


def find(tree: Tree, ref: str) -> tuple[Entry, AnyKeyResult | None] | None:
    """What a ref names in `tree` (the first objective of an id wins), None if nothing."""
    objective_id, _, kr_id = ref.partition("/")
    entry = next((e for e in tree.entries if e.id == objective_id), None)
    if entry is None:
        return None
    if not kr_id:
        return entry, None
    kr = next((k for k in entry.objective.key_results if k.id == kr_id), None)
    return None if kr is None else (entry, kr)


def _bare(kr: AnyKeyResult) -> object:
    """What a reading takes from a key result's plan: all but its check-ins; of the KPI
    one tracks, its `every` alone (its good and bad band the KPI, not the key result)."""
    if not isinstance(kr, Metric | Threshold) or kr.tracked is None:
        return kr.model_copy(update={"checkins": None})
    own = Metric if isinstance(kr, Metric) else Threshold
    fields = {name: getattr(kr, name) for name in own.model_fields}
    untracked = own.model_construct(_fields_set=kr.model_fields_set, **fields)
    return untracked.model_copy(update={"checkins": None}), kr.tracked.every


def _plan(entry: Entry, config: Config) -> tuple[object, ...]:
    """What a reading takes from a plan: the objective without its check-ins."""
    objective = entry.objective.model_copy(update={"key_results": []})
    bare = tuple(_bare(kr) for kr in entry.objective.key_results)
    return (objective, bare, entry.owner, entry.area, entry.period, config)


def _measured(planned: Entry, today: Entry) -> Entry:
    """The plan's objective with today's check-ins (values, or status updates of milestone
    and binary key results): a key result gone since, or of another kind now, keeps its own."""
    now = {kr.id: kr for kr in today.objective.key_results}
    key_results = []
    for kr in planned.objective.key_results:
        current = now.get(kr.id)
        if current is not None and _measures(kr) == _measures(current):
            # a `current:` written then stays the value until a check-in is known
            kr = kr.model_copy(update={"checkins": current.checkins})
        key_results.append(kr)
    objective: Objective = planned.objective.model_copy(update={"key_results": key_results})
    return dataclasses.replace(planned, objective=objective)


def _measures(kr: AnyKeyResult) -> bool:
    """True for key results whose check-ins carry values, False for status updates."""
    return isinstance(kr, Metric | Threshold)


@dataclass(frozen=True, slots=True)
class Plan(Generic[_Held]):
    """What a ref was from a day on: an objective's entry, or a KPI."""

    day: dt.date
    held: _Held
    config: Config
    committed: bool  # False: the working tree's


def _plans(
    snapshots: Sequence[Snapshot], locate: Callable[[Tree], tuple[_Held, object] | None]
) -> list[Plan[_Held]]:
    """The plan's changes: the snapshots where `locate` finds the ref, and finds it
    different (by the key it hands back with it) from the snapshot before."""
    plans: list[Plan[_Held]] = []
    last: object = None  # the key of the plan before
    seen: Tree | None = None
    for snapshot in snapshots:
        if snapshot.tree is seen:  # the same files (a commit of check-ins only)
            continue
        seen = snapshot.tree
        found = locate(snapshot.tree)
        if found is None:  # not yet there, or invalid at that commit
            continue
        held, plan = found
        if plan != last:
            day = max(snapshot.day, plans[-1].day) if plans else snapshot.day
            if plans and plans[-1].day == day:
                plans.pop()  # the last change of a day is the one in force at its end
            plans.append(Plan(day, held, snapshot.tree.config, snapshot.commit is not None))
            last = plan
    return plans


@dataclass(frozen=True, slots=True)
class Moment(Generic[_Held]):
    """One date of a timeline: the plan in force at its end, and the last commit by then."""

    day: dt.date
    plan: Plan[_Held]
    commit: Snapshot | None  # None: before the first commit, or the working tree's plan
    plan_changed: bool


def timeline(
    tree: Tree,
    snapshots: Sequence[Snapshot],
    locate: Callable[[Tree], tuple[_Held, object] | None],
    dated: Iterable[dt.date],
    as_of: dt.date,
    *,
    today: dt.date,
) -> list[Moment[_Held]]:
    """The dates of a history up to `as_of`, oldest first: those in `dated` (the days
    of its check-ins) and those its plan changed, each with the plan in force.

    `tree` is the root as it is now (`locate` must find the ref in it): its files are
    the plan from `today` on when they differ from the last commit's. `snapshots` are
    the commits of the files, oldest first; none outside git, where today's plan holds
    throughout. Before the first plan that holds the ref, readings take that first plan
    (check-ins may be dated before the file was first committed).
    """
    every = _plans([*snapshots, Snapshot(today, None, "", tree)], locate)
    if not snapshots:  # outside git: today's plan throughout
        every = [dataclasses.replace(plan, day=dt.date.min) for plan in every[-1:]]
    plans = [plan for plan in every if plan.day <= as_of] or every[:1]
    changed = {plan.day for plan in plans if plan.day != dt.date.min}
    days = [day for day in sorted(changed | set(dated)) if day <= as_of]
    starts = [plan.day for plan in plans]
    commit_days = list(itertools.accumulate((s.day for s in snapshots), max))
    worktree_changed = bool(snapshots) and not plans[-1].committed
    moments = []
    for day in days:
        at = max(0, bisect.bisect_right(starts, day) - 1)
        known = bisect.bisect_right(commit_days, day) - 1  # the last commit by the end of day
        commit = snapshots[known] if known >= 0 else None
        if worktree_changed and day >= today:
            commit = None  # today's plan is the working tree's, not yet committed
        moments.append(Moment(day, plans[at], commit, day in changed))
    return moments


def build(
    ref: str, tree: Tree, snapshots: Sequence[Snapshot], as_of: dt.date, *, today: dt.date
) -> History:
    """The readings of `ref` up to `as_of`, oldest first (see `timeline`): each the plan
    in force that day measured by today's check-ins dated up to it."""
    found = find(tree, ref)
    if found is None:
        raise ValueError(f"{ref} is not in the tree")
    entry, kr = found

    def locate(snapshot: Tree) -> tuple[Entry, object] | None:
        there = find(snapshot, ref)
        return None if there is None else (there[0], _plan(there[0], snapshot.config))

    chosen = [kr] if kr is not None else entry.objective.key_results
    by_day: dict[dt.date, list[tuple[str, AnyCheckin]]] = {}
    for key_result in chosen:
        for checkin in dated_checkins(key_result):
            if checkin.date <= as_of:
                by_day.setdefault(checkin.date, []).append((f"{entry.id}/{key_result.id}", checkin))
    measured: dict[dt.date, Entry] = {}  # by the day a plan began: once for each plan
    points = []
    for moment in timeline(tree, snapshots, locate, by_day, as_of, today=today):
        plan = moment.plan
        if plan.day not in measured:
            measured[plan.day] = _measured(plan.held, entry)
        scored = score_objective(measured[plan.day], plan.config, moment.day)  # as known then
        made = tuple(by_day.get(moment.day, ()))
        points.append(_point(scored, kr, moment.day, moment.commit, moment.plan_changed, made))
    return History(
        ref=ref if kr is not None else entry.id,
        title=(kr or entry.objective).title,
        kind=kr.kind if kr is not None else "objective",
        unit=kr.unit if isinstance(kr, Metric | Threshold) else None,
        points=tuple(points),
    )


def _point(
    scored: ObjectiveScore,
    key_result: AnyKeyResult | None,
    day: dt.date,
    commit: Snapshot | None,
    plan_changed: bool,
    made: tuple[tuple[str, AnyCheckin], ...],
) -> Point:
    value = target = None
    score, health = scored.score, scored.health
    if key_result is not None:
        result = next(r for r in scored.key_results if r.key_result.id == key_result.id)
        score, health = result.score, result.health
        if isinstance(result.key_result, Metric | Threshold):
            value, target = result.key_result.value, result.key_result.target
    return Point(
        day,
        commit.commit if commit else None,
        commit.subject if commit else None,
        plan_changed,
        made,
        value,
        target,
        score,
        scored.expected,
        health,
    )
