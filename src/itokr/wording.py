"""itokr's wording: counted nouns (`plural`), and pydantic's wording turned into
itokr's, so a user never reads "Value error, ..." or "Input should be a valid integer,
unable to parse string as an integer".

Typer 0.29 converts command-line values with pydantic, and a finding whose
pydantic error has no message of its own falls back on pydantic's text.
"""

from __future__ import annotations

import re

_PLAIN = [
    (re.compile(r"Value error, "), ""),
    (re.compile(r"Input should be a valid integer[^.;]*"), "expected a whole number"),
    (re.compile(r"Input should be a valid number[^.;]*"), "expected a number"),
    (re.compile(r"Input should be a finite number"), "expected a finite number"),
    (re.compile(r"Input should be less than or equal to"), "expected at most"),
    (re.compile(r"Input should be greater than or equal to"), "expected at least"),
    (re.compile(r"Input should be less than"), "expected less than"),
    (re.compile(r"Input should be greater than"), "expected more than"),
    (re.compile(r"Input should be"), "expected"),
]


def plain(message: str) -> str:
    """`message` with pydantic's phrases replaced by plain ones."""
    for pattern, replacement in _PLAIN:
        message = pattern.sub(replacement, message)
    return message


def plural(count: int, noun: str) -> str:
    """`1 flag`, `2 flags`."""
    return f"{count} {noun}{'' if count == 1 else 's'}"
