"""A spreadsheet file as rows: CSV in any common encoding, or an xlsx workbook.

Whatever a spreadsheet program saves should read: a UTF-8 BOM, UTF-16 (Excel's
"Unicode text"), `;` or tab separators, a `sep=` first line, title rows above
the header, merged cells. Anything else is refused with a `UsageError` that
says what the file is and what to do (exit 2), never a traceback.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from itokr.errors import UsageError
from itokr.transfer.cells import Formula

MAX_BYTES = 64 * 2**20  # a spreadsheet of OKRs is kilobytes; this bounds memory
MAX_UNPACKED = 256 * 2**20  # a workbook's XML, unzipped: a zip bomb stops here
MAX_ROWS, MAX_COLUMNS = 100_000, 1_000
HEADER_SEARCH = 10  # rows above the header: titles, notes, a merged banner
_SEPARATORS = ",;\t"
POSITION = re.compile(r"#(\d{1,4})")  # a column by its place, where two share a name


@dataclass(frozen=True, slots=True)
class Row:
    """One row: its line (CSV) or row number (workbook), and its cells."""

    line: int
    cells: tuple[Any, ...]

    def get(self, column: int | None) -> Any:
        if column is None or column >= len(self.cells):
            return None
        return self.cells[column]


@dataclass(frozen=True)
class Sheet:
    """One CSV file or one worksheet, as rows."""

    name: str  # as findings name it: the file, with `[sheet]` for a workbook
    rows: tuple[Row, ...]
    csv: bool  # text cells, where `'` and `=` mean what spreadsheets make of them


@dataclass(frozen=True)
class Table:
    """A sheet's header and the rows below it."""

    name: str
    header: tuple[str, ...]
    header_line: int
    rows: tuple[Row, ...]
    csv: bool

    def column(self, name: str) -> int | None:
        """The first column whose header reads as `name` (case, blanks, `_` aside), or
        the column at a position written `#3` (the third)."""
        if position := POSITION.fullmatch(name.strip()):
            index = int(position[1]) - 1
            return index if 0 <= index < len(self.header) else None
        wanted = column_key(name)
        return next((i for i, head in enumerate(self.header) if column_key(head) == wanted), None)

    def columns_named(self, name: str) -> list[int]:
        wanted = column_key(name)
        return [i for i, head in enumerate(self.header) if column_key(head) == wanted]


def column_key(name: str) -> str:
    """A header as compared: `Objective title`, `objective_title`, ` OBJECTIVE  TITLE`."""
    return " ".join(name.replace("_", " ").split()).casefold()


def read_sheets(data: bytes, name: str, *, encoding: str | None = None) -> list[Sheet]:
    """Every sheet of a workbook, or the one table of a CSV file."""
    if not data.strip():
        raise UsageError(f"{name} is empty: nothing to import")
    if len(data) > MAX_BYTES:
        raise UsageError(f"{name} is larger than {MAX_BYTES // 2**20} MiB: not a table of OKRs")
    if data.startswith(b"PK\x03\x04"):
        return _workbook(data, name)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise UsageError(f"{name} is an old .xls workbook: save it as .xlsx or as CSV UTF-8")
    return [Sheet(name, tuple(_csv_rows(_decode(data, name, encoding), name)), csv=True)]


def find_table(sheets: Sequence[Sheet], required: Collection[str], what: str) -> Table:
    """The first sheet with a header row naming every `required` column, within the
    first rows (a title or a merged banner may sit above the header)."""
    wanted = {column_key(name) for name in required}
    for sheet in sheets:
        candidates = [row for row in sheet.rows if any(_filled(cell) for cell in row.cells)]
        for index, row in enumerate(candidates[:HEADER_SEARCH]):
            header = tuple(_header_text(cell) for cell in row.cells)
            if wanted <= {column_key(head) for head in header}:
                return Table(
                    sheet.name, header, row.line, tuple(candidates[index + 1 :]), sheet.csv
                )
    first = next((row for sheet in sheets for row in sheet.rows if any(row.cells)), None)
    seen = ", ".join(_header_text(cell) for cell in first.cells if _filled(cell)) if first else ""
    raise UsageError(
        f"{sheets[0].name if sheets else what}: no header row with the columns "
        f"{', '.join(sorted(required))} ({what}); the first row has: {seen[:300] or 'nothing'}"
    )


def _filled(cell: Any) -> bool:
    return cell is not None and not (isinstance(cell, str) and not cell.strip())


def _header_text(cell: Any) -> str:
    if cell is None:
        return ""
    if isinstance(cell, Formula):
        return cell.text
    return " ".join(str(cell).split())


def _decode(data: bytes, name: str, encoding: str | None) -> str:
    if encoding is not None:
        try:
            text = data.decode(encoding)
        except LookupError:
            raise UsageError(f"--encoding {encoding!r}: no such encoding") from None
        except UnicodeDecodeError as error:
            raise UsageError(f"{name} is not {encoding} text: {error.reason}") from None
        return text.removeprefix("\ufeff")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16").removeprefix("\ufeff")
        except UnicodeDecodeError:
            raise UsageError(f"{name} starts like UTF-16 text but is not") from None
    if b"\x00" in data:
        raise UsageError(
            f"{name} holds NUL bytes: not a CSV file (UTF-16 without a BOM? pass "
            "--encoding utf-16-le)"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise UsageError(
            f"{name}:{line}: not UTF-8 text (byte 0x{data[error.start]:02x}): save it as "
            "CSV UTF-8, or name its encoding, such as --encoding cp1252"
        ) from None


def _csv_rows(text: str, name: str) -> Iterator[Row]:
    first, _, rest = text.partition("\n")
    if first.strip().lower().startswith("sep=") and len(first.strip()) == 5:
        separator, text, offset = first.strip()[4], rest, 1  # Excel's separator hint
    else:
        separator, offset = _separator(first), 0
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    end = 0
    try:
        for cells in reader:
            start, end = end + 1, reader.line_num
            yield Row(start + offset, tuple(cells))
    except csv.Error as error:
        raise UsageError(f"{name}:{end + 1 + offset}: not a CSV table: {error}") from None


def _separator(header: str) -> str:
    """The separator of the header line: the most frequent of `,`, `;` and tab."""
    counts = {sep: header.count(sep) for sep in _SEPARATORS}
    best = max(_SEPARATORS, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def _workbook(data: bytes, name: str) -> list[Sheet]:
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(item.file_size for item in archive.infolist())
    except zipfile.BadZipFile:
        raise UsageError(f"{name} is not an xlsx workbook (a damaged zip file)") from None
    if unpacked > MAX_UNPACKED:
        raise UsageError(
            f"{name} unpacks to {unpacked // 2**20} MiB: not a workbook of OKRs (a zip bomb?)"
        )
    import warnings

    import openpyxl

    try:
        with warnings.catch_warnings():  # "no default style", unsupported extensions: noise
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(io.BytesIO(data), data_only=False)
    except Exception as error:  # openpyxl raises whatever its parsers raise
        raise UsageError(
            f"{name} is not an xlsx workbook itokr can read ({type(error).__name__}): "
            "save it from your spreadsheet as .xlsx or as CSV UTF-8"
        ) from None
    return [_worksheet(sheet, f"{name}[{sheet.title}]") for sheet in book.worksheets]


def _worksheet(sheet: Any, name: str) -> Sheet:
    if sheet.max_row > MAX_ROWS or sheet.max_column > MAX_COLUMNS:
        raise UsageError(
            f"{name} spans {sheet.max_row:,} rows and {sheet.max_column:,} columns; itokr "
            f"reads up to {MAX_ROWS:,} rows and {MAX_COLUMNS:,} columns"
        )
    grid = [[_value(cell) for cell in row] for row in sheet.iter_rows()]
    for merged in sheet.merged_cells.ranges:  # a merged cell's value belongs to each cell
        value = grid[merged.min_row - 1][merged.min_col - 1] if grid else None
        for row in range(merged.min_row - 1, min(merged.max_row, len(grid))):
            for column in range(merged.min_col - 1, min(merged.max_col, len(grid[row]))):
                grid[row][column] = value
    return Sheet(
        name, tuple(Row(number, tuple(cells)) for number, cells in enumerate(grid, 1)), False
    )


def _value(cell: Any) -> Any:
    value = cell.value
    if cell.data_type == "f":
        return Formula(getattr(value, "text", None) or str(value))
    if isinstance(value, int) and not isinstance(value, bool) and "0." in cell.number_format:
        return float(value)  # a whole number shown with decimals (`1.0`) was written so
    if value is None or isinstance(value, str | int | float | bool | dt.date):
        return value
    return str(value)  # a time, a duration, an error value: text, read as its field
