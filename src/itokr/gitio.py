"""Read the OKR root at a git revision straight from git's objects.

No checkout and no temporary worktree: `git ls-tree` names the root's files at
the revision and one `git cat-file --batch` process hands over all their bytes,
which `loader.load_documents` turns into a `Tree` exactly as it does for files
on disk. This module is the IO edge of `diff`, `history`, `report` and
`status --at`; what they compute from its trees stays pure.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from itokr.errors import UsageError
from itokr.loader import (
    CONFIG_NAME,
    MAX_FILE_BYTES,
    Document,
    Tree,
    display_path,
    load_documents,
    load_root,
)

WORKTREE = "WORKTREE"  # the files on disk, as the user sees them now
DEFAULT_BRANCHES = ("main", "master", "origin/main", "origin/master")
_BLOB, _SYMLINK_MODE = "blob", "120000"


@dataclass(frozen=True)
class Repo:
    """A git repository and where the OKR root sits in it."""

    top: Path
    root: Path  # the root as the user named it (display paths are made from it)
    inside: str  # the root's path inside the repository, posix, "" at the top


@dataclass(frozen=True)
class Side:
    """One side of a diff: the loaded tree and the bytes it came from."""

    label: str  # what the user asked for: a revision, or WORKTREE
    commit: str | None  # the full commit id; None for the working tree
    tree: Tree
    sources: dict[str, bytes] = field(default_factory=dict, repr=False)  # of a revision

    def source(self, path: str) -> bytes | None:
        """The bytes of a file as loaded (`path` as the tree's findings name it)."""
        if self.commit is not None:
            return self.sources.get(path)
        try:
            return Path(path).read_bytes()  # a display path: relative to the cwd, or absolute
        except OSError:
            return None


def _git(
    repo_dir: Path, *args: str, stdin: bytes | None = None
) -> subprocess.CompletedProcess[bytes]:
    # --literal-pathspecs: a root named `okrs[1]` is a path, not a glob
    command = ["git", "--literal-pathspecs", "-c", "core.quotePath=false", *args]
    try:
        return subprocess.run(
            command,
            cwd=repo_dir,
            input=stdin,
            capture_output=True,
            check=False,
            env={**os.environ, "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"},
        )
    except FileNotFoundError:
        raise UsageError("git is not installed (or not on PATH); this command reads git") from None


def _message(process: subprocess.CompletedProcess[bytes]) -> str:
    text = process.stderr.decode("utf-8", "replace").strip()
    return text.splitlines()[-1] if text else f"git exited with {process.returncode}"


def open_repo(root: Path) -> Repo:
    """The repository holding `root` (exit 2 when there is none)."""
    process = _git(root, "rev-parse", "--show-toplevel")
    if process.returncode != 0 and b"not a git repository" not in process.stderr.lower():
        raise UsageError(f"git cannot read the repository at {root}: {_message(process)}")
    if process.returncode != 0:
        raise UsageError(f"not a git repository: {root}")
    top = Path(os.fsdecode(process.stdout.rstrip(b"\n"))).resolve()
    try:
        inside = root.resolve().relative_to(top).as_posix()
    except ValueError:
        raise UsageError(f"the OKR root {root} is not inside the repository {top}") from None
    return Repo(top=top, root=root, inside="" if inside == "." else inside)


def commit_before(repo: Repo, day: dt.date) -> str | None:
    """The last commit of HEAD made before `day` began, if there is one."""
    found = _git(repo.top, "rev-list", "-1", f"--before={day.isoformat()}T00:00:00", "HEAD", "--")
    commit = found.stdout.decode("ascii", "replace").strip() if found.returncode == 0 else ""
    return commit or None


def resolve(repo: Repo, revision: str) -> str:
    """The commit a revision names (exit 2 for an unknown one)."""
    process = _git(
        repo.top, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}"
    )
    if process.returncode != 0 or not process.stdout.strip():
        raise UsageError(
            f"unknown revision {revision!r}: name a commit, branch or tag{_shallow(repo)}"
        )
    return process.stdout.decode("ascii").strip()


def _shallow(repo: Repo) -> str:
    """A hint for CI, where a shallow clone lacks the base branch."""
    process = _git(repo.top, "rev-parse", "--is-shallow-repository")
    if process.stdout.strip() == b"true":
        return (
            " (this clone is shallow: fetch the history, e.g. actions/checkout with fetch-depth: 0)"
        )
    return ""


def merge_base(repo: Repo, head: str) -> tuple[str, str]:
    """The default base: `(branch, commit)` of the merge base of HEAD with main (or master)."""
    head_commit = head if head != WORKTREE else _head_commit(repo)
    for branch in DEFAULT_BRANCHES:
        ref = f"refs/remotes/{branch}" if branch.startswith("origin/") else f"refs/heads/{branch}"
        if _git(repo.top, "rev-parse", "--verify", "--quiet", ref).returncode:
            continue
        process = _git(repo.top, "merge-base", branch, head_commit)
        if process.returncode == 0:
            return branch, process.stdout.decode("ascii").strip()
        raise UsageError(
            f"no merge base between {branch} and {head}: name the BASE revision{_shallow(repo)}"
        )
    raise UsageError(
        f"no base revision: there is no {', '.join(DEFAULT_BRANCHES[:-1])} or "
        f"{DEFAULT_BRANCHES[-1]} branch; name the BASE revision (itokr diff BASE)"
    )


def _head_commit(repo: Repo) -> str:
    process = _git(repo.top, "rev-parse", "--verify", "--quiet", "HEAD^{commit}")
    if process.returncode != 0:
        raise UsageError(
            "the repository has no commit yet: commit first, or name the BASE revision"
        )
    return process.stdout.decode("ascii").strip()


def _listing(repo: Repo, commit: str) -> list[tuple[str, str]]:
    """`(path inside the root, object id)` of every yaml blob of the root at `commit`."""
    spec = ["--", repo.inside] if repo.inside else []
    process = _git(repo.top, "ls-tree", "-r", "-z", "--full-tree", commit, *spec)
    if process.returncode != 0:
        raise UsageError(f"cannot list {repo.inside or '.'} at {commit[:12]}: {_message(process)}")
    prefix = f"{repo.inside}/" if repo.inside else ""
    found = []
    for record in process.stdout.split(b"\0"):
        if not record:
            continue
        meta, _, raw_path = record.partition(b"\t")
        mode, kind, object_id = meta.decode("ascii").split(" ")
        path = os.fsdecode(raw_path)
        # a symlink's blob is its target's name, not OKRs; hidden directories are skipped
        # as `objective_files` skips them on disk
        if kind != _BLOB or mode == _SYMLINK_MODE or not path.startswith(prefix):
            continue
        relative = path[len(prefix) :]
        if relative.endswith((".yaml", ".yml")) and not any(
            part.startswith(".") for part in relative.split("/")[:-1]
        ):
            found.append((relative, object_id))
    return sorted(found)


def _blobs(repo: Repo, object_ids: Sequence[str]) -> dict[str, bytes | None]:
    """The bytes of every object, from one `git cat-file --batch` process."""
    if not object_ids:
        return {}
    unique = list(dict.fromkeys(object_ids))
    process = _git(
        repo.top, "cat-file", "--batch", stdin="".join(f"{o}\n" for o in unique).encode()
    )
    if process.returncode != 0:
        raise UsageError(f"cannot read objects from git: {_message(process)}")
    out, at = process.stdout, 0
    blobs: dict[str, bytes | None] = {}
    for object_id in unique:
        end = out.index(b"\n", at)
        header = out[at:end].split(b" ")
        at = end + 1
        if len(header) != 3:  # "<id> missing"
            blobs[object_id] = None
            continue
        size = int(header[2])
        blobs[object_id] = out[at : at + size] if size <= MAX_FILE_BYTES else None
        at += size + 1
    return blobs


def load_revision(repo: Repo, label: str, commit: str, cwd: Path) -> Side:
    """The root as it was at `commit`; a revision without the root is an empty tree."""
    listing = _listing(repo, commit)
    blobs = _blobs(repo, [object_id for _, object_id in listing])
    config: Document | None = None
    documents: list[Document] = []
    for relative, object_id in listing:
        shown = display_path(repo.root / relative, cwd)
        data = blobs[object_id]
        document = Document(shown, data, "" if data is not None else "unreadable or too large")
        if relative == CONFIG_NAME:
            config = document
        else:
            documents.append(document)
    sources = {d.path: d.data for d in (*documents, *([config] if config else [])) if d.data}
    return Side(label, commit, load_documents(documents, config), sources)


def load_worktree(repo: Repo, cwd: Path) -> Side:
    """The root as it is on disk now, untracked files included (as `validate` sees it)."""
    return Side(WORKTREE, None, load_root(repo.root, cwd))


@dataclass(frozen=True)
class Commit:
    """One commit of a file's history, as `itokr history` shows it."""

    commit: str
    day: dt.date  # the committer date, in the committer's own time zone
    subject: str
    path: str  # the file's path in the repository at this commit (it may have moved)


_LOG_FORMAT = "--format=%H%x00%cI%x00%s"


def commits_touching(repo: Repo, path: Path) -> list[Commit]:
    """The commits reachable from HEAD that changed `path` (followed across renames),
    oldest first; none in a repository without commits or for an untracked file."""
    try:
        inside = path.resolve().relative_to(repo.top).as_posix()
    except ValueError:
        return []
    if _git(repo.top, "rev-parse", "--verify", "--quiet", "HEAD^{commit}").returncode:
        return []
    process = _git(repo.top, "log", "--follow", "--name-only", "-z", _LOG_FORMAT, "--", inside)
    if process.returncode != 0:
        raise UsageError(f"git cannot read the history of {inside}: {_message(process)}")
    # with -z each commit is `id NUL date NUL subject NUL LF path NUL`
    fields = process.stdout.split(b"\0")
    commits = []
    for at in range(0, len(fields) - 3, 4):
        commit, stamp, subject, name = fields[at : at + 4]
        commits.append(
            Commit(
                commit.decode("ascii"),
                dt.datetime.fromisoformat(stamp.decode("ascii")).date(),
                subject.decode("utf-8", "replace"),
                os.fsdecode(name.removeprefix(b"\n")),
            )
        )
    return commits[::-1]


def commit_day(repo: Repo, commit: str) -> dt.date:
    """The committer date of a commit, in the committer's own time zone."""
    process = _git(repo.top, "show", "-s", "--format=%cI", commit)
    if process.returncode != 0:
        raise UsageError(f"git cannot read commit {commit[:12]}: {_message(process)}")
    return dt.datetime.fromisoformat(process.stdout.decode("ascii").strip()).date()


def in_repository(repo: Repo, path: Path) -> str | None:
    """`path` (as shown, relative to the cwd) inside the repository, posix; None outside."""
    try:
        return path.resolve().relative_to(repo.top).as_posix()
    except ValueError:
        return None


def load_file_at(
    repo: Repo, commit: str, path: str, cwd: Path, *, also: Sequence[str] = ()
) -> Tree:
    """The root at `commit` cut down to its configuration and one file (`path` inside
    the repository), and the files `also` names (the KPIs its key results track): what
    scoring that file's objectives needs, at the cost of a file or two rather than the
    whole root, for each commit of a long history."""
    prefix = f"{repo.inside}/" if repo.inside else ""
    wanted = {name.removeprefix(prefix) for name in (path, *also) if name.startswith(prefix)}
    listing = [(r, o) for r, o in _listing(repo, commit) if r in wanted or r == CONFIG_NAME]
    blobs = _blobs(repo, [object_id for _, object_id in listing])
    config: Document | None = None
    documents = []
    for relative, object_id in listing:
        data = blobs[object_id]
        shown = display_path(repo.root / relative, cwd)
        document = Document(shown, data, "" if data is not None else "unreadable or too large")
        if relative == CONFIG_NAME:
            config = document
        else:
            documents.append(document)
    return load_documents(documents, config)
