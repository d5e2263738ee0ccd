"""Rows of itokr's own export, or of any spreadsheet mapped column by column.

A row holds an objective's columns and (usually) one key result's. Rows that
name the same objective, by `objective_id` or else by `objective_title`, build
it together; a row whose objective cells are blank continues the objective
above (a layout spreadsheets love), and so does a row holding only a check-in.
Cells that two rows of one objective or key result both fill must agree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from itokr.errors import UsageError
from itokr.transfer import fields
from itokr.transfer.cells import CellError
from itokr.transfer.drafts import DraftKpi, DraftKR, DraftObjective, Parsed, place_period
from itokr.transfer.fields import CHECKIN_FIELDS, IMPORTABLE, KPI_FIELDS, Field
from itokr.transfer.sheets import Row, Table

OWN_COLUMNS = ("objective_title", "kr_title")  # the header that marks itokr's export
KPI_COLUMNS = ("id", "title", "good", "bad")  # the header of its KPIs sheet
_PERIOD_KEYS = ("period", "start", "end")


def mapping(table: Table, pairs: Sequence[tuple[str, str]]) -> dict[str, int]:
    """FIELD -> column: every header named like a field, then each `--map COL=FIELD`."""
    found = {name: column for name in IMPORTABLE if (column := table.column(name)) is not None}
    found = remap(table, found, pairs, IMPORTABLE)
    if not ({"objective_title", "objective_id"} & found.keys() and "kr_title" in found):
        raise UsageError(
            f"{table.name}: map a column to objective_title and one to kr_title, such as "
            "--map 'Objective=objective_title' --map 'Key result=kr_title' "
            "(see `itokr import --help` for every FIELD)"
        )
    return found


def remap(
    table: Table,
    found: Mapping[str, int],
    pairs: Sequence[tuple[str, str]],
    allowed: Collection[str],
) -> dict[str, int]:
    """`found` (FIELD -> column) after each `--map COL=FIELD`: COL now fills FIELD and
    nothing else; an empty FIELD leaves COL out."""
    result = dict(found)
    for column_name, name in pairs:
        if name and name not in allowed:
            raise UsageError(
                f"--map {column_name}={name}: no field {name!r}; the fields: "
                f"{', '.join(sorted(allowed))}"
            )
        named = table.columns_named(column_name)
        if len(named) > 1:
            places = " and ".join(f"#{i + 1}" for i in named)
            raise UsageError(
                f"--map {column_name}={name}: {table.name} has {len(named)} columns named "
                f"{column_name!r} ({places}): name the one you mean by its place, such as "
                f"--map '#{named[-1] + 1}={name}'"
            )
        column = table.column(column_name)
        if column is None:
            raise UsageError(
                f"--map {column_name}={name}: {table.name} has no column {column_name!r}; "
                f"its columns: {', '.join(head for head in table.header if head)[:400]}"
            )
        result = {key: value for key, value in result.items() if value != column}
        if name:
            result[name] = column
    return result


def read_rows(
    parsed: Parsed,
    table: Table,
    columns: Mapping[str, int],
    named: Mapping[str, tuple[dt.date, dt.date]],
    *,
    own_export: bool,
) -> None:
    """Objectives and key results from `table`'s rows, into `parsed`."""
    by_key: dict[str, DraftObjective] = {}
    key_results: dict[tuple[str, str], DraftKR] = {}
    objective: DraftObjective | None = None
    key_result: DraftKR | None = None
    period_at = columns.get("period", columns.get("start", 0)) + 1
    for row in table.rows:
        values = _values(parsed, table, row, columns, strip=not own_export)
        if values is None:
            continue
        named_by = values.get("objective_id") or values.get("objective_title")
        if named_by is not None:
            if named_by not in by_key:
                if "objective_title" not in values:
                    parsed.problem(row.line, 1, "I101", "the objective has no title")
                    continue
                by_key[named_by] = DraftObjective(row.line, named_by, {}, f"line {row.line}")
                parsed.objectives.append(by_key[named_by])
            if by_key[named_by] is not objective:
                objective, key_result = by_key[named_by], None
        elif objective is None:
            parsed.problem(row.line, 1, "I101", "no objective title, and no objective above")
            continue
        _merge(parsed, table, row, columns, objective, values, "objective")
        objective.parents += [p for p in values.get("aligns_to", ()) if p not in objective.parents]
        kr_named = values.get("kr_id") or values.get("kr_title")
        if kr_named is not None:
            found = key_results.get((objective.source_id, kr_named))
            if found is None:
                found = key_results[(objective.source_id, kr_named)] = DraftKR(row.line, {})
                objective.key_results.append(found)
            key_result = found
            _merge(parsed, table, row, columns, key_result, values, "key_result")
        checkin = {
            key.removeprefix("checkin_"): v for key, v in values.items() if "checkin_" in key
        }
        if checkin:
            _add_checkin(parsed, table.name, row.line, key_result, checkin)
    for draft in parsed.objectives:
        period = {key: draft.data.pop(key) for key in _PERIOD_KEYS if key in draft.data}
        draft.data |= place_period(
            parsed,
            named,
            (draft.line, period_at),
            period.get("period"),
            period.get("start"),
            period.get("end"),
        )


def read_kpis(parsed: Parsed, table: Table) -> None:
    """The KPIs sheet or file: a row per KPI (the computed columns are left alone)."""
    wanted = [f for f in KPI_FIELDS if f.level == "kpi"]
    columns = {f.name: c for f in wanted if (c := table.column(f.name)) is not None}
    parsed.kpi_source = table.name
    for row in table.rows:
        values = _values(parsed, table, row, columns, strip=False, fields_=wanted)
        if values is not None:
            parsed.kpis.append(DraftKpi(row.line, values))


def read_checkins(parsed: Parsed, table: Table, root_kpis: Collection[str] = ()) -> None:
    """The check-ins sheet or file: `ref,value,date,confidence,note` (and `by`), a ref
    being `objective_id/kr_id` as the key-result rows name them, or a KPI's id. The
    readings of a KPI of the root (`root_kpis`) not imported are left out, and said."""
    columns = {f.name: c for f in CHECKIN_FIELDS if (c := table.column(f.name)) is not None}
    known: dict[str, DraftKR] = {
        f"{objective.source_id}/{kr.data.get('id') or kr.data.get('title')}": kr
        for objective in parsed.objectives
        for kr in objective.key_results
    }
    known |= {str(kpi.data.get("id")): kpi for kpi in parsed.kpis}
    kept_out: dict[str, int] = {}
    for row in table.rows:
        values = _values(parsed, table, row, columns, strip=False, fields_=CHECKIN_FIELDS)
        if values is None:
            continue
        ref = str(values.pop("ref", ""))
        key_result = known.get(ref)
        if key_result is None and ref in root_kpis:
            kept_out[ref] = kept_out.get(ref, 0) + 1
            continue
        if key_result is None:
            what = (
                f"a reading of {ref}, which is no KPI of {parsed.kpi_source}"
                if parsed.kpi_source
                else f"a reading of {ref}, but no KPIs were read: give --kpis FILE "
                "(itokr export --kpis FILE writes it)"
            )
            parsed.problem(
                row.line,
                columns.get("ref", 0) + 1,
                "I106",
                f"check-in of {ref or 'no key result'}, which is no key result of {parsed.source}"
                if "/" in ref or not ref
                else what,
                source=table.name,
            )
            continue
        _add_checkin(parsed, table.name, row.line, key_result, values)
    parsed.notes += [
        f"KPI {kpi}: {count} reading{'s' * (count != 1)} left out: the KPI is in the root "
        "already, and import writes only new files (itokr checkin records a reading)"
        for kpi, count in kept_out.items()
    ]


def _values(
    parsed: Parsed,
    table: Table,
    row: Row,
    columns: Mapping[str, int],
    *,
    strip: bool,
    fields_: Sequence[Field] | None = None,
) -> dict[str, Any] | None:
    """The row's fields as values; None for a blank row or one with a bad cell."""
    lookup = {f.name: f for f in fields_} if fields_ is not None else IMPORTABLE
    values: dict[str, Any] = {}
    bad = False
    for name, column in columns.items():
        try:
            value = fields.read(lookup[name], row.get(column), csv=table.csv, strip=strip)
        except CellError as error:
            head = table.header[column] or f"column {column + 1}"
            parsed.problem(
                row.line, column + 1, error.code, f"{head}: {error.message}", source=table.name
            )
            bad = True
            continue
        if value is not None:
            values[name] = value
    return None if bad or not values else values


def _merge(
    parsed: Parsed,
    table: Table,
    row: Row,
    columns: Mapping[str, int],
    draft: DraftObjective | DraftKR,
    values: Mapping[str, Any],
    level: str,
) -> None:
    """Fill the draft's keys from this row; a key already filled must agree."""
    for name, value in values.items():
        field = IMPORTABLE[name]
        if field.level != level or field.kind == "slugs":
            continue
        before = draft.data.get(field.key)
        if before is None:
            draft.data[field.key] = value
        elif before != value:
            parsed.problem(
                row.line,
                columns[name] + 1,
                "I105",
                f"{name} is {value!r} here but {before!r} on line {draft.line} "
                f"for the same {level.replace('_', ' ')}",
                source=table.name,
            )


def _add_checkin(
    parsed: Parsed, source: str, line: int, key_result: DraftKR | None, values: dict[str, Any]
) -> None:
    if key_result is None:
        parsed.problem(line, 1, "I106", "a check-in with no key result to belong to", source=source)
        return
    if "date" not in values:  # without a value it is a status update: the key result says
        parsed.problem(line, 1, "I101", "a check-in without date", source=source)
        return
    checkin: dict[str, Any] = {
        key: values[key] for key in ("date", "value", "confidence", "note", "by") if key in values
    }
    key_result.checkins.append((line, checkin))
