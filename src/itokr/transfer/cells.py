"""One spreadsheet cell: written so no spreadsheet runs it, read back as its field.

A cell from a CSV file is text; one from a workbook may be a number, a date
or a formula. The readers here turn either into the value a field of an
objective file needs, or raise `CellError` with the finding code that says why
they cannot.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from itokr import yamlio
from itokr.emit import number_text

CONTROL = yamlio._CONTROL  # what itokr's reader refuses in a value
MAX_CELL = 32_767  # characters: the most a spreadsheet cell holds (Excel's limit)
_TRIGGERS = ("=", "+", "-", "@")  # what makes a spreadsheet read a cell as a formula
_INT = re.compile(r"[-+]?\d+")
_FLOAT = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_GROUPED = re.compile(r"[-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")  # 1,234,567.5
_CURRENCY = "$€£¥"
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ][0-9:.]+(?:Z|[-+][0-9:]+)?)?")
_SLASHED = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})(?: [0-9:.]+(?: ?[AP]M)?)?", re.IGNORECASE)
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        1,
    )
    for name in names
}
_NAMED_MDY = re.compile(r"([A-Za-z]+)\.? (\d{1,2}),? (\d{4})")  # Jan 15, 2025
_NAMED_DMY = re.compile(r"(\d{1,2}) ([A-Za-z]+)\.?,? (\d{4})")  # 15 Jan 2025
_TRUE = {"true", "yes", "y", "1", "x", "done", "✓", "✔"}
_FALSE = {"false", "no", "n", "0", "not done"}


@dataclass(frozen=True, slots=True)
class Formula:
    """A workbook cell that holds a formula: its text, never its result."""

    text: str


class CellError(ValueError):
    """A cell that cannot become its field's value; `code` is the finding's."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def formula_like(text: str) -> bool:
    """Whether a spreadsheet would evaluate `text` typed into a cell (CSV injection):
    `= + - @` first, also after leading blanks of any kind (a no-break space too: some
    spreadsheets trim it), or a leading tab or carriage return."""
    return text.lstrip().startswith(_TRIGGERS) or text.startswith(("\t", "\r"))


def guard(text: str) -> str:
    """Text as a CSV cell no spreadsheet runs: a leading `'` before anything formula-like.

    Text that already starts with `'` gets one more, so `unguard` is its exact inverse.
    """
    return "'" + text if formula_like(text) or text.startswith("'") else text


def unguard(text: str) -> str:
    """The text `guard` was given; any other text is returned as it is."""
    rest = text[1:]
    return rest if text.startswith("'") and (formula_like(rest) or rest.startswith("'")) else text


def blank(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _refuse_formula(cell: Any) -> None:
    """I103 for a workbook formula, or text that starts like one (`=A1*2` in a number,
    date or done column can be nothing else)."""
    written = cell.text if isinstance(cell, Formula) else cell
    if isinstance(cell, Formula) or (isinstance(cell, str) and cell.lstrip(" \t\n")[:1] == "="):
        raise CellError(
            "I103", f"holds a formula ({_short(written)}): itokr imports values, not formulas"
        )


def text(cell: Any, *, csv: bool, strip: bool) -> str | None:
    """A text field: None when blank. `csv`: the cell came from CSV text, where a
    leading `'` marks text and a bare `=` is a formula; `strip`: trim blanks around
    hand-typed text (never around itokr's own export, which must round-trip)."""
    if cell is None or cell == "" or (strip and blank(cell)):
        return None
    if isinstance(cell, Formula):
        _refuse_formula(cell)
    if isinstance(cell, bool):
        value = "true" if cell else "false"
    elif isinstance(cell, dt.datetime):
        value = (cell.date() if _midnight(cell) else cell).isoformat()
    elif isinstance(cell, int | float):
        value = number_text(cell)
    else:
        value = str(cell)
    if len(value) > MAX_CELL:
        raise CellError(
            "I104", f"holds {len(value):,} characters; a spreadsheet cell holds {MAX_CELL:,}"
        )
    value = value.replace("\r\n", "\n").replace("\r", "\n")  # a line break inside a cell
    if csv and isinstance(cell, str):
        _refuse_formula(value)
        value = unguard(value)
    if strip:
        value = value.strip()
    if match := CONTROL.search(value):
        raise CellError(
            "I102", f"holds the control character {match[0]!r}: remove it from the cell"
        )
    return value or None


def number(cell: Any) -> float | int | None:
    """A number: `250`, `99.5`, `85%` (85), `1,234.5`, `$1,200`; None when blank."""
    if blank(cell):
        return None
    _refuse_formula(cell)
    if isinstance(cell, bool | dt.date):
        raise CellError("I102", f"is not a number: {_shown(cell)}")
    if isinstance(cell, int | float):
        value: float | int = cell
    else:
        written = str(cell).strip().removesuffix("%").strip().lstrip(_CURRENCY).strip()
        if written.startswith("'") and formula_like(written[1:]):
            written = written[1:]  # a negative number guarded as text
        if _GROUPED.fullmatch(written):
            written = written.replace(",", "")
        if _INT.fullmatch(written):
            value = int(written) if len(written) < 300 else math.inf
        elif _FLOAT.fullmatch(written):
            value = float(written)
        else:
            raise CellError("I102", f"is not a number: {_shown(cell)}")
    if not math.isfinite(value) or abs(value) > 1e300:
        raise CellError("I102", f"is not a finite number: {_shown(cell)}")
    return value


def date(cell: Any, *, month_first: bool | None = None) -> dt.date | None:
    """A date: a workbook date, `YYYY-MM-DD` (a time after it is ignored), `Jan 15,
    2025`, `15 Jan 2025`, or `M/D/YYYY` when `month_first` (D/M/YYYY when False;
    None: only when the day cannot be mistaken for the month)."""
    if blank(cell):
        return None
    _refuse_formula(cell)
    if isinstance(cell, dt.datetime):
        return cell.date()
    if isinstance(cell, dt.date):
        return cell
    written = str(cell).strip()
    try:
        if match := _ISO_DATE.fullmatch(written):
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        if match := _NAMED_MDY.fullmatch(written):
            return _named(match[1], int(match[2]), int(match[3]), written)
        if match := _NAMED_DMY.fullmatch(written):
            return _named(match[2], int(match[1]), int(match[3]), written)
        if match := _SLASHED.fullmatch(written):
            first, second, year = int(match[1]), int(match[2]), int(match[3])
            if month_first is None:
                if first <= 12 and second <= 12 and first != second:
                    raise CellError(
                        "I102",
                        f"is an ambiguous date {written!r} (month or day first?): "
                        "write it YYYY-MM-DD",
                    )
                month_first = first <= 12
            month, day = (first, second) if month_first else (second, first)
            return dt.date(year, month, day)
    except ValueError as error:
        if isinstance(error, CellError):
            raise
        raise CellError("I102", f"is not a real calendar date: {_shown(cell)}") from None
    raise CellError("I102", f"is not a date: {_shown(cell)}; write it YYYY-MM-DD")


def _named(month: str, day: int, year: int, written: str) -> dt.date:
    number = _MONTHS.get(month.lower())
    if number is None:
        raise CellError("I102", f"is not a date: {written!r}; write it YYYY-MM-DD")
    return dt.date(year, number, day)


def flag(cell: Any) -> bool | None:
    """Done or not: true/false, yes/no, 1/0, x; None when blank."""
    if cell is None:
        return None
    if isinstance(cell, bool):
        return cell
    _refuse_formula(cell)
    written = str(cell).strip().lower()
    if not written:
        return None
    if written in _TRUE:
        return True
    if written in _FALSE:
        return False
    raise CellError("I102", f"is not true or false: {_shown(cell)}")


def slug(title: str, *, limit: int = 48) -> str:
    """An id from a title: lower case ASCII words joined by `-`, cut at a word."""
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    result = ""
    for word in words:
        longer = f"{result}-{word}" if result else word
        if len(longer) > limit:
            break
        result = longer
    return result or "-".join(words)[:limit].strip("-")


def _midnight(value: dt.datetime) -> bool:
    return value.time() == dt.time(0)


def _short(text: str, limit: int = 40) -> str:
    return repr(text if len(text) <= limit else text[:limit] + "…")


def _shown(cell: Any) -> str:
    if isinstance(cell, Formula):
        return _short(cell.text)
    return _short(str(cell))
