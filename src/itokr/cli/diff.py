"""`itokr diff`: what a change does to the goals, between two git revisions."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from itokr.cli.app import AsOf, as_of_date, command, finish, name_problems, root_path, use_color
from itokr.errors import PROBLEMS, UsageError

if TYPE_CHECKING:
    from itokr.changes import Change, Diff
    from itokr.gittrees import Side

# where an annotation about a flag belongs: the key it is about
_FLAG_KEYS = {
    "eased": "target",
    "raised": "target",
    "rebaselined": "baseline",
    "weight": "weight",
    "owner": "owner",
    "period": "period",
}
_WRITTEN_KEYS = {
    "title",
    "description",
    "reason",
    "type",
    "owner",
    "area",
    "period",
    "aligns_to",
    "kind",
    "unit",
    "direction",
    "baseline",
    "target",
    "weight",
    "due",
    "milestones",
    "done",
    "good",
    "bad",
    "every",
    "source",
}


class DiffFormat(StrEnum):
    text = "text"
    markdown = "markdown"
    json = "json"
    github = "github"


@command()
def diff(
    ctx: typer.Context,
    base: Annotated[
        str | None,
        typer.Argument(
            metavar="BASE",
            help="The revision to compare from (default: the merge base with main, else master).",
            show_default=False,
        ),
    ] = None,
    head: Annotated[
        str | None,
        typer.Argument(
            metavar="HEAD",
            help="The revision to compare to (default: the working tree, WORKTREE).",
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        DiffFormat,
        typer.Option(
            "--format",
            "-f",
            help="text (coloured, grouped by objective), markdown (a pull-request comment), "
            "json, or github (annotations on the changed lines).",
        ),
    ] = DiffFormat.text,
    fail_on: Annotated[
        str | None,
        typer.Option(
            "--fail-on",
            metavar="FLAGS",
            help="Exit 1 when a flag of these kinds has no reason: comma-separated from "
            "eased, raised, rebaselined, removed, added, weight, owner, period, or all.",
        ),
    ] = None,
    as_of: AsOf = None,
) -> None:
    """Show what a change does to the goals: objectives and key results
    added, removed or modified, each field old → new, and the scores
    before and after.

    Revisions are read straight from git, from anywhere in the repository.
    Review flags mark eased or raised targets, rewritten baselines, key
    results added or removed after their period started, and changed
    weights, owners and periods. A flag is explained when the changed key
    result (or objective) carries a reason: that this change wrote;
    --fail-on turns unexplained flags into exit 1, as in CI:
    itokr diff origin/main --format github --fail-on eased,rebaselined,removed
    """
    from itokr import gitio, gittrees
    from itokr.diffing import compare

    day = as_of_date(as_of)
    kinds = _fail_on(fail_on)
    cwd = Path.cwd()
    repo = gitio.open_repo(root_path(ctx))
    if head is None or head == gitio.WORKTREE:
        head_side = gittrees.load_worktree(repo, cwd)
    else:
        head_side = gittrees.load_revision(repo, head, gitio.resolve(repo, head), cwd)
    if base is None:
        label, commit = gitio.merge_base(repo, head_side.commit or gitio.WORKTREE)
    else:
        label, commit = base, gitio.resolve(repo, base)
    base_side = gittrees.load_revision(repo, label, commit, cwd)
    result = compare(base_side.tree, head_side.tree, day)
    _render(result, base_side, head_side, output.value, repo.top)
    for side in (base_side, head_side):
        if side.commit is not None:
            name_problems(side.tree, side.label)
    unexplained = result.unaccepted(kinds)
    if unexplained:
        from itokr.inert import terminal

        listed = "".join(
            f"  {change.ref}: {terminal(flag.message)}\n" for change, flag in unexplained
        )
        count = len(unexplained)
        sys.stderr.write(
            f"itokr: {count} unexplained change{'s' if count != 1 else ''} "
            f"(--fail-on {','.join(sorted(kinds))}):\n{listed}"
            "Add a `reason:` to the changed key result (or objective) in this change "
            "to accept it.\n"
        )
    finish(PROBLEMS if unexplained else 0)


def _fail_on(value: str | None) -> set[str]:
    from itokr.changes import FLAGS

    if not value:
        return set()
    kinds = {part.strip() for part in value.split(",") if part.strip()}
    if "all" in kinds:
        return set(FLAGS)
    unknown = sorted(kinds - set(FLAGS))
    if unknown:
        raise UsageError(
            f"--fail-on {','.join(unknown)}: unknown flag; choose from {', '.join(FLAGS)}, or all"
        )
    return kinds


def _render(result: Diff, base: Side, head: Side, output: str, top: Path) -> None:
    from itokr.render.diff import FORMATS, Report
    from itokr.render.diff_text import print_text

    report = Report(
        result,
        base.label,
        head.label,
        base.commit,
        head.commit,
        _places(result, head, top) if output == "github" else {},
        (base.tree.findings, head.tree.findings),
    )
    if output == "text":
        from itokr.render.console import make_console

        print_text(report, make_console(use_color()))
    else:
        sys.stdout.write(FORMATS[output](report))


def _places(result: Diff, head: Side, top: Path) -> dict[int, tuple[str, int]]:
    """File (inside the repository, as GitHub names it) and line of each change.

    GitHub shows annotations on the head's files: a removed key result points at
    its objective's `key_results`, a removed objective at its old file, no line.
    """
    from itokr import yamlio

    wanted: dict[str, list[tuple[int, tuple[str | int, ...]]]] = {}
    parent: Change | None = None
    for index, change in enumerate(result.changes):
        if change.is_objective:
            parent = change
        if change.change == "removed":
            if change.is_objective or change.is_kpi or parent is None:
                continue
            path, loc = parent.path, (*parent.loc, "key_results")
        else:
            path, loc = change.path, change.loc
            keys = (
                []
                if change.is_kpi
                else [_FLAG_KEYS[f.kind] for f in change.flags if f.kind in _FLAG_KEYS]
            )
            keys += [name for name in change.fields if name in _WRITTEN_KEYS]
            if change.change == "modified" and keys:
                loc = (*loc, keys[0])
        wanted.setdefault(path, []).append((index, loc))
    placed = {index: (_in_repo(c.path, top), 0) for index, c in enumerate(result.changes)}
    for path, items in wanted.items():
        source = head.source(path)
        if source is None:
            continue
        positions = yamlio.locate_all(source, [(loc, True) for _, loc in items])
        placed.update(
            (index, (_in_repo(path, top), at.line))
            for (index, _), at in zip(items, positions, strict=True)
        )
    return placed


def _flag_key(change: Change, kind: str) -> str | None:
    """The key a flag is about: a KPI's band moves with whichever of good or bad moved."""
    if change.is_kpi and kind in ("eased", "raised"):
        return next((name for name in ("good", "bad") if name in change.fields), None)
    return _FLAG_KEYS.get(kind)


def _in_repo(path: str, top: Path) -> str:
    from itokr.rootfiles import real_path

    try:
        return real_path(path).resolve().relative_to(top).as_posix()
    except ValueError:
        return path
