"""Problems as values: a `Finding` names a file, a position and a code."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

# Every code `validate` can report; the README's table is generated from this.
CODES: dict[str, str] = {
    "E001": "the file cannot be read (gone, not a regular file, a link out of the root)",
    "E002": "the file is not UTF-8 text",
    "E003": "YAML syntax error, or more than one document",
    "E004": "a tab used for indentation",
    "E005": "a duplicate key in one mapping",
    "E006": "an anchor or alias",
    "E007": "an explicit tag (`!!python/...`, `!foo`)",
    "E008": "past a limit: file size, nesting, number of values, or 100 problems in a file",
    "E101": "an unknown key (with a did-you-mean hint), a key the key result's kind does not "
    "take, or a key that is not text",
    "E102": "a required key is missing",
    "E103": "a value of the wrong type",
    "E104": "a value that is not allowed (id format, kind, direction, type),"
    " or a control character from a quoted escape",
    "E105": "a number that is not finite",
    "E106": "a date that is not a real YYYY-MM-DD date",
    "E107": "a value out of range (confidence 0-1, weight > 0, an empty list or text)",
    "E108": "a hidden character: a bidirectional override or isolate (U+202A-202E, "
    "U+2066-2069) or a zero-width character, anywhere in the file",
    "E201": "check-ins out of date order",
    "E202": "`current` and `checkins` together",
    "E203": "`start`/`end` incomplete, reversed, or mixed with `period`",
    "E205": "a duplicate key-result id in one objective",
    "E206": "a KPI whose `good` equals its `bad`",
    "E207": "`kpi` together with the key result's own `current`, `checkins` or `source`",
    "E208": "a source of itokr.yaml with several types, or a key its type does not take"
    " (`headers` on a file source)",
    "E301": "a duplicate objective or KPI id in the root (they share one namespace)",
    "E302": "`aligns_to` names no objective",
    "E303": "an alignment cycle",
    "E304": "a period that is neither YYYY-Qn, YYYY-Hn, YYYY nor defined in itokr.yaml",
    "E305": "an area not among the configured `areas`",
    "E306": "`kpi` names no KPI",
    "E307": "a key result's `unit` differs from the unit of the KPI it tracks",
    "E308": "a `source:` (of a key result or a KPI) names no source of itokr.yaml",
    "E309": "a `source:` lacks what its source's type needs (`query`, `path`, `column`)"
    " or has a field of another type",
}


@dataclass(frozen=True, slots=True, order=True)
class Finding:
    """One problem at a 1-based line and column of a file.

    `involves` names the other files a problem across files is about (the first use
    of a repeated id, the other objectives of a cycle): `validate PATH` reports it
    when one of them is a PATH, wherever the finding itself is placed.
    """

    path: str
    line: int
    col: int
    code: str
    message: str
    involves: tuple[str, ...] = field(default=(), compare=False)

    def concerns(self, wanted: Callable[[str], bool]) -> bool:
        """Whether the finding is placed in, or involves, a file that `wanted` picks."""
        return wanted(self.path) or any(wanted(path) for path in self.involves)

    def as_dict(self) -> dict[str, str | int]:
        return {
            "path": self.path,
            "line": self.line,
            "col": self.col,
            "code": self.code,
            "message": self.message,
        }
