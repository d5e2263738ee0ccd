"""`itokr validate`: schema and cross-file checks, for people and for CI."""

from __future__ import annotations

import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from itokr.cli.app import command, finish, load, parse_date, root_path
from itokr.cli.paths import chosen, within
from itokr.errors import PROBLEMS


class FindingFormat(StrEnum):
    text = "text"
    json = "json"
    github = "github"
    auto = "auto"


FormatOption = Annotated[
    FindingFormat,
    typer.Option(
        "--format",
        "-f",
        help="text (path:line:col: CODE message), json, github (annotations), "
        "or auto: github inside GitHub Actions, else text.",
    ),
]


# Accepted so that every command reading OKRs takes it (a script can pass one date to
# all), and checked like theirs; no check reads the date (none compares with today).
AsOfAccepted = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        metavar="YYYY-MM-DD",
        help="Accepted as by every command that reads OKRs; no check depends on the "
        "date, so the result is the same on any day.",
    ),
]


def resolve_format(value: FindingFormat) -> str:
    if value is FindingFormat.auto:
        return "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"
    return value.value


@command()
def validate(
    ctx: typer.Context,
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            metavar="PATH",
            help="Files or directories to report on (default: the whole root). They are "
            "checked in the context of the whole root, so ids in other files count, and a "
            "problem placed in another file that involves them (their id used again there, "
            "an alignment cycle through them) is reported too.",
            show_default=False,
        ),
    ] = None,
    output: FormatOption = FindingFormat.text,
    as_of: AsOfAccepted = None,
) -> None:
    """Check the OKR files: YAML, schema, ids, alignment, periods.

    Exits 1 when any problem is found, so CI fails on a malformed or incomplete
    OKR. Every problem is reported as path:line:col: CODE message. Codes: E0xx the
    file or its YAML, E1xx a key or value, E2xx inside an objective or key result,
    E3xx across files (ids, alignment, periods, areas).
    """
    from itokr.render.findings import FORMATS

    parse_date(as_of, "--as-of")  # a bad date is misuse here too (exit 2)
    root = root_path(ctx)
    reported = chosen(paths or [], root)
    tree = load(ctx)
    findings, files = list(tree.findings), tree.files
    if reported:
        # a problem across files that involves a PATH counts, wherever it is placed:
        # `dup.yaml` repeating an id first used in it is reported at the later file
        findings = [f for f in findings if f.concerns(lambda path: within(path, reported))]
        named = {str(path) for path in _checked_files(root) if within(str(path), reported)}
        files = len({Path(path).resolve() for path in named | {f.path for f in findings}})
    sys.stdout.write(FORMATS[resolve_format(output)](findings, files))
    finish(PROBLEMS if findings else 0)


def _checked_files(root: Path) -> list[Path]:
    from itokr.rootfiles import CONFIG_NAME, objective_files

    config = root / CONFIG_NAME
    return objective_files(root) + ([config] if config.is_file() else [])
