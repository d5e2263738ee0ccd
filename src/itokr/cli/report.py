"""`itokr report`: the quarter in review, as markdown or one self-contained HTML file."""

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
    as_of_date,
    check_filters,
    command,
    name_findings,
    require_valid,
    root_path,
)


class ReportFormat(StrEnum):
    markdown = "markdown"
    html = "html"


@command()
def report(
    ctx: typer.Context,
    period: Annotated[
        str | None,
        typer.Option(
            metavar="NAME",
            help="Review the objectives of this period, by name (2026-Q4, FY27); default: "
            "those whose period contains --as-of, else all.",
        ),
    ] = None,
    owner: Owner = None,
    area: Area = None,
    output_format: Annotated[
        ReportFormat,
        typer.Option(
            "--format", "-f", help="markdown, or html (one file: inline CSS and SVG charts)."
        ),
    ] = ReportFormat.markdown,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="Write the review to FILE (atomically) and print its path, instead of stdout.",
        ),
    ] = None,
    as_of: AsOf = None,
) -> None:
    """The quarter in review: summary by area, owner and type, SMART scores, the
    KPIs, and a section per objective with its key results, check-ins, notes and
    forecasts.

    Also lists what changed in the plan since the period started, flags and their
    reasons first (against the last commit before its start, or the first commit
    that holds the period's objectives, when the root is in git). The HTML is one file with inline
    SVG charts — a burn-up of each metric against the expected line, a score bar
    per objective — that reads printed and on a phone. Refuses (exit 1) while any
    OKR file is invalid: a review must be complete.
    """
    from itokr.kpis import score_all as score_kpis
    from itokr.loader import load_root
    from itokr.report import build, select
    from itokr.report.since import changes_since
    from itokr.rootfiles import display_path, read_shown
    from itokr.scoring import score_all
    from itokr.smart import letters_by_id

    day = as_of_date(as_of)
    root = root_path(ctx)
    tree = load_root(root, Path.cwd())
    require_valid(tree)
    check_filters(tree, owner=owner, area=area, period=period)
    entries, label = select(tree.entries, period, day)
    entries = [e for e in entries if e.matches(owner=owner, area=area)]  # none: an empty review
    scores = score_all(entries, tree.config, day)
    smart = letters_by_id(tree.entries, entries, tree.config.smart, source=read_shown, as_of=day)
    starts = [e.period.start for e in entries if e.period is not None]
    since = changes_since(root, tree, min(starts), day, entries, Path.cwd()) if starts else None
    if since is not None and since.commit is not None:  # SPEC §3: a revision's problems
        name_findings(since.findings, since.commit[:12])
    kpis = [
        kpi
        for kpi in score_kpis(tree.kpis, tree.entries, tree.config, day)
        if kpi.entry.matches(owner=owner, area=area)
    ]
    review = build(tree.config.organization, scores, smart, day, label, since, kpis)
    if output_format is ReportFormat.html:
        from itokr.render.report_html import render
    else:
        from itokr.render.report_markdown import render
    text = render(review)
    if output is None:
        sys.stdout.write(text)
        return
    from itokr.safewrite import write_new

    write_new(output, text.encode("utf-8"))
    sys.stdout.write(display_path(output, Path.cwd()) + "\n")
