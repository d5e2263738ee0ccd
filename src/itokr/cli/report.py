"""`itokr report`: the quarter in review, as markdown or one self-contained HTML file."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from itokr.cli.app import (
    Area,
    AsOf,
    Owner,
    as_of_date,
    check_filters,
    command,
    require_valid,
    root_path,
)
from itokr.errors import UsageError

if TYPE_CHECKING:
    from itokr.crosscheck import Entry
    from itokr.gitio import Repo, Side
    from itokr.loader import Tree
    from itokr.report import Since


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
    from itokr.scoring import score_all
    from itokr.smart import check

    day = as_of_date(as_of)
    root = root_path(ctx)
    tree = load_root(root, Path.cwd())
    require_valid(tree)
    check_filters(tree, owner=owner, area=area, period=period)
    entries, label = select(tree.entries, period, day)
    entries = [e for e in entries if e.matches(owner=owner, area=area)]
    if not entries and (owner is not None or area is not None):
        raise UsageError(f"no objective of {label} matches the --owner/--area given")
    scores = score_all(entries, tree.config, day)
    chosen = {id(e.objective) for e in entries}
    smart = {
        r.entry.id: r.checks
        for r in check(
            tree.entries,
            tree.config.smart,
            source=_read,
            as_of=day,
            selected=lambda entry: id(entry.objective) in chosen,
        )
    }
    starts = [e.period.start for e in entries if e.period is not None]
    since = _since(root, tree, min(starts), day, entries) if starts else None
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
    sys.stdout.write(f"{output}\n")


def _read(path: str) -> bytes | None:
    try:
        return Path(path).read_bytes()
    except OSError:
        return None


_SEARCH = 20  # commits tried when looking for the first that holds the objectives


def _since(root: Path, tree: Tree, start: dt.date, day: dt.date, entries: Sequence[Entry]) -> Since:
    """The changes of plan since `start`: the root at the last commit before it (else at
    the first commit that holds the reviewed objectives) against the working tree.
    Outside git, or before any commit holds them, the part is skipped."""
    from itokr import gitio
    from itokr.diffing import compare
    from itokr.report import Since, flagged, since_changes

    try:
        repo = gitio.open_repo(root)
    except UsageError:
        return Since(start, None, (), "the OKR root is not in a git repository")
    ids = {e.id for e in entries}
    base = _base(repo, start, ids, [Path(e.path) for e in entries])
    if base is None:
        return Since(start, None, (), "no commit holds these objectives yet")
    commit, side = base
    diff = compare(side.tree, tree, day)
    labels = {e.period.label for e in entries if e.period is not None}
    changes = since_changes(diff, ids, labels)
    return Since(
        start,
        commit,
        changes,
        day=gitio.commit_day(repo, commit),
        flags=flagged(changes, tree.entries),
    )


def _base(
    repo: Repo, start: dt.date, ids: set[str], paths: Sequence[Path]
) -> tuple[str, Side] | None:
    """The commit to compare with: the last before `start` when it holds any of the
    objectives `ids`; else the first that does (a period planned after it started)."""
    from itokr import gitio

    def holding(commit: str) -> Side | None:
        side = gitio.load_revision(repo, commit[:12], commit, Path.cwd())
        return side if any(e.id in ids for e in side.tree.entries) else None

    before = gitio.commit_before(repo, start)
    if before is not None and (side := holding(before)) is not None:
        return before, side
    inside = []
    for path in paths:
        try:
            inside.append(path.resolve().relative_to(repo.top).as_posix())
        except ValueError:
            continue
    for commit in gitio.commits_changing(repo, sorted(set(inside)))[:_SEARCH]:
        if commit != before and (side := holding(commit)) is not None:
            return commit, side
    return None
