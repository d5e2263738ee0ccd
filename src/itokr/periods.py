"""Periods: quarters, halves, years and named periods, as date ranges."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass

_QUARTER = re.compile(r"(?!0000)(\d{4})-Q([1-4])")  # year 0 is no date
_HALF = re.compile(r"(?!0000)(\d{4})-H([12])")
_YEAR = re.compile(r"\d{4}")


@dataclass(frozen=True, slots=True)
class Period:
    """A closed date range; `name` is None for explicit `start`/`end` dates."""

    name: str | None
    start: dt.date
    end: dt.date

    @property
    def label(self) -> str:
        return self.name or f"{self.start}..{self.end}"

    def expected(self, as_of: dt.date) -> float:
        """The share of the period elapsed at `as_of`, clamped to [0, 1]."""
        span = (self.end - self.start).days
        if span <= 0:
            return 1.0 if as_of >= self.end else 0.0
        return min(1.0, max(0.0, (as_of - self.start).days / span))

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


def _month_range(year: int, first_month: int, months: int) -> tuple[dt.date, dt.date]:
    start = dt.date(year, first_month, 1)
    last_month = first_month + months - 1
    if last_month == 12:
        return start, dt.date(year, 12, 31)
    return start, dt.date(year, last_month + 1, 1) - dt.timedelta(days=1)


def resolve(spec: int | str, named: Mapping[str, tuple[dt.date, dt.date]]) -> Period | None:
    """The period a `period:` value names, or None when it names none."""
    name = str(spec)
    if name in named:
        start, end = named[name]
        return Period(name, start, end)
    if match := _QUARTER.fullmatch(name):
        year, quarter = int(match[1]), int(match[2])
        return Period(name, *_month_range(year, 3 * quarter - 2, 3))
    if match := _HALF.fullmatch(name):
        year, half = int(match[1]), int(match[2])
        return Period(name, *_month_range(year, 6 * half - 5, 6))
    if _YEAR.fullmatch(name) and int(name) >= 1:
        return Period(name, dt.date(int(name), 1, 1), dt.date(int(name), 12, 31))
    return None
