"""What changed in git since a period started: the root then against the root now.

Reads git (through `gitio`), so it sits at the edge beside the pure review model;
`report` asks it once for the reviewed periods, `site` once per period start.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from itokr import gitio
from itokr.crosscheck import Entry
from itokr.diffing import compare
from itokr.errors import UsageError
from itokr.loader import Tree
from itokr.report.model import Since, since_changes


def changes_since(
    root: Path, tree: Tree, start: dt.date, as_of: dt.date, entries: Sequence[Entry], cwd: Path
) -> Since:
    """The changes about `entries` since `start`: the root at the last commit before it
    against `tree` (the working tree). Outside git, or with no commit that old, the
    comparison is skipped and `Since.skipped` says why."""
    try:
        repo = gitio.open_repo(root)
    except UsageError:
        return Since(start, None, (), "the OKR root is not in a git repository")
    commit = gitio.commit_before(repo, start)
    if commit is None:
        return Since(start, None, (), f"no commit before {start.isoformat()} to compare with")
    base = gitio.load_revision(repo, commit[:12], commit, cwd)
    diff = compare(base.tree, tree, as_of)
    ids = {e.id for e in entries}
    labels = {e.period.label for e in entries if e.period is not None}
    return Since(start, commit, since_changes(diff, ids, labels))
