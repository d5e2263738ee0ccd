"""`itokr tree`: the `aligns_to` tree with scores, so a CIO sees how team goals add up."""

from __future__ import annotations

import sys
from enum import StrEnum
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
    finish,
    load,
    use_color,
)


class TreeFormat(StrEnum):
    text = "text"
    json = "json"


@command()
def tree(
    ctx: typer.Context,
    owner: Owner = None,
    area: Area = None,
    period: PeriodName = None,
    as_of: AsOf = None,
    output: Annotated[
        TreeFormat, typer.Option("--format", "-f", help="text (rich tree) or json.")
    ] = TreeFormat.text,
) -> None:
    """Show the alignment tree: each objective under the objectives it aligns_to.

    Each objective shows its own score and health; a parent also shows the
    unweighted mean of the own scores of the objectives aligned directly to it,
    leaving out those whose period has not started. An objective aligned to
    several parents appears under each. --owner, --area and --period draw the
    tree of the matching objectives only.
    """
    from itokr.cli.app import problems_code
    from itokr.scoring import alignment_tree, score_all

    day = as_of_date(as_of)
    loaded = load(ctx)
    check_filters(loaded, owner=owner, area=area, period=period, note=output is not TreeFormat.json)
    entries = [e for e in loaded.entries if e.matches(owner=owner, area=area, period=period)]
    roots = alignment_tree(score_all(entries, loaded.config, day))
    if output is TreeFormat.json:
        from itokr.render.tree import as_json

        sys.stdout.write(as_json(roots, day))
    else:
        from itokr.render.console import make_console
        from itokr.render.tree import render

        render(make_console(use_color()), roots, day, title=loaded.config.organization)
    finish(problems_code(loaded))
