"""Dates as the command line takes them, and date arithmetic that cannot overflow.

SPEC §3: a date given on the command line is a real YYYY-MM-DD date of the
years 1900 to 2999; anything else is misuse (exit 2). A date in a file may be
any real date (9999-12-25 too), so arithmetic on one is held at the ends of
Python's calendar instead of raising OverflowError.
"""

from __future__ import annotations

import datetime as dt
import re

from itokr.errors import UsageError

FIRST_YEAR, LAST_YEAR = 1900, 2999
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse(text: str, option: str) -> dt.date:
    """The date an option names (`UsageError`, exit 2, for any other text)."""
    try:
        day = dt.date.fromisoformat(text) if _DATE.fullmatch(text) else None
    except ValueError:
        day = None
    if day is None:
        raise UsageError(f"{option} {text!r}: expected a real date written YYYY-MM-DD")
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise UsageError(f"{option} {text}: give a date from {FIRST_YEAR} to {LAST_YEAR}")
    return day


def add_days(day: dt.date, days: int) -> dt.date:
    """`day` moved by `days`, held at 0001-01-01 or 9999-12-31 rather than overflowing."""
    try:
        return day + dt.timedelta(days=days)
    except OverflowError:
        return dt.date.max if days > 0 else dt.date.min
