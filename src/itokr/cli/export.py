"""`itokr export`: the OKRs as a spreadsheet, a row per key result, check-ins beside."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from itokr.cli.app import (
    Area,
    AsOf,
    Owner,
    PeriodName,
    as_of_date,
    check_filters,
    command,
    load,
    require_valid,
)
from itokr.errors import UsageError

# Excel reads a CSV file as UTF-8 only after a BOM; every CSV reader copes with one.
_BOM = "\ufeff"


class ExportFormat(StrEnum):
    csv = "csv"
    xlsx = "xlsx"


@command()
def export(
    ctx: typer.Context,
    output: Annotated[
        str,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="The file to write (atomically); - writes to stdout.",
            show_default=False,
        ),
    ],
    fmt: Annotated[
        ExportFormat | None,
        typer.Option(
            "--format",
            "-f",
            help="csv, or xlsx (a workbook: key results, then check-ins on a second sheet). "
            "Default: from the name of --output.",
            show_default=False,
        ),
    ] = None,
    checkins: Annotated[
        str | None,
        typer.Option(
            "--checkins",
            metavar="FILE",
            help="csv only: also write the check-ins (ref,value,date,confidence,note) here.",
        ),
    ] = None,
    kpis: Annotated[
        str | None,
        typer.Option(
            "--kpis",
            metavar="FILE",
            help="csv only: also write the KPIs here (their readings go with the check-ins).",
        ),
    ] = None,
    period: PeriodName = None,
    owner: Owner = None,
    area: Area = None,
    as_of: AsOf = None,
) -> None:
    """Write the OKRs to a spreadsheet (csv or xlsx) that `itokr import` reads back.

    One row per key result with its objective's columns, score, health and
    confidence as of --as-of, and every field that rebuilds it; check-ins on a
    second sheet (xlsx) or in --checkins FILE (csv); the KPIs on a third sheet
    (xlsx) or in --kpis FILE (csv), their readings among the check-ins under the
    KPI's id. A key result that tracks a KPI keeps its `kpi` link. Filters choose
    objectives; the KPIs are those of --owner and --area, and every KPI that an
    exported key result tracks. Check-ins dated after --as-of are left out. Text
    that a spreadsheet would run as a formula (= + - @ first) is written as text:
    in CSV with a leading '.
    """
    from itokr.render.transfer import export_summary
    from itokr.rootfiles import display_path
    from itokr.safewrite import write_new
    from itokr.transfer.exporting import Export, build, csv_text, workbook

    kind = fmt or (ExportFormat.xlsx if output.lower().endswith(".xlsx") else ExportFormat.csv)
    if kind is ExportFormat.xlsx and checkins is not None:
        raise UsageError("--checkins is for csv: an xlsx workbook has them on its second sheet")
    if kind is ExportFormat.xlsx and kpis is not None:
        raise UsageError("--kpis is for csv: an xlsx workbook has them on its third sheet")
    named = [name for name in (output, checkins, kpis) if name is not None]
    if len(set(named)) < len(named):
        raise UsageError("--output, --checkins and --kpis name one file: give each its own")
    if output == "-" and kind is ExportFormat.xlsx and sys.stdout.isatty():
        raise UsageError("an xlsx workbook is binary: write it to a file with --output FILE")
    day = as_of_date(as_of)
    tree = load(ctx)
    require_valid(tree)
    check_filters(tree, owner=owner, area=area, period=period)
    entries = [e for e in tree.entries if e.matches(owner=owner, area=area, period=period)]
    tracked = {getattr(kr, "kpi", None) for e in entries for kr in e.objective.key_results}
    chosen = [k for k in tree.kpis if k.id in tracked or k.matches(owner=owner, area=area)]
    result = build(entries, chosen, tree.config, day)
    if kind is ExportFormat.xlsx:
        data = workbook(result)
    else:
        data = (_BOM + csv_text(Export.header, result.rows)).encode("utf-8")
    shown = "stdout" if output == "-" else display_path(Path(output).absolute(), Path.cwd())
    if output == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        write_new(Path(output), data)
    if checkins is not None:
        text = _BOM + csv_text(Export.checkin_header, result.checkins)
        write_new(Path(checkins), text.encode("utf-8"))
    if kpis is not None:
        text = _BOM + csv_text(Export.kpi_header, result.kpis)
        write_new(Path(kpis), text.encode("utf-8"))
    summary = export_summary(
        shown,
        result,
        day,
        checkins=None if checkins is None else display_path(Path(checkins).absolute(), Path.cwd()),
        kpis=None if kpis is None else display_path(Path(kpis).absolute(), Path.cwd()),
        csv=kind is ExportFormat.csv,
    )
    (sys.stderr if output == "-" else sys.stdout).write(summary)
