"""git, run for itokr: the repository holding the root, revisions and commits, and
the objects they name. `gittrees` loads the root at a revision from them, `gitlog`
follows a file's changes; together they are the IO edge of `diff`, `history`,
`report` and `status --at`, and what those compute from their trees stays pure.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from itokr.errors import ItokrError, UsageError

WORKTREE = "WORKTREE"  # the files on disk, as the user sees them now
DEFAULT_BRANCHES = ("main", "master", "origin/main", "origin/master")


@dataclass(frozen=True)
class Repo:
    """A git repository and where the OKR root sits in it."""

    top: Path
    root: Path  # the root as the user named it (display paths are made from it)
    inside: str  # the root's path inside the repository, posix, "" at the top


def git_command(*args: str) -> list[str]:
    # --literal-pathspecs: a root named `okrs[1]` is a path, not a glob
    return ["git", "--literal-pathspecs", "-c", "core.quotePath=false", *args]


def git_environment() -> dict[str, str]:
    return {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"}


def git_missing() -> UsageError:
    return UsageError("git is not installed (or not on PATH); this command reads git")


def run_git(
    repo_dir: Path, *args: str, stdin: bytes | None = None
) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(
            git_command(*args),
            cwd=repo_dir,
            input=stdin,
            capture_output=True,
            check=False,
            env=git_environment(),
        )
    except FileNotFoundError:
        raise git_missing() from None


def git_said(process: subprocess.CompletedProcess[bytes]) -> str:
    text = process.stderr.decode("utf-8", "replace").strip()
    return text.splitlines()[-1] if text else f"git exited with {process.returncode}"


def open_repo(root: Path) -> Repo:
    """The repository holding `root` (exit 2 when there is none)."""
    process = run_git(root, "rev-parse", "--show-toplevel")
    if process.returncode != 0 and b"not a git repository" not in process.stderr.lower():
        raise UsageError(f"git cannot read the repository at {root}: {git_said(process)}")
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
    found = run_git(
        repo.top, "rev-list", "-1", f"--before={day.isoformat()}T00:00:00", "HEAD", "--"
    )
    commit = found.stdout.decode("ascii", "replace").strip() if found.returncode == 0 else ""
    return commit or None


def commits_changing(repo: Repo, paths: Sequence[str]) -> list[str]:
    """The first-parent commits of HEAD that changed any of `paths` (inside the
    repository), oldest first; none in a repository without commits."""
    if (
        not paths
        or run_git(repo.top, "rev-parse", "--verify", "--quiet", "HEAD^{commit}").returncode
    ):
        return []
    found = run_git(repo.top, "log", "--first-parent", "--reverse", "--format=%H", "--", *paths)
    if found.returncode != 0:
        raise UsageError(f"git cannot read the history of {repo.inside or '.'}: {git_said(found)}")
    return found.stdout.decode("ascii").split()


def resolve(repo: Repo, revision: str) -> str:
    """The commit a revision names (exit 2 for an unknown one)."""
    process = run_git(
        repo.top, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}"
    )
    if process.returncode != 0 or not process.stdout.strip():
        raise UsageError(
            f"unknown revision {revision!r}: name a commit, branch or tag{_shallow(repo)}"
        )
    return process.stdout.decode("ascii").strip()


def _shallow(repo: Repo) -> str:
    """A hint for CI, where a shallow clone lacks the base branch."""
    process = run_git(repo.top, "rev-parse", "--is-shallow-repository")
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
        if run_git(repo.top, "rev-parse", "--verify", "--quiet", ref).returncode:
            continue
        process = run_git(repo.top, "merge-base", branch, head_commit)
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
    process = run_git(repo.top, "rev-parse", "--verify", "--quiet", "HEAD^{commit}")
    if process.returncode != 0:
        raise UsageError(
            "the repository has no commit yet: commit first, or name the BASE revision"
        )
    return process.stdout.decode("ascii").strip()


def read_blobs(repo: Repo, object_ids: Sequence[str]) -> dict[str, bytes | None]:
    """The bytes of each object (None: missing from this clone), streamed from one
    `git cat-file --batch`: one object asked for and read at a time, so each is held
    once and nothing waits on a full pipe. Callers ask only for objects within limits."""
    unique = list(dict.fromkeys(object_ids))
    if not unique:
        return {}
    blobs: dict[str, bytes | None] = {}
    try:
        process = subprocess.Popen(
            git_command("cat-file", "--batch"),
            cwd=repo.top,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=git_environment(),
        )
    except FileNotFoundError:
        raise git_missing() from None
    with process:
        assert process.stdin is not None and process.stdout is not None
        try:
            for object_id in unique:
                process.stdin.write(f"{object_id}\n".encode())
                process.stdin.flush()
                header = process.stdout.readline().split()
                if not header:  # git stopped: say why below
                    break
                if len(header) != 3:  # "<id> missing"
                    blobs[object_id] = None
                    continue
                blobs[object_id] = process.stdout.read(int(header[2]))
                process.stdout.read(1)  # the newline after the object
        except (OSError, ValueError):  # git stopped: say why below
            pass
        process.stdin.close()
        error = process.stderr.read() if process.stderr else b""
        if process.wait() != 0 or len(blobs) < len(unique):
            text = error.decode("utf-8", "replace").strip().splitlines()
            detail = text[-1] if text else f"git exited with {process.returncode}"
            raise UsageError(f"cannot read objects from git: {detail}")
    return blobs


def object_sizes(repo: Repo, object_ids: Sequence[str]) -> dict[str, int | None]:
    """The size of each object (None: missing from this clone), from its header alone:
    `git cat-file --batch-check` reads no content."""
    unique = list(dict.fromkeys(object_ids))
    if not unique:
        return {}
    process = run_git(
        repo.top, "cat-file", "--batch-check", stdin="".join(f"{o}\n" for o in unique).encode()
    )
    if process.returncode != 0:
        raise UsageError(f"cannot read objects from git: {git_said(process)}")
    sizes: dict[str, int | None] = {}
    for object_id, line in zip(unique, process.stdout.splitlines(), strict=False):
        header = line.split()  # "<id> blob <size>", or "<id> missing"
        sizes[object_id] = int(header[2]) if len(header) == 3 else None
    return sizes


def in_repository(repo: Repo, path: Path) -> str | None:
    """`path` (as shown, relative to the cwd) inside the repository, posix; None outside."""
    try:
        return path.resolve().relative_to(repo.top).as_posix()
    except ValueError:
        return None


def commit_day(repo: Repo, commit: str) -> dt.date:
    """The committer date of a commit, in the committer's own time zone."""
    process = run_git(repo.top, "show", "-s", "--format=%cI", commit)
    if process.returncode != 0:
        raise UsageError(f"git cannot read commit {commit[:12]}: {git_said(process)}")
    return dt.datetime.fromisoformat(process.stdout.decode("ascii").strip()).date()


def check_can_commit(repo: Repo) -> None:
    """Exit 2 before anything is written when git could not commit: no identity."""
    process = run_git(repo.top, "var", "GIT_COMMITTER_IDENT")
    if process.returncode != 0:
        raise UsageError(
            f"--commit: git has no name and email to commit with ({git_said(process)}); set "
            'them: git config user.name "Your Name"; git config user.email you@example.com'
        )


def commit_paths(repo: Repo, paths: Sequence[Path], message: str) -> str:
    """Commit the current content of `paths` alone (whatever else is staged stays
    staged), with `message`; the new commit's id. `ItokrError` when git refuses."""
    inside = [in_repository(repo, path) for path in paths]
    if None in inside:
        raise ItokrError(f"--commit: a file is outside the repository {repo.top}")
    names = [name for name in inside if name is not None]
    for step in (("add", "--", *names), ("commit", "--quiet", "-F", "-", "--", *names)):
        done = run_git(repo.top, *step, stdin=message.encode("utf-8"))
        if done.returncode != 0:
            raise ItokrError(f"git {step[0]} failed: {git_said(done)}")
    head = run_git(repo.top, "rev-parse", "HEAD")
    return head.stdout.decode("ascii").strip()
