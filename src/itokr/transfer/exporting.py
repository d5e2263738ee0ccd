"""The root as a spreadsheet: a row per key result with its objective's columns, its
check-ins on a second sheet, and its KPIs on a third (`itokr export`).

The OKRs are read as they were known on `as_of` (SPEC §2): check-ins dated later
are left out, and the scores, health and confidence are those of that day. Every
field that rebuilds an objective file is a column, so `itokr import` of the
result gives back the same objectives, key results, numbers and check-ins. A key
result that tracks a KPI carries its `kpi` column and no check-ins of its own: the
KPI's readings are check-ins whose ref is the KPI's id.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from itokr.crosscheck import Entry
from itokr.emit import number_text
from itokr.kpis import KpiEntry, score_kpi, tracking
from itokr.model.checkins import Checkin
from itokr.model.config import Config
from itokr.model.keyresults import Metric, Threshold, dated_checkins
from itokr.scoring import KeyResultScore, ObjectiveScore, score_all
from itokr.transfer.cells import formula_like, guard
from itokr.transfer.fields import (
    CHECKIN_FIELDS,
    FIELDS,
    KPI_FIELDS,
    Field,
    milestones_text,
    source_text,
)

KEY_RESULTS_SHEET, CHECKINS_SHEET, KPIS_SHEET = "key_results", "checkins", "kpis"
DECIMAL_FORMAT = "0.0"  # of a whole number written as a float (`1.0`)
_EXACT_IN_A_DOUBLE = 2**53  # a larger integer is written as text, or a spreadsheet rounds it


@dataclass(frozen=True)
class Export:
    """The rows of the three sheets, as typed values (text, numbers, dates, flags, None)."""

    rows: tuple[tuple[Any, ...], ...]
    checkins: tuple[tuple[Any, ...], ...]
    kpis: tuple[tuple[Any, ...], ...]
    objectives: int
    left_out: int  # check-ins and readings dated after `as_of`

    header: ClassVar = tuple(field.name for field in FIELDS)
    checkin_header: ClassVar = tuple(field.name for field in CHECKIN_FIELDS)
    kpi_header: ClassVar = tuple(field.name for field in KPI_FIELDS)


def build(
    entries: Sequence[Entry], kpis: Sequence[KpiEntry], config: Config, as_of: dt.date
) -> Export:
    """Rows for `entries` and `kpis` (already chosen by the caller) as known on `as_of`:
    scoring reads them so (`itokr.asof`), and the check-ins written are the ones it kept."""
    rows: list[tuple[Any, ...]] = []
    checkins: list[tuple[Any, ...]] = []
    for score in score_all(entries, config, as_of):
        objective = _objective_values(score)
        for result in score.key_results:
            values = objective | _key_result_values(result)
            rows.append(tuple(_cell(field, values.get(field.name)) for field in FIELDS))
            if getattr(result.key_result, "kpi", None) is not None:
                continue  # its check-ins are its KPI's readings, which go with the KPI
            checkins += [_checkin_row(result.ref, c) for c in dated_checkins(result.key_result)]
    kpi_rows: list[tuple[Any, ...]] = []
    refs = tracking(entries)
    for kpi in kpis:
        known = score_kpi(kpi, config, as_of, refs.get(kpi.id, ()))
        values = kpi.kpi.model_dump(exclude_none=True, exclude={"checkins"})
        values |= {"owner": kpi.owner, "area": kpi.area, "value": known.value}
        values |= {"band": known.band, "stale": known.stale, "last_checkin": known.last_checkin}
        if kpi.kpi.source is not None:
            values["source"] = source_text(kpi.kpi.source)
        kpi_rows.append(tuple(values.get(field.name) for field in KPI_FIELDS))
        checkins += [_checkin_row(kpi.id, reading) for reading in known.readings]
    in_files = sum(
        len(dated_checkins(kr))
        for entry in entries
        for kr in entry.objective.key_results
        if getattr(kr, "kpi", None) is None
    ) + sum(len(kpi.kpi.checkins or ()) for kpi in kpis)
    return Export(
        tuple(rows), tuple(checkins), tuple(kpi_rows), len(entries), in_files - len(checkins)
    )


def _checkin_row(ref: str, checkin: Any) -> tuple[Any, ...]:
    """A check-in's row; a status update (a milestone's, a binary's) has no value."""
    value = checkin.value if isinstance(checkin, Checkin) else None
    return (ref, value, checkin.date, checkin.confidence, checkin.note, checkin.by)


def _objective_values(score: ObjectiveScore) -> dict[str, Any]:
    entry, objective, period = score.entry, score.entry.objective, score.entry.period
    return {
        "objective_id": objective.id,
        "objective_title": objective.title,
        "owner": entry.owner,
        "area": entry.area,
        "period": period.name if period else None,
        "type": objective.type,
        "objective_score": round(score.score, 2),
        "objective_health": score.health,
        "aligns_to": objective.aligns_to or None,
        "objective_reason": objective.reason,
        "description": objective.description,
        # a period's dates too: a root without its definition can still place it
        "start": period.start if period else None,
        "end": period.end if period else None,
    }


def _key_result_values(result: KeyResultScore) -> dict[str, Any]:
    kr = result.key_result
    data = kr.model_dump(exclude_none=True, exclude={"checkins"})
    values = {
        field.name: data.get(field.key)
        for field in FIELDS
        if field.level == "key_result" and field.key in data
    }
    if isinstance(kr, Metric | Threshold):
        values["current"] = kr.value  # the newest check-in's, else `current`
        values["source"] = source_text(kr.source) if kr.source is not None else None
    values["score"] = round(result.score, 2)
    values["health"] = result.health
    values["confidence"] = None if result.confidence is None else round(result.confidence, 2)
    return values


def _cell(field: Field, value: Any) -> Any:
    if value is None:
        return None
    if field.kind == "slugs":
        return ", ".join(value)
    if field.kind == "milestones":
        return milestones_text(value)
    return value


def csv_text(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """RFC 4180 CSV (`\\r\\n` line ends); formula-like text guarded with a leading `'`."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows([_csv_cell(value) for value in row] for row in rows)
    return out.getvalue()


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return number_text(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return guard(str(value))


def workbook(export: Export) -> bytes:
    """An xlsx workbook: the key results, the check-ins, then the KPIs, each with a
    frozen, filterable header; numbers and dates typed; text kept as text."""
    import openpyxl
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = openpyxl.Workbook()
    first = book.active
    assert first is not None  # a new workbook has one sheet
    first.title = KEY_RESULTS_SHEET
    sheets = [
        (first, export.header, export.rows),
        (book.create_sheet(CHECKINS_SHEET), export.checkin_header, export.checkins),
        (book.create_sheet(KPIS_SHEET), export.kpi_header, export.kpis),
    ]
    for sheet, header, rows in sheets:
        sheet.append(list(header))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append([None] * len(header))
            for column, value in enumerate(row, 1):
                _put(sheet.cell(row=sheet.max_row, column=column), value)
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = sheet.dimensions
        for column, name in enumerate(header, 1):
            width = max([len(name), *(len(str(row[column - 1] or "")) for row in rows[:200])])
            sheet.column_dimensions[get_column_letter(column)].width = min(max(width + 2, 8), 60)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _inexact(value: Any) -> bool:
    """A number a workbook cell would round: openpyxl writes 16 significant digits, and
    an integer past 2**53 is no double. Such a number is written as text, exactly."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return abs(value) > _EXACT_IN_A_DOUBLE
    return isinstance(value, float) and float(f"{value:.16g}") != value


def _put(cell: Any, value: Any) -> None:
    if _inexact(value):
        value = number_text(value)
    if isinstance(value, dt.date):
        cell.value = value
        cell.number_format = "yyyy-mm-dd"
    elif isinstance(value, str):
        cell.value = value
        cell.data_type = "s"  # never a formula, whatever it starts with
        if formula_like(value):
            cell.quotePrefix = True  # as a spreadsheet marks text typed after a `'`
    else:
        cell.value = value
        if isinstance(value, float) and value.is_integer():
            # shown as written (`1.0`), and so read back a float: status JSON says 1.0
            cell.number_format = DECIMAL_FORMAT
