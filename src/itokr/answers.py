"""What a person types for a check-in, checked the one way everywhere: on the command
line (`itokr checkin`), in a batch file (`--batch`) and at the walk's prompts (`--owner`).

Each check returns the value as it will be written, or raises `Invalid` with a message
that says what to type instead.
"""

from __future__ import annotations

import math
import re

from itokr.inert import char_name, hidden

_NUMBER = re.compile(r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # what the reader refuses in a value
_LARGEST = 1e300  # as the model's: beyond this, arithmetic on a number overflows


class Invalid(ValueError):
    """Text that is not what its field takes; the message says what to type."""


def number(text: str, what: str) -> str:
    """A finite number, as typed (without surrounding blanks)."""
    value = float(text) if _NUMBER.fullmatch(text.strip()) else math.nan
    if not math.isfinite(value) or abs(value) > _LARGEST:
        raise Invalid(f"{what} {text!r} is not a number: write it like 42, 99.5 or 1e3")
    return text.strip()


def confidence(text: str, what: str) -> str:
    """A number from 0 to 1, as typed."""
    typed = number(text, what)
    if not 0 <= float(typed) <= 1:
        raise Invalid(f"{what} {text}: must be between 0 and 1, as 0.7")
    return typed


def note(text: str, what: str) -> str:
    """Text without control characters (a terminal would obey them) or hidden ones
    (the file would no longer validate: E108)."""
    if control := CONTROL.search(text):
        raise Invalid(f"{what} contains the control character {control[0]!r}: remove it")
    if found := next(hidden(text), None):
        raise Invalid(
            f"{what} contains the hidden character {char_name(found[0])} (E108): remove it"
        )
    return text
