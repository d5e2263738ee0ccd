"""`itokr history REF`: a goal's score over time, from git and from its check-ins."""

from __future__ import annotations

import datetime as dt
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Protocol, TypeVar

import typer

from itokr.cli.app import (
    AsOf,
    as_of_date,
    command,
    complain,
    finish,
    found_among_loaded,
    load,
    name_findings,
    problems_code,
    root_repo,
    use_color,
)

if TYPE_CHECKING:
    from collections.abc import Collection, Sequence

    from rich.console import Console

    from itokr.findings import Finding
    from itokr.gitio import Repo
    from itokr.history import Snapshot
    from itokr.kpis import KpiEntry
    from itokr.loader import Tree


_History = TypeVar("_History", contravariant=True)


class HistoryFormat(StrEnum):
    text = "text"
    json = "json"


def _snapshots(repo: Repo, path: Path, *, also: Collection[str] = ()) -> list[Snapshot]:
    """The plans of the file at `path` over its history (and of the configuration, and
    of the KPI files `also` names, as shown: those its key results track), oldest
    first: only the commits that changed more than check-ins or readings are loaded."""
    from itokr import gitio, gitlog, gittrees
    from itokr.history import Snapshot, plan_commits
    from itokr.rootfiles import CONFIG_NAME

    inside = gitio.in_repository(repo, path)
    if inside is None:
        return []
    config = f"{repo.inside}/{CONFIG_NAME}" if repo.inside else CONFIG_NAME
    kpi_files = sorted(
        {name for shown in also if (name := gitio.in_repository(repo, Path(shown)))} - {inside}
    )
    commits = plan_commits(
        gitlog.file_changes(repo, inside, patch=True),
        gitlog.file_changes(repo, config, patch=False),
        [gitlog.file_changes(repo, name, patch=True) for name in kpi_files],
    )
    trees = gittrees.load_file_versions(
        repo, [c.objects for c in commits], inside, Path.cwd(), also=kpi_files
    )
    return [Snapshot(c.day, c.commit, c.subject, trees[c.objects]) for c in commits]


def _kpi(tree: Tree, ref: str) -> KpiEntry | None:
    """The KPI a ref without a slash names, unless an objective has that id."""
    if "/" in ref or any(entry.id == ref for entry in tree.entries):
        return None
    return next((kpi for kpi in tree.kpis if kpi.id == ref), None)


def _kpi_history(
    ctx: typer.Context, tree: Tree, kpi: KpiEntry, day: dt.date, output: HistoryFormat
) -> None:
    """A KPI's readings over time, banded as its file stood at each date."""
    from itokr.kpihistory import build
    from itokr.render import kpi_history

    snapshots, git = _plans(ctx, Path(kpi.path), showing="readings")
    result = build(kpi, tree, snapshots, day, today=dt.date.today())
    _show(tree, result, snapshots, git=git, output=output, view=kpi_history)


def _plans(
    ctx: typer.Context, path: Path, *, also: Collection[str] = (), showing: str
) -> tuple[list[Snapshot], bool]:
    """`_snapshots`, and whether git could be read: outside a repository there are none,
    and stderr says the timeline is `showing` alone."""
    from itokr.errors import UsageError

    try:
        return _snapshots(root_repo(ctx), path, also=also), True
    except UsageError as error:
        complain(f"commit history unavailable ({error}); showing {showing} only")
        return [], False


class _View(Protocol[_History]):
    """A renderer of one kind of history (`itokr.render.history`, `.kpi_history`)."""

    def as_json(
        self, history: _History, *, git: bool, findings: Sequence[tuple[str, Finding]] = ()
    ) -> str: ...

    def render(self, console: Console, history: _History) -> None: ...


def _show(
    tree: Tree,
    result: _History,
    snapshots: list[Snapshot],
    *,
    git: bool,
    output: HistoryFormat,
    view: _View[_History],
) -> None:
    """The history as `output` asks, then each problem of the plans read from git;
    exit 1 when the root on disk has problems."""
    problems = _problems(snapshots)
    if output is HistoryFormat.json:
        sys.stdout.write(view.as_json(result, git=git, findings=problems))
    else:
        from itokr.render.console import make_console

        view.render(make_console(use_color()), result)
    _name(problems)
    finish(problems_code(tree))


# Checked across a whole root (an `aligns_to`, a `kpi:` naming another file), which
# history does not read: at a revision they would be false alarms.
_ACROSS_FILES = frozenset({"E302", "E306"})


def _problems(snapshots: list[Snapshot]) -> list[tuple[str, Finding]]:
    """Each problem of the plans read from git (SPEC §3: a revision's are named), once per
    version of the files, at the first commit holding it; not those of `_ACROSS_FILES`."""
    seen: set[int] = set()
    found = []
    for snapshot in snapshots:
        if snapshot.commit is None or id(snapshot.tree) in seen:
            continue
        seen.add(id(snapshot.tree))
        found += [
            (snapshot.commit, f) for f in snapshot.tree.findings if f.code not in _ACROSS_FILES
        ]
    return found


def _name(problems: list[tuple[str, Finding]]) -> None:
    """The problems of each commit on stderr, as `status --at` names a revision's."""
    for commit in dict.fromkeys(commit for commit, _ in problems):
        name_findings([f for c, f in problems if c == commit], commit[:12])


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

    One reading per date. A reading is the plan as it stood that day (targets,
    baselines, weights, milestones, a KPI's good, bad and every: the files of
    the last commit by the end of the day, UTC) measured by every check-in dated
    up to that day, also ones committed later. Readings fall on check-in dates
    and on the dates the plan changed; the working tree is today's plan. --as-of
    ends the timeline. Outside a git repository today's plan is used
    throughout. Unknown REF: exit 2; while OKR files have problems, an unknown
    REF names each problem and exits 1 (its objective may be one that did not load).
    """
    from itokr.history import build
    from itokr.refs import resolve
    from itokr.render import history as history_view

    day = as_of_date(as_of)
    tree = load(ctx)
    kpi = _kpi(tree, ref)
    if kpi is not None:
        _kpi_history(ctx, tree, kpi, day, output)
        return
    with found_among_loaded(tree):
        if "/" not in ref and all(entry.id != ref for entry in tree.entries):
            from itokr.refs import unknown_id

            raise unknown_id(ref, [e.id for e in tree.entries], [k.id for k in tree.kpis])
        entry, _ = resolve(tree.entries, ref)
    # the KPIs of every key result: the objective's plan at a commit holds them all
    tracked = {getattr(kr, "kpi", None) for kr in entry.objective.key_results}
    kpi_paths = {kpi.path for kpi in tree.kpis if kpi.id in tracked}
    snapshots, git = _plans(ctx, Path(entry.path), also=kpi_paths, showing="check-ins")
    result = build(ref, tree, snapshots, day, today=dt.date.today())
    _show(tree, result, snapshots, git=git, output=output, view=history_view)
