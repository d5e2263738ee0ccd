"""A KPI over time (`itokr history KPI_ID`): one reading per date.

Pure: git's commits of the KPI's file arrive as `history.Snapshot`s, the
readings come from today's file. The reading on a date D is the KPI as it
stood on D — `good`, `bad` and `every` from the last commit on or before D —
measured by every reading dated on or before D, also one committed later
(measurements are facts, bands are decisions; SPEC §2).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from itokr.history import CHECKIN, COMMIT, Snapshot
from itokr.kpis import KpiEntry, band, every_of, is_stale, known_on
from itokr.model import Checkin, Config, Kpi


@dataclass(frozen=True, slots=True)
class KpiPoint:
    """The KPI on one date, and what happened that day."""

    day: dt.date
    source: str  # COMMIT when a commit changed its file that day, else CHECKIN
    commit: str | None
    subject: str | None
    readings: tuple[Checkin, ...]  # dated that day
    value: float | None  # the newest reading known that day
    good: float
    bad: float
    band: str | None
    stale: bool


@dataclass(frozen=True, slots=True)
class KpiHistory:
    id: str
    title: str
    unit: str | None
    points: tuple[KpiPoint, ...]


def _plan(kpi_id: str, snapshot: Snapshot) -> tuple[Kpi, Config] | None:
    tree = snapshot.tree
    found = next((e.kpi for e in tree.kpis if e.id == kpi_id), None) if tree else None
    return None if found is None or tree is None else (found, tree.config)


def build(
    entry: KpiEntry, config: Config, snapshots: Sequence[Snapshot], as_of: dt.date
) -> KpiHistory:
    """The KPI's timeline up to `as_of`, oldest first; `snapshots` oldest first."""
    today = entry.kpi
    plans = [(s, plan) for s in snapshots if (plan := _plan(today.id, s)) is not None]
    commits = {s.day: s for s, _ in plans}  # the last commit of a day is the one in force
    readings = today.checkins or []
    days = sorted({*commits, *(r.date for r in readings)})
    points = []
    for day in (d for d in days if d <= as_of):
        in_force = [plan for s, plan in plans if s.day <= day] or [plan for _, plan in plans[:1]]
        kpi, rules = in_force[-1] if in_force else (today, config)
        known = known_on(readings, day)
        value = known[-1].value if known else None
        commit = commits.get(day)
        points.append(
            KpiPoint(
                day=day,
                source=COMMIT if commit else CHECKIN,
                commit=commit.commit if commit else None,
                subject=commit.subject if commit else None,
                readings=tuple(r for r in readings if r.date == day),
                value=value,
                good=kpi.good,
                bad=kpi.bad,
                band=None if value is None else band(kpi, value),
                stale=is_stale(known, every_of(kpi, rules.checkins.stale_after_days), day),
            )
        )
    return KpiHistory(today.id, today.title, today.unit, tuple(points))
