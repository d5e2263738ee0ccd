"""`itokr measure`: record check-ins read from each key result's and KPI's `source:`."""

from __future__ import annotations

import datetime as dt
import os
import re
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from itokr.cli.app import as_of_date, command, finish, parse_date, root_path
from itokr.errors import PROBLEMS, UsageError

_EVERY = re.compile(r"([1-9][0-9]{0,3})([dw])")


class MeasureFormat(StrEnum):
    text = "text"
    json = "json"
    github = "github"


def _every(text: str) -> int:
    """`--every` in days: `7d`, `2w`."""
    match = _EVERY.fullmatch(text.strip())
    if match is None:
        raise UsageError(f"--every {text!r}: write a number of days or weeks, such as 7d or 2w")
    return int(match[1]) * (7 if match[2] == "w" else 1)


@command()
def measure(
    ctx: typer.Context,
    refs: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="REF",
            help="Objectives, key results (OBJECTIVE_ID/KR_ID) or KPIs to measure (default: "
            "all with a `source:`).",
            show_default=False,
        ),
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of", metavar="YYYY-MM-DD", help="Measure the end of this day (default: today)."
        ),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(
            metavar="YYYY-MM-DD",
            help="Backfill: measure this day, then every --every days up to --as-of.",
        ),
    ] = None,
    every: Annotated[
        str | None,
        typer.Option(
            metavar="Nd|Nw", help="With --since: the step, such as 7d or 2w (default 7d)."
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Read the sources and print the diff; write nothing.")
    ] = False,
    output: Annotated[
        MeasureFormat,
        typer.Option("--format", "-f", help="text, json, or github (annotations for Actions)."),
    ] = MeasureFormat.text,
) -> None:
    """Read each `source:` of a key result or KPI and record the number as a check-in.

    A metric or threshold key result, or a KPI, whose `source:` names source
    NAME of itokr.yaml (Prometheus, JSON over HTTP, a CSV or JSON file, a
    command) reads it at the end of the --as-of day, UTC, and gets one check-in
    dated that day with `by: NAME`; a KPI's reading moves the key results that
    track it. --since D --every 7d backfills D, D+7, ... and --as-of. Only days
    inside a key result's period count (a KPI has none: every day does); a day
    that has a check-in keeps it (a person's number wins). A source that fails
    is a finding (path:line:col: CODE) and what reads it gets nothing; the
    others are recorded; exit 1. Files are written as `itokr checkin` writes them:
    verified, locked, atomic, once per file; never while an OKR file is invalid.
    """
    from itokr.measure import dates, measure

    today = dt.date.today()
    day = as_of_date(as_of)  # main's one date parser: YYYY-MM-DD of 1900-2999
    if day > today:
        raise UsageError(f"--as-of {day} is after today: measure reads what has happened")
    start = parse_date(since, "--since")
    if start is None and every is not None:
        raise UsageError("--every is the step of a backfill: give --since too")
    if start is not None and start > day:
        raise UsageError(f"--since {start} is after --as-of {day}: nothing to backfill")
    outcome = measure(
        root_path(ctx),
        Path.cwd(),
        refs=refs or [],
        days=dates(day, start, _every(every or "7d")),
        env=os.environ,
        now=dt.datetime.now(dt.UTC),
        dry_run=dry_run,
    )
    from itokr.render import measure as render

    if output is MeasureFormat.json:
        sys.stdout.write(render.as_json(outcome))
    elif output is MeasureFormat.github:
        sys.stdout.write(render.github(outcome))
    else:
        out, err = render.text(outcome)
        sys.stderr.write(err)  # the failures first: the summary line ends the run
        sys.stdout.write(out)
    finish(0 if outcome.ok else PROBLEMS)
