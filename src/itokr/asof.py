"""What was known on a day: the one view every number at `--as-of D` comes from.

SPEC §2: at `--as-of D` the files are read as they were known on D. A check-in
dated after D did not exist then, for any number: current value, score,
confidence, last check-in, staleness, forecast, trend, SMART's confidence rule,
what `carry` takes as the new baseline. A key result whose check-ins all come
after D has no data on D. Values without a date (`current:`, milestones, done
flags) are as written: for those, `status --at REV` is the way back.

Scoring (`scoring.score_objective`, `score_key_result`), the SMART engine and
`diffing.compare` apply this view themselves, so no command can forget it. Anything new that
reads dated values (KPI readings, say) cuts them here too.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from typing import Protocol, TypeVar

from itokr.crosscheck import Entry
from itokr.model import AnyKeyResult, Metric, Threshold


class _HasDate(Protocol):
    @property
    def date(self) -> dt.date: ...


_Dated = TypeVar("_Dated", bound=_HasDate)


def known(checkins: Sequence[_Dated], day: dt.date) -> list[_Dated]:
    """The check-ins dated on or before `day`, in their order."""
    return [checkin for checkin in checkins if checkin.date <= day]


def _has_future(key_result: AnyKeyResult, day: dt.date) -> bool:
    # check-ins are in date order (E201), so the newest one says it all
    return isinstance(key_result, Metric | Threshold) and bool(
        key_result.checkins and key_result.checkins[-1].date > day
    )


def key_result_known_on(key_result: AnyKeyResult, day: dt.date) -> AnyKeyResult:
    """The key result as known on `day`: itself when nothing in it is dated later."""
    if not _has_future(key_result, day):
        return key_result
    assert isinstance(key_result, Metric | Threshold)
    return key_result.model_copy(update={"checkins": known(key_result.checkins or (), day)})


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
