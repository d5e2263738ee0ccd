"""What changed in git since a period started: the root then against the root now.

Reads git (through `gitio` and `gittrees`), so it sits at the edge beside the pure review model;
`report` asks it once for the reviewed periods, `site` once per period start.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from itokr import gitio, gittrees
from itokr.crosscheck import Entry
from itokr.diffing import compare
from itokr.errors import UsageError
from itokr.loader import Tree
from itokr.report.model import Since, flagged, since_changes

_SEARCH = 20  # commits tried when looking for the first that holds the objectives


def changes_since(
    root: Path, tree: Tree, start: dt.date, as_of: dt.date, entries: Sequence[Entry], cwd: Path
) -> Since:
    """The changes of plan about `entries` since `start`: the root at the last commit
    before it (else at the first commit that holds them: a period planned after it
    started) against `tree` (the working tree), flags and their reasons with them.
    Outside git, or before any commit holds them, the comparison is skipped and
    `Since.skipped` says why."""
    try:
        repo = gitio.open_repo(root)
    except UsageError:
        return Since(start, None, (), "the OKR root is not in a git repository")
    ids = {e.id for e in entries}
    base = _base(repo, start, ids, [Path(e.path) for e in entries], cwd)
    if base is None:
        return Since(start, None, (), "no commit holds these objectives yet")
    commit, side = base
    diff = compare(side.tree, tree, as_of)
    labels = {e.period.label for e in entries if e.period is not None}
    changes = since_changes(diff, ids, labels)
    return Since(
        start,
        commit,
        changes,
        day=gitio.commit_day(repo, commit),
        flags=flagged(changes, tree.entries),
        findings=tuple(side.tree.findings),
    )


def _base(
    repo: gitio.Repo, start: dt.date, ids: set[str], paths: Sequence[Path], cwd: Path
) -> tuple[str, gittrees.Side] | None:
    """The commit to compare with: the last before `start` when it holds any of the
    objectives `ids`; else the first that does (a period planned after it started)."""

    def holding(commit: str) -> gittrees.Side | None:
        side = gittrees.load_revision(repo, commit[:12], commit, cwd)
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
