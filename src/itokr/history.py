"""The score of an objective or key result over time (`itokr history`).

Pure: the git log arrives as snapshots (a commit's date, id, subject and the
root loaded at that commit) and the check-ins come from the tree of today.
Two kinds of point make one timeline:

- a commit that touched the objective's file: the score as that commit's files
  gave it, on the commit's date;
- a check-in date: the score the current file gives when it is cut back to the
  check-ins made up to that date.

Cutting check-ins back moves only measured values: a target, a `current:` value,
a milestone or a done flag is taken as it is written today (git's points show
how those moved).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from itokr.crosscheck import Entry
from itokr.loader import Tree
from itokr.model import AnyKeyResult, Checkin, Config, Metric, Threshold
from itokr.scoring import checkins_of, score_objective

COMMIT, CHECKIN = "commit", "checkin"


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The root as one commit left it; `tree` None when it could not be read."""

    day: dt.date
    commit: str
    subject: str
    tree: Tree | None


@dataclass(frozen=True, slots=True)
class Point:
    """The score on one date, and where that reading comes from."""

    day: dt.date
    source: str  # COMMIT or CHECKIN
    commit: str | None
    subject: str | None
    checkins: tuple[tuple[str, Checkin], ...]  # (ref, check-in) made on that date
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


def _point(
    entry: Entry,
    key_result: AnyKeyResult | None,
    config: Config,
    day: dt.date,
    source: tuple[str, str | None, str | None, tuple[tuple[str, Checkin], ...]],
) -> Point:
    """The ref scored as of `day`; `source` is (kind, commit, subject, check-ins)."""
    scored = score_objective(entry, config, day)
    value = target = None
    score, health = scored.score, scored.health
    if key_result is not None:
        result = next(r for r in scored.key_results if r.key_result.id == key_result.id)
        score, health = result.score, result.health
        if isinstance(result.key_result, Metric | Threshold):
            value, target = result.key_result.value, result.key_result.target
    kind, commit, subject, made = source
    return Point(day, kind, commit, subject, made, value, target, score, scored.expected, health)


def known_on(entry: Entry, day: dt.date) -> Entry:
    """The objective as it stood on `day`: only the check-ins made up to then."""
    key_results = [
        kr.model_copy(update={"checkins": [c for c in kr.checkins if c.date <= day]})
        if isinstance(kr, Metric | Threshold) and kr.checkins
        else kr
        for kr in entry.objective.key_results
    ]
    objective = entry.objective.model_copy(update={"key_results": key_results})
    return dataclasses.replace(entry, objective=objective)


def commit_points(snapshots: Sequence[Snapshot], ref: str) -> list[Point]:
    """One point per commit at which the ref existed, scored as of the commit's date."""
    points = []
    for snapshot in snapshots:
        found = find(snapshot.tree, ref) if snapshot.tree is not None else None
        if found is None or snapshot.tree is None:
            continue
        entry, kr = found
        points.append(
            _point(
                entry,
                kr,
                snapshot.tree.config,
                snapshot.day,
                (COMMIT, snapshot.commit, snapshot.subject, ()),
            )
        )
    return points


def checkin_points(entry: Entry, key_result: AnyKeyResult | None, config: Config) -> list[Point]:
    """One point per check-in date of the ref (of any of its key results for an objective)."""
    chosen = [key_result] if key_result is not None else entry.objective.key_results
    by_day: dict[dt.date, list[tuple[str, Checkin]]] = {}
    for kr in chosen:
        for checkin in checkins_of(kr):
            by_day.setdefault(checkin.date, []).append((f"{entry.id}/{kr.id}", checkin))
    return [
        _point(
            known_on(entry, day),
            key_result,
            config,
            day,
            (CHECKIN, None, None, tuple(made)),
        )
        for day, made in sorted(by_day.items())
    ]


def build(ref: str, tree: Tree, snapshots: Sequence[Snapshot], as_of: dt.date) -> History:
    """The timeline of `ref` (which `tree`, today's root, must hold), oldest first,
    up to and including `as_of`.

    `snapshots` are oldest first; on one date a check-in comes before the commit
    that recorded it.
    """
    found = find(tree, ref)
    if found is None:
        raise ValueError(f"{ref} is not in the tree")
    entry, kr = found
    points = commit_points(snapshots, ref) + checkin_points(entry, kr, tree.config)
    points = [p for p in points if p.day <= as_of]
    order = {CHECKIN: 0, COMMIT: 1}
    points.sort(key=lambda p: (p.day, order[p.source]))  # stable: commits keep git's order
    return History(
        ref=ref if kr is not None else entry.id,
        title=(kr or entry.objective).title,
        kind=kr.kind if kr is not None else "objective",
        unit=kr.unit if isinstance(kr, Metric | Threshold) else None,
        points=tuple(points),
    )
