"""`itokr history REF`: a goal's score over time, from git and from its check-ins;
and `load_at`, the root at a git revision, which `status --at` shares."""

from __future__ import annotations

import datetime as dt
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from itokr.cli.app import AsOf, as_of_date, command, finish, load, parse_date, root_path, use_color

if TYPE_CHECKING:
    from collections.abc import Collection

    from itokr.gitio import Repo
    from itokr.history import Snapshot
    from itokr.kpis import KpiEntry
    from itokr.loader import Tree


class HistoryFormat(StrEnum):
    text = "text"
    json = "json"


def _repo(ctx: typer.Context) -> Repo:
    from itokr import gitio

    return gitio.open_repo(root_path(ctx))


def load_at(ctx: typer.Context, revision: str, as_of: str | None) -> tuple[Tree, dt.date]:
    """The root at `revision`, and the day to score it on: --as-of, else the commit's date."""
    from itokr import gitio

    day = parse_date(as_of, "--as-of")
    repo = _repo(ctx)
    commit = gitio.resolve(repo, revision)
    side = gitio.load_revision(repo, revision, commit, Path.cwd())
    return side.tree, day or gitio.commit_day(repo, commit)


def _snapshots(repo: Repo, path: Path, *, also: Collection[str] = ()) -> list[Snapshot]:
    """The file (and the configuration) at every commit that touched `path`, oldest first;
    with the files of the KPIs its key results track (`also`, as shown), so they still do."""
    from itokr import gitio
    from itokr.history import Snapshot

    cwd = Path.cwd()
    kpi_files = [name for shown in also if (name := gitio.in_repository(repo, Path(shown)))]
    return [
        Snapshot(
            c.day,
            c.commit,
            c.subject,
            gitio.load_file_at(repo, c.commit, c.path, cwd, also=kpi_files),
        )
        for c in gitio.commits_touching(repo, path)
    ]


def _kpi(tree: Tree, ref: str) -> KpiEntry | None:
    """The KPI a ref without a slash names, unless an objective has that id."""
    if "/" in ref or any(entry.id == ref for entry in tree.entries):
        return None
    return next((kpi for kpi in tree.kpis if kpi.id == ref), None)


def _kpi_history(
    ctx: typer.Context, tree: Tree, kpi: KpiEntry, day: dt.date, output: HistoryFormat
) -> None:
    """A KPI's readings over time, banded as its file stood at each date."""
    from itokr.cli.app import problems_code
    from itokr.errors import UsageError
    from itokr.kpihistory import build

    snapshots: list[Snapshot] = []
    git = True
    try:
        snapshots = _snapshots(_repo(ctx), Path(kpi.path))
    except UsageError as error:
        git = False
        sys.stderr.write(f"itokr: commit history unavailable ({error}); showing readings only\n")
    result = build(kpi, tree.config, snapshots, day)
    if output is HistoryFormat.json:
        from itokr.render.kpi_history import as_json

        sys.stdout.write(as_json(result, git=git))
    else:
        from itokr.render.console import make_console
        from itokr.render.kpi_history import render

        render(make_console(use_color()), result)
    finish(problems_code(tree))


@command()
def history(
    ctx: typer.Context,
    ref: Annotated[
        str,
        typer.Argument(
            metavar="REF",
            help="An objective id, OBJECTIVE_ID/KR_ID for one key result, or a KPI id.",
        ),
    ],
    output: Annotated[
        HistoryFormat, typer.Option("--format", "-f", help="text (a chart and a table) or json.")
    ] = HistoryFormat.text,
    as_of: AsOf = None,
) -> None:
    """Show the score of an objective or key result, or a KPI's readings, over time.

    One reading per commit that changed its file (scored as of the commit's
    date, from the files of that commit) and one per check-in date (scored
    from today's file cut back to the check-ins made up to that date).
    Commits at which REF did not exist are skipped; --as-of ends the timeline.
    A KPI shows one row per date: its newest reading then, banded by good and
    bad as its file stood that day. Outside a git repository only the
    check-ins are shown. Unknown REF: exit 2.
    """
    from itokr.cli.app import problems_code
    from itokr.errors import UsageError
    from itokr.history import build
    from itokr.refs import resolve

    day = as_of_date(as_of)
    tree = load(ctx)
    kpi = _kpi(tree, ref)
    if kpi is not None:
        _kpi_history(ctx, tree, kpi, day, output)
        return
    entry, key_result = resolve(tree.entries, ref)
    chosen = [key_result] if key_result else entry.objective.key_results
    tracked = {getattr(kr, "kpi", None) for kr in chosen}
    kpi_paths = {kpi.path for kpi in tree.kpis if kpi.id in tracked}
    snapshots: list[Snapshot] = []
    git = True
    try:
        snapshots = _snapshots(_repo(ctx), Path(entry.path), also=kpi_paths)
    except UsageError as error:
        git = False
        sys.stderr.write(f"itokr: commit history unavailable ({error}); showing check-ins only\n")
    result = build(ref, tree, snapshots, day)
    if output is HistoryFormat.json:
        from itokr.render.history import as_json

        sys.stdout.write(as_json(result, git=git))
    else:
        from itokr.render.console import make_console
        from itokr.render.history import render

        render(make_console(use_color()), result)
    finish(problems_code(tree))
