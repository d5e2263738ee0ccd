"""`itokr smart`: are the goals good enough to commit to? A linter CI can gate on."""

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
    complain,
    finish,
    require_valid,
    root_path,
    use_color,
)
from itokr.cli.paths import chosen, within
from itokr.errors import PROBLEMS, UsageError


class SmartFormat(StrEnum):
    table = "table"
    json = "json"
    github = "github"
    sarif = "sarif"


@command()
def smart(
    ctx: typer.Context,
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            metavar="PATH",
            help="Only the objectives in these files or directories (default: the whole "
            "root), as pre-commit passes them; ids and alignment still come from the root.",
            show_default=False,
        ),
    ] = None,
    min_score: Annotated[
        float | None,
        typer.Option(
            "--min-score",
            min=0.0,
            max=1.0,
            metavar="X",
            help="Exit 1 when any objective's SMART score is below X (0-1).",
        ),
    ] = None,
    strict: Annotated[
        bool,
        typer.Option("--strict", help="Exit 1 on any miss, warnings included."),
    ] = False,
    owner: Owner = None,
    area: Area = None,
    period: PeriodName = None,
    explain: Annotated[
        str | None,
        typer.Option(
            "--explain",
            metavar="CODE",
            help="Show one rule (M203...): why it matters, with a passing and a failing example.",
        ),
    ] = None,
    as_of: AsOf = None,
    output: Annotated[
        SmartFormat,
        typer.Option(
            "--format",
            "-f",
            help="table (for people), json (one document), github (annotations) or sarif "
            "(code scanning).",
        ),
    ] = SmartFormat.table,
) -> None:
    """Check that each objective is Specific, Measurable, Attainable, Relevant, Time-bound.

    Shows, per objective, which letters pass, its SMART score (the share of the
    five it passes) and, under each miss, the reason and the fix. Warnings are
    advice and change no letter. Exits 0 unless asked to enforce: --min-score X
    fails when any objective scores below X, --strict on any miss or warning.
    Suppress an agreed exception with `# itokr: disable=CODE` on the `- id:` line
    of the objective or key result. `--explain CODE` shows a rule with examples.
    """
    from itokr.loader import load_root
    from itokr.rootfiles import read_shown
    from itokr.smart import RULES, check

    if explain is not None:
        from itokr.render.smart import explain_rule

        rule = RULES.get(explain.upper())
        if rule is None:
            raise UsageError(f"--explain {explain}: no such rule; the rules are {', '.join(RULES)}")
        sys.stdout.write(explain_rule(rule))
        return
    day = as_of_date(as_of)  # the confidence rules read the check-ins known on that day
    files = chosen(paths or [], root_path(ctx))
    # findings land in most files: where each node starts is kept while reading them
    tree = load_root(root_path(ctx), Path.cwd(), marks=True)
    require_valid(tree)
    machine = output in (SmartFormat.json, SmartFormat.sarif)
    check_filters(tree, owner=owner, area=area, period=period, note=not machine)
    reports = check(
        tree.entries,
        tree.config.smart,
        source=read_shown,
        marks=tree.marks.get,
        as_of=day,
        selected=lambda entry: (
            (not files or within(entry.path, files))
            and entry.matches(owner=owner, area=area, period=period)
        ),
    )
    if output is SmartFormat.table:
        from itokr.render.console import make_console
        from itokr.render.smart import table

        table(make_console(use_color()), reports, title=tree.config.organization)
    else:
        from itokr.render.smart import FORMATS

        sys.stdout.write(FORMATS[output.value](reports))
    failed = []
    if min_score is not None:
        low = [r.entry.id for r in reports if r.score < min_score - 1e-9]
        if low:
            failed.append(f"{len(low)} below --min-score {min_score:g}: {', '.join(low)}")
    if strict:
        missed = [r.entry.id for r in reports if r.errors or r.warnings]
        if missed:
            failed.append(f"{len(missed)} with misses or warnings (--strict): {', '.join(missed)}")
    for line in failed:
        complain(f"objectives {line}")
    finish(PROBLEMS if failed else 0)
