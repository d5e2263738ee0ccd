"""`itokr score REF`: the arithmetic behind one objective's or key result's numbers."""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import Annotated

import typer

from itokr.cli.app import AsOf, as_of_date, command, finish, load, use_color


class ScoreFormat(StrEnum):
    text = "text"
    json = "json"


@command()
def score(
    ctx: typer.Context,
    ref: Annotated[
        str,
        typer.Argument(
            metavar="REF", help="An objective id, or OBJECTIVE_ID/KR_ID for one key result."
        ),
    ],
    as_of: AsOf = None,
    output: Annotated[
        ScoreFormat, typer.Option("--format", "-f", help="text (rich) or json.")
    ] = ScoreFormat.text,
) -> None:
    """Show how one objective or key result is scored: the answer to "why is this red?".

    Baseline → current → target = score (for a threshold, current ≥ its bound; for
    milestones, the share done), the progress formula behind it, weight, expected
    progress, the health rule that applied, forecast, staleness and confidence.
    Unknown REF: exit 2. While OKR files have problems: exit 1, and an unknown REF
    names each problem (its objective may be one that did not load).
    """
    from itokr.cli.app import found_among_loaded, problems_code
    from itokr.errors import UsageError
    from itokr.refs import resolve
    from itokr.scoring import score_objective

    day = as_of_date(as_of)
    tree = load(ctx)
    if any(kpi.id == ref for kpi in tree.kpis) and all(e.id != ref for e in tree.entries):
        raise UsageError(
            f"{ref} is a KPI: it has a band, not a score; see `itokr kpis` or `itokr history {ref}`"
        )
    with found_among_loaded(tree):
        entry, key_result = resolve(tree.entries, ref)
    objective = score_objective(entry, tree.config, day)
    result = None
    if key_result is not None:
        # by id: scoring hands back a copy cut to the day (asof.key_result_known_on)
        result = next(r for r in objective.key_results if r.key_result.id == key_result.id)
    if output is ScoreFormat.json:
        from itokr.render.score import as_json

        sys.stdout.write(as_json(objective, result, tree.config, day))
    else:
        from itokr.render.console import make_console
        from itokr.render.score import render

        render(make_console(use_color()), objective, result, tree.config, day)
    finish(problems_code(tree))
