"""`itokr import`: new objective files from a spreadsheet, a Viva Goals export or
itokr's own export, checked with the root before anything is written."""

from __future__ import annotations

import dataclasses
import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from itokr.cli.app import as_of_date, command, complain, root_path
from itokr.errors import PROBLEMS, ItokrError, UsageError

if TYPE_CHECKING:
    from itokr.loader import Tree
    from itokr.render.transfer import Outcome
    from itokr.rootfiles import Document
    from itokr.transfer.drafts import Parsed
    from itokr.transfer.sheets import Sheet


class Source(StrEnum):
    auto = "auto"
    itokr = "itokr"
    viva = "viva"
    csv = "csv"


class ImportFormat(StrEnum):
    text = "text"
    json = "json"


_LABELS = {
    Source.itokr: "itokr export",
    Source.viva: "Viva Goals explorer view",
    Source.csv: "spreadsheet",
}


def _pairs(maps: list[str]) -> list[tuple[str, str]]:
    pairs = []
    for item in maps:
        column, equals, field = item.rpartition("=")
        if not equals or not column.strip():
            raise UsageError(
                f"--map {item!r}: write COLUMN=FIELD, such as 'Objective=objective_title'"
            )
        pairs.append((column.strip(), field.strip()))
    return pairs


def _read(path: Path, encoding: str | None) -> list[Sheet]:
    from itokr.rootfiles import display_path, read_document
    from itokr.transfer.sheets import MAX_BYTES, read_sheets

    shown = display_path(path.absolute(), Path.cwd())
    document = read_document(path, shown, max_bytes=MAX_BYTES)
    if document.data is None:
        raise UsageError(f"{shown}: cannot read: {document.error}")
    return read_sheets(document.data, shown, encoding=encoding)


def _own_first(sheets: list[Sheet], name: str) -> list[Sheet]:
    """The workbook's sheet named `name` first (itokr's export names its sheets)."""
    return sorted(sheets, key=lambda sheet: not sheet.name.endswith(f"[{name}]"))


def _parse(
    sheets: list[Sheet],
    source: Source,
    pairs: list[tuple[str, str]],
    extras: tuple[list[Sheet] | None, list[Sheet] | None],
    tree: Tree,
) -> Parsed:
    from itokr.transfer import tabular, viva
    from itokr.transfer.drafts import Parsed
    from itokr.transfer.exporting import CHECKINS_SHEET, KEY_RESULTS_SHEET, KPIS_SHEET
    from itokr.transfer.sheets import POSITION, find_table

    periods = {name: (p.start, p.end) for name, p in tree.config.periods.items()}
    main = _own_first(sheets, KEY_RESULTS_SHEET)
    if source is Source.auto:
        source = _detect(main, pairs)
    checkins, kpis = extras
    if source is Source.viva:
        if checkins is not None:
            raise UsageError("--checkins: a Viva Goals export has its check-ins in its rows")
        if kpis is not None:
            raise UsageError("--kpis: a Viva Goals export has no KPIs")
        table = find_table(main, viva.REQUIRED, "a Viva Goals explorer-view export")
        parsed = Parsed(table.name, _LABELS[source])
        viva.read_rows(parsed, table, viva.column_map(table, pairs), periods)
        return parsed
    named = [column for column, field in pairs if field and not POSITION.fullmatch(column)]
    wanted = named or list(tabular.OWN_COLUMNS)
    what = "itokr's export" if source is Source.itokr else "the --map columns"
    table = find_table(main, wanted, what)
    parsed = Parsed(table.name, _LABELS[source])
    own = source is Source.itokr
    tabular.read_rows(parsed, table, tabular.mapping(table, pairs), periods, own_export=own)
    if kpis is None and not table.csv:
        kpis = [s for s in sheets if s.name.endswith(f"[{KPIS_SHEET}]")] or None
    if kpis is not None:
        tabular.read_kpis(parsed, find_table(kpis, tabular.KPI_COLUMNS, "KPIs"))
    if checkins is None and not table.csv:
        checkins = [s for s in sheets if s.name.endswith(f"[{CHECKINS_SHEET}]")] or None
    if checkins is not None:
        readings = find_table(checkins, ("ref", "date", "value"), "check-ins")
        tabular.read_checkins(parsed, readings, {kpi.id for kpi in tree.kpis})
    return parsed


def _detect(sheets: list[Sheet], pairs: list[tuple[str, str]]) -> Source:
    from itokr.transfer import tabular, viva
    from itokr.transfer.sheets import find_table

    for source, columns in ((Source.itokr, tabular.OWN_COLUMNS), (Source.viva, viva.REQUIRED)):
        try:
            find_table(sheets, columns, "")
        except UsageError:
            continue
        return source
    if pairs:
        return Source.csv
    raise UsageError(
        f"{sheets[0].name if sheets else 'the file'}: neither itokr's export nor a Viva Goals "
        "export; say which column holds what with --map COLUMN=FIELD "
        "(at least objective_title and kr_title)"
    )


def _into(root: Path, into: Path | None) -> Path:
    if into is None:
        return root
    target = Path(os.path.realpath(into))
    inside = os.path.realpath(root)
    if os.path.commonpath([target, inside]) != inside:
        hint = root / into if not into.is_absolute() else None
        raise UsageError(
            f"--into {into}: not inside the OKR root {root}"
            + (f" (did you mean {hint}?)" if hint else "")
        )
    if target.exists() and not target.is_dir():
        raise UsageError(f"--into {into}: not a directory")
    below = Path(os.path.relpath(target, inside)).parts
    if any(part.startswith(".") and part != "." for part in below):
        raise UsageError(f"--into {into}: itokr does not read hidden folders; pick another")
    return target


def _write(
    outcome: Outcome, into: Path, root: Path, config: Document | None, new: bytes | None
) -> None:
    from itokr.rootfiles import CONFIG_NAME
    from itokr.safewrite import create_file, create_files, remove_files, replace_file, root_lock

    files = [(into / item.path, item.text.encode("utf-8")) for item in outcome.plan.files]
    with root_lock(root):
        created = create_files(files, within=root)
        if new is None:
            return
        try:
            if config is not None and config.data is not None:
                replace_file(root / CONFIG_NAME, config.data, new)
            else:
                create_file(root / CONFIG_NAME, new, within=root)
        except BaseException:
            remove_files(created)
            raise


@command("import")
def import_(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(metavar="FILE", help="A CSV file or an xlsx workbook.", show_default=False),
    ],
    checkins: Annotated[
        Path | None,
        typer.Option(
            "--checkins",
            metavar="FILE",
            help="Check-ins as ref,value,date,confidence,note (itokr's export of a CSV).",
        ),
    ] = None,
    kpis: Annotated[
        Path | None,
        typer.Option(
            "--kpis",
            metavar="FILE",
            help="KPIs as itokr's export writes them with --kpis (csv); their readings are "
            "the check-ins whose ref is a KPI's id. Written to kpis.yaml.",
        ),
    ] = None,
    into: Annotated[
        Path | None,
        typer.Option(
            "--into",
            metavar="DIR",
            help="A folder inside the root for the new files (default: the root; created).",
        ),
    ] = None,
    source: Annotated[
        Source,
        typer.Option(
            "--from",
            help="itokr (its own export), viva (a Viva Goals explorer-view CSV), csv (any "
            "spreadsheet, with --map), or auto: told by the header.",
        ),
    ] = Source.auto,
    maps: Annotated[
        list[str] | None,
        typer.Option(
            "--map",
            metavar="COL=FIELD",
            help="Column COL holds FIELD: objective_title, kr_title, owner, area, period, "
            "baseline, target, current, unit, ... (the export's column names; "
            "checkin_date, checkin_value for a check-in per row). COL= ignores COL.",
        ),
    ] = None,
    encoding: Annotated[
        str | None,
        typer.Option(metavar="NAME", help="The CSV file's encoding when not UTF-8 (cp1252)."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the files it would write; write nothing.")
    ] = False,
    fmt: Annotated[
        ImportFormat, typer.Option("--format", "-f", help="text, or json (a summary).")
    ] = ImportFormat.text,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of", metavar="YYYY-MM-DD", help="The import's date in the files' header."
        ),
    ] = None,
) -> None:
    """Import objectives, key results and check-ins from a spreadsheet into new files.

    One file per period and owner (ROOT/PERIOD/OWNER.yaml), never overwriting;
    ids are slugs of titles, unique in the root; periods other than YYYY-Qn,
    YYYY-Hn and YYYY are defined in itokr.yaml from their dates. Nothing is
    written (exit 1) when a row cannot be mapped (FILE:LINE:COL: CODE reason),
    when an objective is already in the root (same title and period), or when
    the result would not validate with the root. Exit 2: FILE is no such table.

    KPIs (a workbook's kpis sheet, or --kpis FILE) go to kpis.yaml with their
    readings, keeping their ids: one the root has already is refused (exit 1).
    A key result's kpi link must name a KPI imported or in the root.
    """
    from itokr.loader import load_documents, read_root
    from itokr.render import transfer as render
    from itokr.rootfiles import CONFIG_NAME, Document, display_path
    from itokr.transfer.configedit import with_periods
    from itokr.transfer.newfiles import check, plan

    pairs = _pairs(maps or [])
    root = root_path(ctx)
    target = _into(root, into)
    sheets = _read(file, encoding)
    extra = tuple(_read(path, encoding) if path is not None else None for path in (checkins, kpis))
    config, documents = read_root(root, Path.cwd())
    tree = load_documents(documents, config)
    if not tree.ok:
        count = len(tree.findings)
        raise ItokrError(
            f"refusing to import while the OKR root has {count} problem{'s' * (count != 1)}: "
            "run `itokr validate`"
        )
    parsed = _parse(sheets, source, pairs, (extra[0], extra[1]), tree)
    if not parsed.objectives and not parsed.findings:
        complain(f"nothing to import: {parsed.source} has no rows of objectives")
        return
    result = plan(
        parsed,
        tree.entries,
        tree.kpis,
        tree.config,
        exists=lambda path: os.path.lexists(target / path),
        day=as_of_date(as_of),
    )
    cwd = Path.cwd()
    config_shown = config.path if config is not None else display_path(root / CONFIG_NAME, cwd)
    shown = [display_path(target / item.path, cwd) for item in result.files]
    outcome = render.Outcome(
        parsed.source, parsed.label, result, shown, config_shown, written=False
    )
    new_config = None
    findings = list(result.findings)
    why = "in the rows"
    if not findings:
        if result.periods:
            new_config = with_periods(config.data if config else None, result.periods)
        after = Document(config_shown, new_config) if new_config is not None else config
        findings = check(outcome.files, documents, after)
        why = "in the files it would write"
    if findings:
        outcome = dataclasses.replace(outcome, findings=findings)
        if fmt is ImportFormat.json:
            sys.stdout.write(render.as_json(outcome, dry_run=dry_run))
        else:
            sys.stdout.write(render.findings_text(findings, why))
        raise typer.Exit(PROBLEMS)
    if not dry_run:
        _write(outcome, target, root, config, new_config)
        outcome = dataclasses.replace(outcome, written=True)
    if fmt is ImportFormat.json:
        sys.stdout.write(render.as_json(outcome, dry_run=dry_run))
    elif dry_run:
        sys.stdout.write(render.files_text(outcome))
        sys.stderr.write(render.summary(outcome))
    else:
        sys.stdout.write(render.summary(outcome))
