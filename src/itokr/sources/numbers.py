"""A source's answer as one finite number, or the failure that says why not."""

from __future__ import annotations

import math
import re

from itokr.sources.failure import SourceFailure, shown

LARGEST = 1e300  # as in the file format: beyond this, arithmetic on a number overflows
_NUMBER = re.compile(r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")
_NOT_FINITE = re.compile(r"[-+]?(?:nan|inf|infinity)", re.IGNORECASE)


def number(value: object, what: str) -> float:
    """`value`, a JSON value or text, as a finite number; `what` names it in a failure.

    Text that is a plain decimal number counts (Prometheus and many APIs send numbers
    as strings); `true`, a list or a mapping does not.
    """
    if value is None:
        raise SourceFailure("E605", f"{what} is null: there is no value")
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        kind = {bool: "true or false", list: "a list", dict: "a mapping"}.get(type(value), "")
        raise SourceFailure("E607", f"{what} is {kind or type(value).__name__}, not a number")
    if isinstance(value, str):
        text = value.strip()
        if _NOT_FINITE.fullmatch(text):
            raise SourceFailure("E608", f"{what} is {text}, not a finite number")
        if not _NUMBER.fullmatch(text):
            if not text:
                raise SourceFailure("E605", f"{what} is empty: there is no value")
            raise SourceFailure("E607", f"{what} is {shown(text)}, not a number")
        value = text
    try:
        result = float(value)
    except OverflowError:  # an integer past the largest float
        result = math.inf
    if not math.isfinite(result) or abs(result) > LARGEST:
        raise SourceFailure("E608", f"{what} is {result:g}, not a finite number up to 1e300")
    return result


def as_text(value: float) -> str:
    """A number as a check-in writes it: 42 for a whole number, else the shortest repr."""
    value = float(value)
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
