"""Check-ins: a measured value, or a status update of a milestone or binary key result."""

from __future__ import annotations

import itertools
from typing import TypeVar

from pydantic import StrictStr
from pydantic_core import PydanticCustomError

from itokr.model.fields import Date, Fraction, Number, StrictModel, Text


class Checkin(StrictModel):
    """One dated measurement of a metric or threshold key result."""

    date: Date
    value: Number
    confidence: Fraction | None = None
    note: StrictStr | None = None
    by: Text | None = None  # who measured it: a source of itokr.yaml (`itokr measure`) or a person


class StatusUpdate(StrictModel):
    """A check-in of a milestone or binary key result: no value (its milestones or
    `done` say how far it is), only how it stands on the day, in a confidence and a
    note."""

    date: Date
    confidence: Fraction | None = None
    note: StrictStr | None = None
    by: Text | None = None  # who gave it


AnyCheckin = Checkin | StatusUpdate
_Checkins = TypeVar("_Checkins", list[Checkin], list[StatusUpdate])


def in_date_order(checkins: _Checkins | None) -> _Checkins | None:
    for index, (before, after) in enumerate(itertools.pairwise(checkins or ())):
        if after.date < before.date:
            raise PydanticCustomError(
                "E201",
                "check-in of {after} comes after one of {before}: keep check-ins in date order",
                {
                    "after": str(after.date),
                    "before": str(before.date),
                    "at": (index + 1, "date"),
                },
            )
    return checkins
