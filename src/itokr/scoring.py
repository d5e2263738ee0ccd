"""Scores, expected progress, health, staleness and forecasts (SPEC §2).

Pure: today is always an argument (`as_of`), nothing here reads the clock.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

from itokr import kpis
from itokr.acyclic import collector_paused
from itokr.asof import key_result_known_on, known_on
from itokr.crosscheck import Entry
from itokr.model.checkins import AnyCheckin, Checkin
from itokr.model.config import Config
from itokr.model.keyresults import (
    AnyKeyResult,
    Binary,
    Metric,
    MilestoneKR,
    Threshold,
    dated_checkins,
)
from itokr.periods import Period

HEALTHS = ("done", "on-track", "at-risk", "off-track", "not-started", "green", "yellow", "red")
# Scores and bands are compared as a person compares them by hand: 0.7 meets 0.8 - 0.1 even
# though in floating point 0.8 - 0.1 is 0.7000000000000001.
_TOLERANCE = 1e-9
_FARTHEST = 1e9  # raw progress beyond this is shown as this


@dataclass(frozen=True, slots=True)
class KeyResultScore:
    """One key result at `as_of`."""

    ref: str
    key_result: AnyKeyResult
    progress: float | None  # raw, may exceed 1; None: no data yet
    score: float  # clamped to [0, 1]
    health: str | None
    stale: bool
    forecast: float | None
    confidence: float | None
    last_checkin: dt.date | None
    measured_by: str | None = None  # the source of itokr.yaml the newest check-in came from

    @property
    def has_data(self) -> bool:
        return self.progress is not None


@dataclass(frozen=True, slots=True)
class ObjectiveScore:
    """One objective at `as_of`, with its key results."""

    entry: Entry
    score: float
    expected: float | None
    health: str | None
    key_results: tuple[KeyResultScore, ...]
    confidence: float | None
    last_checkin: dt.date | None


def clamp(value: float) -> float:
    return min(1.0, max(0.0, value))


def metric_progress(baseline: float, target: float, current: float) -> float:
    """Share of the way from baseline to target; works for decreasing metrics too."""
    if target == baseline:
        return 1.0 if current == target else 0.0
    progress = (current - baseline) / (target - baseline)
    # a target a hair from its baseline can overflow; JSON has no infinity
    return progress if math.isfinite(progress) else math.copysign(_FARTHEST, progress)


def progress_of(key_result: AnyKeyResult) -> float | None:
    """Raw progress of a key result, or None when it has no current value."""
    if isinstance(key_result, MilestoneKR):
        total = sum(m.weight for m in key_result.milestones)
        return sum(m.weight for m in key_result.milestones if m.done) / total
    if isinstance(key_result, Binary):
        return 1.0 if key_result.done else 0.0
    current = key_result.value
    if current is None:
        return None
    if isinstance(key_result, Threshold):
        met = (
            current >= key_result.target
            if key_result.direction == "at_least"
            else (current <= key_result.target)
        )
        return 1.0 if met else 0.0
    return metric_progress(key_result.baseline, key_result.target, current)


def weighted_score(scores: Sequence[tuple[float, float]]) -> float:
    """Weight-averaged score of `(score, weight)` pairs."""
    total = sum(weight for _, weight in scores)
    return sum(score * weight for score, weight in scores) / total if total else 0.0


def _meets(score: float, bound: float) -> bool:
    return score >= bound - _TOLERANCE


def health(
    score: float,
    period: Period | None,
    as_of: dt.date,
    config: Config,
    *,
    committed: bool,
    expected: float | None = None,
) -> str | None:
    """The first rule of SPEC §2 that applies; None without a period."""
    if period is None:
        return None
    if as_of > period.end:
        green = 1.0 if committed else config.grading.green
        yellow = config.grading.green if committed else config.grading.yellow
        return "green" if _meets(score, green) else "yellow" if _meets(score, yellow) else "red"
    if as_of < period.start:
        return "not-started"
    if _meets(score, 1.0):
        return "done"
    if expected is None:
        expected = period.expected(as_of)
    if _meets(score, expected - config.health.at_risk):
        return "on-track"
    if _meets(score, expected - config.health.off_track):
        return "at-risk"
    return "off-track"


def newest_confidence(checkins: Sequence[AnyCheckin]) -> AnyCheckin | None:
    """The newest check-in (or status update) that states a confidence."""
    return next((c for c in reversed(checkins) if c.confidence is not None), None)


def goes_stale(key_result: AnyKeyResult, config: Config) -> bool:
    """Whether a key result of this kind is expected to be checked in regularly: metrics
    and thresholds always; milestone and binary ones with `checkins.stale_projects`."""
    return isinstance(key_result, Metric | Threshold) or config.checkins.stale_projects


def is_stale(
    key_result: AnyKeyResult,
    score: float,
    period: Period | None,
    as_of: dt.date,
    config: Config,
) -> bool:
    """A running key result below 1, of a kind that goes stale, not checked in for more
    than `checkins.stale_after_days`."""
    days = config.checkins.stale_after_days
    if not goes_stale(key_result, config) or period is None or _meets(score, 1.0):
        return False
    if not period.contains(as_of):
        return False
    if isinstance(key_result, Metric | Threshold) and key_result.tracked is not None:
        # SPEC §6: stale when its KPI is
        return kpis.is_stale(
            key_result.checkins or (), kpis.every_of(key_result.tracked, days), as_of
        )
    latest = key_result.checkins[-1].date if key_result.checkins else period.start
    return (as_of - latest).days > days


def trend_points(key_result: AnyKeyResult, period: Period | None) -> list[tuple[int, float]]:
    """The dated values a forecast fits: the baseline at the period start, then check-ins,
    as (days since the period start, value)."""
    if not isinstance(key_result, Metric) or period is None:
        return []
    start = period.start.toordinal()
    return [(0, key_result.baseline)] + [
        (c.date.toordinal() - start, c.value) for c in key_result.checkins or ()
    ]


def projected_value(key_result: AnyKeyResult, period: Period | None) -> float | None:
    """The value at period end on a least-squares line through the dated values."""
    if period is None or not isinstance(key_result, Metric) or not key_result.checkins:
        return None  # the baseline alone is one dated value
    points = trend_points(key_result, period)
    count = len(points)
    mean_x = sum(x for x, _ in points) / count
    mean_y = sum(y for _, y in points) / count
    spread = sum((x - mean_x) ** 2 for x, _ in points)
    if not spread:  # every value on one date: no line to draw
        return None
    slope = sum((x - mean_x) * (y - mean_y) for x, y in points) / spread
    at_end = mean_y + slope * ((period.end - period.start).days - mean_x)
    return _physical(at_end, [key_result.target, *(y for _, y in points)], key_result.unit)


def _physical(value: float, known: Sequence[float], unit: str | None) -> float:
    """A projection kept where the quantity can be: a line may run on past what can happen.

    A quantity never seen below 0 (a count, a duration, a cost) does not go below 0;
    a `%` seen only within 0-100 stays there.
    """
    if min(known) >= 0:
        value = max(value, 0.0)
    if unit == "%" and min(known) >= 0 and max(known) <= 100:
        value = min(value, 100.0)
    return value


def forecast(key_result: AnyKeyResult, period: Period | None) -> float | None:
    """The score projected at period end (metric key results only), clamped to [0, 1]."""
    at_end = projected_value(key_result, period)
    if at_end is None or not isinstance(key_result, Metric):
        return None
    return clamp(metric_progress(key_result.baseline, key_result.target, at_end))


def checkins_of(key_result: AnyKeyResult) -> list[Checkin]:
    """A key result's values checked in; milestone and binary key results have none."""
    if isinstance(key_result, Metric | Threshold):
        return key_result.checkins or []
    return []


def score_key_result(
    entry: Entry,
    key_result: AnyKeyResult,
    config: Config,
    as_of: dt.date,
    *,
    expected: float | None = None,
) -> KeyResultScore:
    """Score one key result as known on `as_of`; `expected` saves recomputing the
    objective's."""
    key_result = key_result_known_on(key_result, as_of)
    progress = progress_of(key_result)
    score = clamp(progress) if progress is not None else 0.0
    checkins = dated_checkins(key_result)
    stated = newest_confidence(checkins)
    committed = entry.objective.type == "committed"
    period = entry.period
    return KeyResultScore(
        ref=f"{entry.id}/{key_result.id}",
        key_result=key_result,
        progress=progress,
        score=score,
        health=health(score, period, as_of, config, committed=committed, expected=expected),
        stale=is_stale(key_result, score, period, as_of, config),
        forecast=forecast(key_result, period),
        confidence=stated.confidence if stated else None,
        last_checkin=checkins[-1].date if checkins else None,
        measured_by=measured_by(checkins[-1], config) if checkins else None,
    )


def measured_by(checkin: AnyCheckin, config: Config) -> str | None:
    """The source that measured `checkin` (`by:` naming a source), None for a person's."""
    return checkin.by if checkin.by is not None and checkin.by in config.sources else None


def score_objective(entry: Entry, config: Config, as_of: dt.date) -> ObjectiveScore:
    """Score an objective and its key results as known on `as_of`."""
    entry = known_on(entry, as_of)
    period = entry.period
    expected = period.expected(as_of) if period else None
    results = tuple(
        score_key_result(entry, kr, config, as_of, expected=expected)
        for kr in entry.objective.key_results
    )
    score = weighted_score([(r.score, r.key_result.weight) for r in results])
    stated: AnyCheckin | None = None  # the newest stated across key results; a tie to the later
    for kr in entry.objective.key_results:
        candidate = newest_confidence(dated_checkins(kr))
        if candidate is not None and (stated is None or candidate.date >= stated.date):
            stated = candidate
    dates = [r.last_checkin for r in results if r.last_checkin is not None]
    committed = entry.objective.type == "committed"
    return ObjectiveScore(
        entry=entry,
        score=score,
        expected=expected,
        health=health(score, period, as_of, config, committed=committed, expected=expected),
        key_results=results,
        confidence=stated.confidence if stated else None,
        last_checkin=max(dates) if dates else None,
    )


def score_all(entries: Sequence[Entry], config: Config, as_of: dt.date) -> list[ObjectiveScore]:
    """Score every objective; on a large root this is the one loop that matters."""
    with collector_paused():  # nothing built here is cyclic; the collector only costs time
        return [score_objective(entry, config, as_of) for entry in entries]


@dataclass(frozen=True, slots=True)
class Node:
    """An objective in the alignment tree, with the objectives aligned directly to it."""

    objective: ObjectiveScore
    children: tuple[Node, ...]

    @property
    def started(self) -> tuple[Node, ...]:
        """The children whose period has started: before it a score of 0 says nothing."""
        return tuple(c for c in self.children if c.objective.health != "not-started")

    @property
    def children_mean(self) -> float | None:
        """The unweighted mean of the started children's own scores (SPEC §3), else None."""
        started = self.started
        if not started:
            return None
        return sum(child.objective.score for child in started) / len(started)


def alignment_tree(scores: Sequence[ObjectiveScore]) -> list[Node]:
    """The `aligns_to` tree: each objective under each of its parents.

    Roots are objectives aligned to no objective of the root, those heading a cascade
    first. An alignment cycle is
    an error that validate reports; here it is cut where it closes, and an objective
    reachable only through a cycle becomes a root, so nothing loops and nothing is lost.
    """
    by_id: dict[str, ObjectiveScore] = {}
    for score in scores:
        by_id.setdefault(score.entry.id, score)
    children: dict[str, list[str]] = {key: [] for key in by_id}
    for key, score in by_id.items():
        for parent in dict.fromkeys(score.entry.objective.aligns_to):
            if parent in by_id and parent != key:
                children[parent].append(key)
    built: dict[str, Node] = {}

    def build(top: str) -> Node:
        # depth-first without recursion: an alignment chain can be as deep as the root is large
        stack = [(top, iter(children[top]))]
        on_path = {top}
        while stack:
            key, pending = stack[-1]
            child = next(pending, None)
            if child is None:
                stack.pop()
                on_path.discard(key)
                kids = tuple(built[c] for c in children[key] if c in built and c not in on_path)
                built[key] = Node(by_id[key], kids)
            elif child not in built and child not in on_path:
                stack.append((child, iter(children[child])))
                on_path.add(child)
        return built[top]

    roots = [
        key
        for key, score in by_id.items()
        if not any(parent in by_id for parent in score.entry.objective.aligns_to)
    ]
    trees = [build(key) for key in roots]
    trees += [build(key) for key in by_id if key not in built]
    # the cascades first, then the objectives that stand alone, each in path order
    return sorted(trees, key=lambda node: not node.children)
