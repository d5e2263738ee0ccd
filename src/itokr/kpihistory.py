"""A KPI over time (`itokr history KPI_ID`): one reading per date, SPEC §2 and §6.

The same timeline as an objective's (`history.timeline`): the reading on D is the
KPI as it stood on D (`good`, `bad`, `every`: its file at the last commit on or
before the end of D, UTC) measured by every reading dated on or before D that
the file holds today, also one committed later: measurements are facts, bands
are decisions. Readings fall on the dates of its readings and on the dates its
bands or rhythm changed.

Pure: git's commits of the KPI's file arrive as `history.Snapshot`s, the
readings come from today's root.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from itokr.asof import known
from itokr.history import Snapshot, timeline
from itokr.kpis import KpiEntry, band, every_of, is_stale
from itokr.loader import Tree
from itokr.model.checkins import Checkin
from itokr.model.kpi import Kpi


@dataclass(frozen=True, slots=True)
class KpiPoint:
    """The KPI on one date, and what happened that day."""

    day: dt.date
    commit: str | None  # the last commit by the end of the day; None: the working tree
    subject: str | None
    plan_changed: bool  # good, bad, every (or the KPI itself) changed on this date
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


def build(
    entry: KpiEntry, tree: Tree, snapshots: Sequence[Snapshot], as_of: dt.date, *, today: dt.date
) -> KpiHistory:
    """The KPI's timeline up to `as_of`, oldest first; `tree` is the root today (it
    holds `entry`), `snapshots` the commits of its file, oldest first."""
    readings = entry.kpi.checkins or []

    def locate(root: Tree) -> tuple[Kpi, object] | None:
        found = next((kpi for kpi in root.kpis if kpi.id == entry.id), None)
        if found is None:
            return None
        every = every_of(found.kpi, root.config.checkins.stale_after_days)
        bare = found.kpi.model_copy(update={"checkins": None})  # readings are no plan
        return found.kpi, (bare, found.owner, found.area, every)

    points = []
    dated = [reading.date for reading in readings]
    for moment in timeline(tree, snapshots, locate, dated, as_of, today=today):
        kpi, day = moment.plan.held, moment.day
        seen = known(readings, day)
        value = seen[-1].value if seen else None
        every = every_of(kpi, moment.plan.config.checkins.stale_after_days)
        points.append(
            KpiPoint(
                day=day,
                commit=moment.commit.commit if moment.commit else None,
                subject=moment.commit.subject if moment.commit else None,
                plan_changed=moment.plan_changed,
                readings=tuple(r for r in readings if r.date == day),
                value=value,
                good=kpi.good,
                bad=kpi.bad,
                band=None if value is None else band(kpi, value),
                stale=is_stale(seen, every, day),
            )
        )
    return KpiHistory(entry.id, entry.kpi.title, entry.kpi.unit, tuple(points))
