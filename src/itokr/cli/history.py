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
    from itokr.gitio import Repo
    from itokr.history import Snapshot
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


def _snapshots(repo: Repo, path: Path) -> list[Snapshot]:
    """The plans of the file at `path` over its history (and of the configuration),
    oldest first: only the commits that changed more than check-ins are loaded."""
    from itokr import gitio
    from itokr.history import Snapshot, plan_commits
    from itokr.loader import CONFIG_NAME

    try:
        inside = path.resolve().relative_to(repo.top).as_posix()
    except ValueError:
        return []
    config = f"{repo.inside}/{CONFIG_NAME}" if repo.inside else CONFIG_NAME
    commits = plan_commits(
        gitio.file_changes(repo, inside, patch=True), gitio.file_changes(repo, config, patch=False)
    )
    trees = gitio.load_file_versions(
        repo, [(c.file, c.config) for c in commits], inside, Path.cwd()
    )
    return [Snapshot(c.day, c.commit, c.subject, trees[c.file, c.config]) for c in commits]


@command()
def history(
    ctx: typer.Context,
    ref: Annotated[
        str,
        typer.Argument(
            metavar="REF", help="An objective id, or OBJECTIVE_ID/KR_ID for one key result."
        ),
    ],
    output: Annotated[
        HistoryFormat, typer.Option("--format", "-f", help="text (a chart and a table) or json.")
    ] = HistoryFormat.text,
    as_of: AsOf = None,
) -> None:
    """Show the score of an objective or key result over time, one reading per date.

    A reading is the plan as it stood that day (targets, baselines, weights,
    milestones: the files of the last commit by the end of the day, UTC)
    measured by every check-in dated up to that day, also ones committed later.
    Readings fall on check-in dates and on the dates the plan changed; the
    working tree is today's plan. --as-of ends the timeline. Outside a git
    repository today's plan is used throughout. Unknown REF: exit 2.
    """
    from itokr.cli.app import problems_code
    from itokr.errors import UsageError
    from itokr.history import build
    from itokr.refs import resolve

    day = as_of_date(as_of)
    tree = load(ctx)
    entry, _ = resolve(tree.entries, ref)
    snapshots: list[Snapshot] = []
    git = True
    try:
        snapshots = _snapshots(_repo(ctx), Path(entry.path))
    except UsageError as error:
        git = False
        sys.stderr.write(f"itokr: commit history unavailable ({error}); showing check-ins only\n")
    result = build(ref, tree, snapshots, day, today=dt.date.today())
    if output is HistoryFormat.json:
        from itokr.render.history import as_json

        sys.stdout.write(as_json(result, git=git))
    else:
        from itokr.render.console import make_console
        from itokr.render.history import render

        render(make_console(use_color()), result)
    finish(problems_code(tree))
