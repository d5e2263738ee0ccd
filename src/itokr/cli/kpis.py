"""`itokr kpis`: the indicators that outlive a quarter, banded, with the key results
that move them."""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import Annotated

import typer

from itokr.cli.app import AsOf, as_of_date, command, finish, load, problems_code, use_color


class KpisFormat(StrEnum):
    table = "table"
    json = "json"
    markdown = "markdown"
    csv = "csv"


@command()
def kpis(
    ctx: typer.Context,
    owner: Annotated[
        str | None, typer.Option(metavar="NAME", help="Only KPIs of this owner.")
    ] = None,
    area: Annotated[
        str | None, typer.Option(metavar="NAME", help="Only KPIs in this area.")
    ] = None,
    as_of: AsOf = None,
    output: Annotated[
        KpisFormat,
        typer.Option(
            "--format", "-f", help="table (for people), json (one document), markdown or csv."
        ),
    ] = KpisFormat.table,
) -> None:
    """Every KPI: its newest reading, band, good and bad, trend, last reading,
    staleness, and the key results that track it.

    A reading is green at `good` or better, red worse than `bad`, yellow
    between; a KPI is stale once --as-of is past its newest reading's date
    plus `every`. Readings dated after --as-of do not count. Exits 0 whatever
    the bands, 1 when the OKR files have problems (what loaded is still shown),
    2 for an owner or area that no KPI has.
    """
    from itokr.crosscheck import unmatched_kpi_filter
    from itokr.errors import UsageError
    from itokr.kpis import score_all

    day = as_of_date(as_of)
    tree = load(ctx)
    if (problem := unmatched_kpi_filter(tree.kpis, owner=owner, area=area)) is not None:
        raise UsageError(problem)
    scores = [
        score
        for score in score_all(tree.kpis, tree.entries, tree.config, day)
        if score.entry.matches(owner=owner, area=area)
    ]
    if output is KpisFormat.table:
        from itokr.render.console import make_console
        from itokr.render.kpis import render

        render(make_console(use_color()), scores, day, title=tree.config.organization)
    else:
        from itokr.render import kpis as views

        if output is KpisFormat.json:
            sys.stdout.write(views.as_json(scores, day))
        elif output is KpisFormat.csv:
            sys.stdout.write(views.as_csv(scores))
        else:
            sys.stdout.write(views.as_markdown(scores, day, title=tree.config.organization))
    finish(problems_code(tree))
