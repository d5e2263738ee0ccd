"""What was known on a day: the one view every number at `--as-of D` comes from.

SPEC §2: at `--as-of D` the files are read as they were known on D. A check-in
dated after D did not exist then, for any number: current value, score,
confidence, last check-in, staleness, forecast, trend, SMART's confidence rule,
what `carry` takes as the new baseline. A key result whose check-ins all come
after D has no data on D. Values without a date (`current:`, milestones, done
flags) are as written: for those, `status --at REV` is the way back.

KPI readings are check-ins like any others (SPEC §6): a KPI known on D has the
readings dated up to D, for its value, band, staleness, trend and last reading,
and a key result tracking it (whose check-ins are its KPI's readings) is cut by
the same rule, its KPI with it. The status updates of milestone and binary key
results (SPEC §7) are dated check-ins too, cut alike.

Scoring (`scoring.score_objective`, `score_key_result`), KPI scoring
(`kpis.score_kpi`), the SMART engine and `diffing.compare` apply this view
themselves, so no command can forget it. Anything new that reads dated values
cuts them here too.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol, TypeVar

from itokr.crosscheck import Entry
from itokr.model.keyresults import AnyKeyResult, Metric, Threshold
from itokr.model.kpi import Kpi

if TYPE_CHECKING:
    from itokr.kpis import KpiEntry


class _HasDate(Protocol):
    @property
    def date(self) -> dt.date: ...


_Dated = TypeVar("_Dated", bound=_HasDate)


def known(checkins: Sequence[_Dated], day: dt.date) -> list[_Dated]:
    """The check-ins dated on or before `day`, in their order."""
    return [checkin for checkin in checkins if checkin.date <= day]


def _has_future(key_result: AnyKeyResult, day: dt.date) -> bool:
    # check-ins are in date order (E201), so the newest one says it all
    return bool(key_result.checkins and key_result.checkins[-1].date > day)


def _kpi_known_on(kpi: Kpi, day: dt.date) -> Kpi:
    if not (kpi.checkins and kpi.checkins[-1].date > day):  # in date order too (E201)
        return kpi
    return kpi.model_copy(update={"checkins": known(kpi.checkins, day)})


def kpi_known_on(entry: KpiEntry, day: dt.date) -> KpiEntry:
    """The KPI as known on `day`: itself when no reading is dated later."""
    kpi = _kpi_known_on(entry.kpi, day)
    return entry if kpi is entry.kpi else dataclasses.replace(entry, kpi=kpi)


def key_result_known_on(key_result: AnyKeyResult, day: dt.date) -> AnyKeyResult:
    """The key result as known on `day`: itself when nothing in it is dated later. One
    tracking a KPI is cut alike, and so is the KPI it carries."""
    if not _has_future(key_result, day):
        return key_result
    update: dict[str, object] = {"checkins": known(key_result.checkins or (), day)}
    if isinstance(key_result, Metric | Threshold) and key_result.tracked is not None:
        update["tracked_kpi"] = _kpi_known_on(key_result.tracked, day)
    return key_result.model_copy(update=update)


def known_on(entry: Entry, day: dt.date) -> Entry:
    """The objective as known on `day`: itself when nothing in it is dated later (the
    common case costs one date comparison per key result)."""
    key_results = entry.objective.key_results
    if not any(_has_future(kr, day) for kr in key_results):
        return entry
    objective = entry.objective.model_copy(
        update={"key_results": [key_result_known_on(kr, day) for kr in key_results]}
    )
    return dataclasses.replace(entry, objective=objective)
