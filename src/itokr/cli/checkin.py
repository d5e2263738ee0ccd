"""`itokr checkin`: record progress in the YAML file, keeping every byte of it."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from itokr.cli.app import AsOf, as_of_date, command, root_path


class CheckinFormat(StrEnum):
    text = "text"
    json = "json"


# A negative VALUE (`-3`) is a value, not an unknown option.
@command(context_settings={"ignore_unknown_options": True})
def checkin(
    ctx: typer.Context,
    ref: Annotated[
        str, typer.Argument(metavar="REF", help="The key result, as OBJECTIVE_ID/KR_ID.")
    ],
    value: Annotated[
        str | None,
        typer.Argument(
            metavar="VALUE",
            help="The measured value of a metric or threshold; negative values work "
            "as they are (itokr checkin nps/score -3).",
            show_default=False,
        ),
    ] = None,
    date: Annotated[
        str | None,
        typer.Option(metavar="YYYY-MM-DD", help="When it was measured (default: --as-of, today)."),
    ] = None,
    confidence: Annotated[
        str | None, typer.Option(metavar="0..1", help="How likely the target is met, 0 to 1.")
    ] = None,
    note: Annotated[str | None, typer.Option(help="A short note kept with the check-in.")] = None,
    milestone: Annotated[
        str | None, typer.Option(metavar="TITLE", help="Mark this milestone done.")
    ] = None,
    done: Annotated[
        bool, typer.Option("--done", help="Mark a done/not-done key result done.")
    ] = False,
    undo: Annotated[
        bool, typer.Option("--undo", help="With --milestone or --done: mark it not done.")
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the diff it would make; write nothing.")
    ] = False,
    as_of: AsOf = None,
    output: Annotated[CheckinFormat, typer.Option("--format", "-f", help="text or json.")] = (
        CheckinFormat.text
    ),
) -> None:
    """Record a dated check-in of a metric or threshold, or mark a milestone done.

    The file keeps every comment, blank line and quote: a check-in adds its own
    lines, in date order, in the style of the check-ins around it. A key result
    written with `current:` has that line replaced by `checkins:` holding the new
    check-in (the old value stays in git history). Nothing is written while any
    OKR file is invalid (exit 1) or when the arguments are wrong (exit 2); the
    file is replaced atomically, and concurrent check-ins wait for each other.
    """
    from itokr.checkin import make_request, record
    from itokr.render.checkin import as_json, text

    request = make_request(
        ref,
        value,
        date=date,
        confidence=confidence,
        note=note,
        milestone=milestone,
        done=done,
        undo=undo,
        as_of=as_of_date(as_of),
    )
    outcome = record(request, root_path(ctx), Path.cwd(), dry_run=dry_run)
    if output is CheckinFormat.json:
        sys.stdout.write(as_json(outcome))
    elif dry_run:
        sys.stdout.write(outcome.diff)
        sys.stderr.write("dry run, nothing written: " + text(outcome))
    else:
        sys.stdout.write(text(outcome))
