"""KPIs (SPEC §6): bands, when the next reading is due, and each KPI as of a day.

Pure: the day is an argument. A KPI has no period and no score; its newest
reading known on the day falls in a band (`green` at `good` or better, `red`
worse than `bad`, `yellow` between, exactly `bad` included), and it is stale
once the day is past the newest reading's date plus `every`.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from itokr.asof import kpi_known_on
from itokr.model.checkins import Checkin
from itokr.model.config import Config
from itokr.model.kpi import Kpi

if TYPE_CHECKING:
    from itokr.crosscheck import Entry

BANDS = ("green", "yellow", "red")


@dataclass(frozen=True, slots=True)
class KpiEntry:
    """A KPI as loaded, with its file's defaults applied."""

    kpi: Kpi
    path: str
    index: int  # its place in the file's `kpis`, to locate it again
    owner: str | None
    area: str | None

    @property
    def id(self) -> str:
        return self.kpi.id

    def matches(self, *, owner: str | None = None, area: str | None = None) -> bool:
        """The filters of `kpis` and `due`: the KPI's own value, exactly."""
        return (owner is None or self.owner == owner) and (area is None or self.area == area)


@dataclass(frozen=True, slots=True)
class KpiScore:
    """One KPI as known on `as_of`."""

    entry: KpiEntry
    every: str  # as written, or the configured default
    readings: tuple[Checkin, ...]  # those dated on or before `as_of`, oldest first
    band: str | None  # None: no reading yet
    stale: bool
    next_due: dt.date | None  # None: no reading yet, or beyond the calendar
    key_results: tuple[str, ...]  # refs of the key results that track it

    @property
    def value(self) -> float | int | None:
        return self.readings[-1].value if self.readings else None

    @property
    def last_checkin(self) -> dt.date | None:
        return self.readings[-1].date if self.readings else None


def lower_is_better(kpi: Kpi) -> bool:
    return kpi.good < kpi.bad


def band(kpi: Kpi, value: float) -> str:
    """`green` at `good` or better, `red` worse than `bad`, `yellow` between (`bad` too)."""
    if lower_is_better(kpi):
        return "green" if value <= kpi.good else "red" if value > kpi.bad else "yellow"
    return "green" if value >= kpi.good else "red" if value < kpi.bad else "yellow"


def every_of(kpi: Kpi, stale_after_days: int) -> str:
    """`every` as written, else the configured check-in rhythm of key results."""
    return kpi.every or f"{stale_after_days}d"


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` plus calendar months; the 31st becomes the month's last day when it has none."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    if year > dt.MAXYEAR:
        raise OverflowError("date beyond the calendar")
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def next_due(last: dt.date, every: str) -> dt.date | None:
    """When the reading after one dated `last` is due; None beyond year 9999."""
    count, unit = int(every[:-1]), every[-1]
    try:
        if unit in "dw":
            return last + dt.timedelta(days=count * (7 if unit == "w" else 1))
        return add_months(last, count * (3 if unit == "q" else 1))
    except OverflowError:
        return None


def is_stale(readings: Sequence[Checkin], every: str, day: dt.date) -> bool:
    """No reading known on `day`, or `day` is past the newest one's date plus `every`."""
    if not readings:
        return True
    due = next_due(readings[-1].date, every)
    return due is not None and day > due


def score_kpi(
    entry: KpiEntry, config: Config, as_of: dt.date, key_results: Sequence[str] = ()
) -> KpiScore:
    """The KPI as known on `as_of`: only readings dated up to then exist (`asof`)."""
    kpi = kpi_known_on(entry, as_of).kpi
    readings = kpi.checkins or []
    every = every_of(kpi, config.checkins.stale_after_days)
    return KpiScore(
        entry=entry,
        every=every,
        readings=tuple(readings),
        band=band(kpi, readings[-1].value) if readings else None,
        stale=is_stale(readings, every, as_of),
        next_due=next_due(readings[-1].date, every) if readings else None,
        key_results=tuple(key_results),
    )


def tracking(entries: Sequence[Entry]) -> dict[str, list[str]]:
    """KPI id -> the refs of the key results that track it, in path order."""
    refs: dict[str, list[str]] = {}
    for entry in entries:
        for kr in entry.objective.key_results:
            kpi = getattr(kr, "kpi", None)
            if kpi is not None:
                refs.setdefault(kpi, []).append(f"{entry.id}/{kr.id}")
    return refs


def score_all(
    kpis: Sequence[KpiEntry], entries: Sequence[Entry], config: Config, as_of: dt.date
) -> list[KpiScore]:
    """Every KPI as known on `as_of`, each with the key results that track it."""
    refs = tracking(entries)
    return [score_kpi(kpi, config, as_of, refs.get(kpi.id, ())) for kpi in kpis]
