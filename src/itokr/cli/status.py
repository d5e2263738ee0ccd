"""`itokr status`: where every objective stands today, in one screen."""

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
    load_at,
    problems_code,
    use_color,
)


class StatusFormat(StrEnum):
    table = "table"
    json = "json"
    markdown = "markdown"
    csv = "csv"


class Health(StrEnum):
    done = "done"
    on_track = "on-track"
    at_risk = "at-risk"
    off_track = "off-track"
    not_started = "not-started"
    green = "green"
    yellow = "yellow"
    red = "red"


@command()
def status(
    ctx: typer.Context,
    owner: Owner = None,
    area: Area = None,
    period: PeriodName = None,
    health: Annotated[
        Health | None, typer.Option(help="Only objectives with this health today.")
    ] = None,
    objectives: Annotated[
        bool, typer.Option("--objectives", help="Objectives only: fold their key results.")
    ] = False,
    as_of: AsOf = None,
    at: Annotated[
        str | None,
        typer.Option(
            "--at",
            metavar="REV",
            help="The status as it was at this git revision (default --as-of: its commit date).",
        ),
    ] = None,
    output: Annotated[
        StatusFormat,
        typer.Option(
            "--format", "-f", help="table (for people), json (one document), markdown or csv."
        ),
    ] = StatusFormat.table,
) -> None:
    """Where every objective stands today: score, expected progress, health, forecast.

    Health compares each score with the share of its period elapsed; after the
    period it is the final grade (green, yellow, red). Exits 0 whatever the
    health, 1 when the OKR files have problems (what loaded is still shown).
    """
    from itokr.scoring import score_all

    if at is None:
        day = as_of_date(as_of)
        tree = load(ctx)
    else:
        tree, day = load_at(ctx, at, as_of)
    check_filters(tree, owner=owner, area=area, period=period, note=output is not StatusFormat.json)
    scores = [
        s
        for s in score_all(tree.entries, tree.config, day)
        if s.entry.matches(owner=owner, area=area, period=period)
        and (health is None or s.health == health.value)
    ]
    title = tree.config.organization
    if output is StatusFormat.json:
        from itokr.render.status import as_json

        sys.stdout.write(as_json(scores, day, key_results=not objectives, findings=tree.findings))
    elif output is StatusFormat.csv:
        from itokr.render.status_csv import as_csv

        sys.stdout.write(as_csv(scores, key_results=not objectives))
    elif output is StatusFormat.markdown:
        from itokr.render.status import as_markdown

        sys.stdout.write(as_markdown(scores, day, key_results=not objectives, title=title))
    else:
        from itokr.render.console import make_console
        from itokr.render.status_table import render

        render(
            make_console(use_color()),
            scores,
            day,
            key_results=not objectives,
            title=title,
            stale_after=tree.config.checkins.stale_after_days,
        )
    finish(problems_code(tree, at))
