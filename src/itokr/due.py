"""What each owner owes: key results whose check-in is stale or due soon (`itokr due`).

Pure: the day is an argument. A metric or threshold below 1 is expected to be
checked in every `stale_after_days` (SPEC §2, Stale): its next check-in falls
due that many days after its newest one, or after the period start when it has
none; so are milestone and binary key results with `checkins.stale_projects`
(SPEC §7), their status updates being their check-ins. A key result with a
`due:` date that is not done is owed by that date. Only running periods count: a
finished or future period owes nothing.

A KPI owes a reading by its newest one's date plus `every` (SPEC §6), whatever
the period; a key result that tracks a KPI owes no check-in of its own (its
KPI is listed instead), only its `due:` date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from itokr.dates import add_days
from itokr.kpis import KpiScore
from itokr.model.config import Config
from itokr.model.keyresults import AnyKeyResult, Metric, Threshold
from itokr.scoring import ObjectiveScore, goes_stale


@dataclass(frozen=True, slots=True)
class DueItem:
    """One key result someone owes something on."""

    ref: str
    title: str
    key_result: AnyKeyResult  # as known on the day: its last value and target
    owner: str | None
    path: str
    period: str
    score: float
    last_checkin: dt.date | None
    checkin_due: dt.date | None  # when the next check-in is expected; None: none expected
    due: dt.date | None  # the key result's own `due:` date, when it is owed soon
    stale: bool

    @property
    def when(self) -> dt.date:
        """The earliest date something is owed: how the list is ordered."""
        dates = [d for d in (self.checkin_due, self.due) if d is not None]
        return min(dates)


@dataclass(frozen=True, slots=True)
class KpiDue:
    """A KPI whose next reading is owed: stale, or due within the window."""

    id: str
    title: str
    owner: str | None
    path: str
    index: int  # in its file's `kpis`, to point at it
    value: float | None
    unit: str | None
    good: float
    bad: float
    band: str | None
    last_checkin: dt.date | None
    checkin_due: dt.date | None  # None: no reading yet, owed now
    stale: bool


@dataclass(frozen=True, slots=True)
class OwnerDue:
    owner: str | None
    items: tuple[DueItem, ...]
    kpis: tuple[KpiDue, ...] = ()


def _met(score: float) -> bool:
    return score >= 1.0 - 1e-9


def due_items(
    scores: Sequence[ObjectiveScore], config: Config, as_of: dt.date, *, within: int
) -> list[DueItem]:
    """Every key result of a running period with a check-in or a `due:` date owed by
    `as_of + within` (stale and overdue ones included), earliest first."""
    horizon = add_days(as_of, within)
    every = config.checkins.stale_after_days
    items: list[DueItem] = []
    for objective in scores:
        entry = objective.entry
        period = entry.period
        if period is None or not period.contains(as_of):
            continue
        for result in objective.key_results:
            kr = result.key_result
            if _met(result.score):
                continue
            checkin_due = None
            tracks_kpi = isinstance(kr, Metric | Threshold) and kr.kpi is not None
            if goes_stale(kr, config) and not tracks_kpi:
                anchor = result.last_checkin or period.start
                expected = add_days(anchor, every)
                checkin_due = expected if expected <= horizon else None
            due = kr.due if kr.due is not None and kr.due <= horizon else None
            if checkin_due is None and due is None:  # stale implies a check-in overdue
                continue
            items.append(
                DueItem(
                    ref=result.ref,
                    title=kr.title,
                    key_result=kr,
                    owner=entry.owner,
                    path=entry.path,
                    period=period.label,
                    score=result.score,
                    last_checkin=result.last_checkin,
                    checkin_due=checkin_due,
                    due=due,
                    stale=result.stale,
                )
            )
    items.sort(key=lambda item: (item.when, item.ref))
    return items


def due_kpis(scores: Sequence[KpiScore], as_of: dt.date, *, within: int) -> list[KpiDue]:
    """Every KPI that is stale, or whose next reading is due by `as_of + within`."""
    horizon = as_of + dt.timedelta(days=within)
    owed = [
        KpiDue(
            id=score.entry.id,
            title=score.entry.kpi.title,
            owner=score.entry.owner,
            path=score.entry.path,
            index=score.entry.index,
            value=score.value,
            unit=score.entry.kpi.unit,
            good=score.entry.kpi.good,
            bad=score.entry.kpi.bad,
            band=score.band,
            last_checkin=score.last_checkin,
            checkin_due=score.next_due,
            stale=score.stale,
        )
        for score in scores
        if score.stale or (score.next_due is not None and score.next_due <= horizon)
    ]
    return sorted(owed, key=lambda kpi: (kpi.checkin_due or as_of, kpi.id))


def by_owner(items: Sequence[DueItem], kpis: Sequence[KpiDue] = ()) -> list[OwnerDue]:
    """Items and KPIs grouped by owner, owners in name order and the unowned last."""
    groups: dict[str | None, tuple[list[DueItem], list[KpiDue]]] = {}
    for item in items:
        groups.setdefault(item.owner, ([], []))[0].append(item)
    for kpi in kpis:
        groups.setdefault(kpi.owner, ([], []))[1].append(kpi)
    order = sorted(groups, key=lambda owner: (owner is None, owner or ""))
    return [OwnerDue(owner, tuple(groups[owner][0]), tuple(groups[owner][1])) for owner in order]
