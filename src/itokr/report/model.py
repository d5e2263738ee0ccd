"""What a review holds: summary groups, one section per objective, burn-ups, changes.

Pure: scores, SMART reports and the diff come in as values; today is `as_of`.
Every number is the one `status` computes (the same `score_all`), so a review
never disagrees with the table the team looks at every week.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from itokr.changes import Change, Diff
from itokr.crosscheck import Entry
from itokr.findings import Finding
from itokr.kpis import KpiScore
from itokr.model.keyresults import Metric, dated_checkins
from itokr.periods import Period
from itokr.render.plain import mean, summary  # rich-free: what status counts
from itokr.scoring import ObjectiveScore, projected_value
from itokr.smart.base import LETTERS


@dataclass(frozen=True, slots=True)
class Group:
    """The objectives sharing an area, an owner or a type: how many, and their mean score."""

    name: str
    count: int
    mean: float


@dataclass(frozen=True, slots=True)
class Burnup:
    """A metric key result's values over its period, against the straight expected line."""

    ref: str
    title: str
    unit: str | None
    baseline: float
    target: float
    start: dt.date
    end: dt.date
    as_of: dt.date
    points: tuple[tuple[dt.date, float], ...]  # the baseline at the start, then check-ins
    projected: float | None  # the value at the end on the least-squares trend line

    def expected(self, day: dt.date) -> float:
        """Where the value should be on `day` if progress were even."""
        span = (self.end - self.start).days
        share = 1.0 if span <= 0 else min(1.0, max(0.0, (day - self.start).days / span))
        return self.baseline + share * (self.target - self.baseline)


@dataclass(frozen=True, slots=True)
class CheckinRow:
    """One check-in of one key result, for the objective's history table."""

    day: dt.date
    ref: str
    value: float | None  # None: a status update of a milestone or binary key result
    unit: str | None
    confidence: float | None
    note: str | None


@dataclass(frozen=True, slots=True)
class Section:
    """One objective: its score, SMART result, charts, check-ins and changes."""

    score: ObjectiveScore
    smart: float | None
    smart_missed: tuple[str, ...]  # the SMART letters it fails, by name
    burnups: tuple[Burnup, ...]
    checkins: tuple[CheckinRow, ...]
    changes: tuple[Change, ...]

    @property
    def entry(self) -> Entry:
        return self.score.entry


@dataclass(frozen=True, slots=True)
class Flagged:
    """A diff flag a reviewer of the period must see, and the reason written for it."""

    ref: str
    kind: str  # eased, raised, rebaselined, removed, added, weight, owner, period
    message: str
    reason: str | None  # the `reason:` written with the change; None: nothing explains it


@dataclass(frozen=True, slots=True)
class Since:
    """What changed since the period started: the base commit, or why there is none."""

    start: dt.date
    commit: str | None  # the base; None when skipped
    changes: tuple[Change, ...]  # changes of the plan: check-ins are not changes
    skipped: str | None = None  # why the comparison was left out
    day: dt.date | None = None  # the base commit's date
    flags: tuple[Flagged, ...] = ()  # every flag of `changes`, in their order
    findings: tuple[Finding, ...] = ()  # problems of the root at the base commit

    @property
    def basis(self) -> str:
        """Which commit the changes are counted from, in words."""
        if self.day is None or self.day < self.start:
            return "the last before the period started"
        late = (self.day - self.start).days
        after = (
            f"{late} day{'s' if late != 1 else ''} after it started" if late else "as it started"
        )
        return f"the first to hold these objectives, {after} (no earlier commit holds them)"


@dataclass(frozen=True)
class Review:
    """The whole review, in the order it is read."""

    title: str
    as_of: dt.date
    period: str  # what was selected, as the heading says it
    start: dt.date | None
    end: dt.date | None
    sections: tuple[Section, ...]
    facts: dict[str, Any]  # `render.plain.summary` of the scores: what status counts
    by_area: tuple[Group, ...]
    by_owner: tuple[Group, ...]
    by_type: tuple[Group, ...]
    smart_mean: float | None
    since: Since | None
    kpis: tuple[KpiScore, ...] = ()  # every KPI the review's owner and area filters keep

    @property
    def scores(self) -> list[ObjectiveScore]:
        return [section.score for section in self.sections]


def select(entries: Sequence[Entry], period: str | None, as_of: dt.date) -> tuple[list[Entry], str]:
    """The objectives a review covers, and how to name them.

    `period` matches the objective's period name exactly (as `status --period`);
    by default, every objective whose period contains `as_of`, else all of them.
    """
    if period is not None:
        chosen = [e for e in entries if e.period is not None and e.period.name == period]
        return chosen, period  # none: an empty review (`check_filters` told a typo)
    running = [e for e in entries if e.period is not None and e.period.contains(as_of)]
    if running:
        labels = list(dict.fromkeys(e.period.label for e in running if e.period))
        return running, ", ".join(labels)
    return list(entries), "all periods"


def _window(entries: Iterable[Entry]) -> tuple[dt.date | None, dt.date | None]:
    periods = [e.period for e in entries if e.period is not None]
    if not periods:
        return None, None
    return min(p.start for p in periods), max(p.end for p in periods)


def _groups(
    scores: Sequence[ObjectiveScore], key: Callable[[ObjectiveScore], str]
) -> tuple[Group, ...]:
    found: dict[str, list[float]] = {}
    for score in scores:
        found.setdefault(key(score), []).append(score.score)
    return tuple(
        Group(name, len(values), sum(values) / len(values))
        for name, values in sorted(found.items())
    )


def burnup(score: ObjectiveScore, period: Period | None, as_of: dt.date) -> list[Burnup]:
    """A burn-up for each metric key result of a time-bound objective."""
    if period is None:
        return []
    charts = []
    for result in score.key_results:
        kr = result.key_result
        if not isinstance(kr, Metric):
            continue
        points = [(period.start, float(kr.baseline))]
        # a KPI's readings from before the period (the baseline stands for them) stay off
        points += [(c.date, float(c.value)) for c in kr.checkins or () if c.date >= period.start]
        if not kr.checkins and kr.current is not None:
            points.append((min(as_of, period.end), float(kr.current)))
        charts.append(
            Burnup(
                ref=result.ref,
                title=kr.title,
                unit=kr.unit,
                baseline=float(kr.baseline),
                target=float(kr.target),
                start=period.start,
                end=period.end,
                as_of=as_of,
                points=tuple(points),
                projected=projected_value(kr, period),
            )
        )
    return charts


def _checkins(score: ObjectiveScore) -> tuple[CheckinRow, ...]:
    rows = [
        CheckinRow(
            c.date,
            result.ref,
            getattr(c, "value", None),
            getattr(kr, "unit", None),
            c.confidence,
            c.note,
        )
        for result in score.key_results
        for kr in (result.key_result,)
        for c in dated_checkins(kr)
    ]
    return tuple(sorted(rows, key=lambda row: (row.day, row.ref)))


_MEASURED = frozenset({"current", "confidence", "checkins"})  # what check-ins move
_READ = frozenset({"value", "checkins"})  # what a KPI's readings move (and its band, alone)


def since_changes(diff: Diff, ids: set[str], labels: set[str]) -> tuple[Change, ...]:
    """The changes of plan about the reviewed objectives (a removed one counts when its
    period was one of the reviewed periods), and about KPIs, which outlive every period.
    Check-ins are progress, not changes: a key result whose check-ins alone moved, or a
    KPI whose readings alone did, is left out."""
    kept = []
    for change in diff.changes:
        objective = change.ref.split("/", 1)[0]
        period = change.fields.get("period", (None, None))[0]
        if not (
            change.is_kpi or objective in ids or (change.change == "removed" and period in labels)
        ):
            continue
        if change.change == "modified":
            measured = _MEASURED
            if change.is_kpi:  # a band that moved with good or bad is a change of plan
                banded = "good" in change.fields or "bad" in change.fields
                measured = _READ if banded else _READ | {"band"}
            fields = {k: v for k, v in change.fields.items() if k not in measured}
            if not fields and not change.flags:
                continue
            change = dataclasses.replace(change, fields=fields)
        kept.append(change)
    return tuple(kept)


def flagged(changes: Sequence[Change], head: Sequence[Entry]) -> tuple[Flagged, ...]:
    """Every flag of `changes`, with the `reason:` that explains it where the change
    wrote one (the key result's, or its objective's for a removed key result)."""
    by_id = {entry.id: entry for entry in reversed(head)}  # the first of an id wins
    found = []
    for change in changes:
        objective_id, _, kr_id = change.ref.partition("/")
        entry = by_id.get(objective_id)
        reason = None
        if entry is not None:
            reason = entry.objective.reason
            if kr_id and change.change != "removed":
                kr = next((k for k in entry.objective.key_results if k.id == kr_id), None)
                reason = kr.reason if kr is not None else None
        for flag in change.flags:
            written = reason.strip() if flag.accepted and reason else None
            found.append(Flagged(change.ref, flag.kind, flag.message, written))
    return tuple(found)


def build(
    title: str,
    scores: Sequence[ObjectiveScore],
    smart: Mapping[str, Mapping[str, bool]],
    as_of: dt.date,
    period: str,
    since: Since | None = None,
    kpis: Sequence[KpiScore] = (),
) -> Review:
    """The review of `scores`; `smart` maps an objective id to its SMART checks."""
    sections = []
    for score in scores:
        checks = smart.get(score.entry.id)
        changes = () if since is None else since.changes
        sections.append(
            Section(
                score=score,
                smart=sum(checks.values()) / len(checks) if checks else None,
                smart_missed=tuple(n for n in LETTERS.values() if checks and not checks[n]),
                burnups=tuple(burnup(score, score.entry.period, as_of)),
                checkins=_checkins(score),
                changes=tuple(c for c in changes if c.ref.split("/", 1)[0] == score.entry.id),
            )
        )
    smart_scores = [s.smart for s in sections if s.smart is not None]
    start, end = _window(score.entry for score in scores)
    return Review(
        title=title,
        as_of=as_of,
        period=period,
        start=start,
        end=end,
        sections=tuple(sections),
        facts=summary(scores),
        by_area=_groups(scores, lambda s: s.entry.area or "(no area)"),
        by_owner=_groups(scores, lambda s: s.entry.owner or "(no owner)"),
        by_type=_groups(scores, lambda s: s.entry.objective.type),
        smart_mean=mean(smart_scores),
        since=since,
        kpis=tuple(kpis),
    )
