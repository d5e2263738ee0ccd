"""Read the OKR root at a git revision straight from git's objects.

No checkout and no temporary worktree: `git ls-tree -l` names the root's files
at the revision with their sizes, and `git cat-file --batch` streams the bytes of
those within the limits, which `loader.load_documents` turns into a `Tree` exactly
as it does for files on disk (a file over the limit is E008, never read). This
module is the IO edge of `diff`, `history`, `report` and `status --at`; what
they compute from its trees stays pure.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from itokr.errors import ItokrError, UsageError
from itokr.loader import (
    CONFIG_NAME,
    MAX_FILE_BYTES,
    Document,
    Tree,
    display_path,
    load_documents,
    load_root,
    max_file_bytes,
    read_shown,
    too_large,
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
        return read_shown(path)  # a display path: relative to the cwd, or absolute


def _command(*args: str) -> list[str]:
    # --literal-pathspecs: a root named `okrs[1]` is a path, not a glob
    return ["git", "--literal-pathspecs", "-c", "core.quotePath=false", *args]


def _environment() -> dict[str, str]:
    return {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"}


def _no_git() -> UsageError:
    return UsageError("git is not installed (or not on PATH); this command reads git")


def _git(
    repo_dir: Path, *args: str, stdin: bytes | None = None
) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(
            _command(*args),
            cwd=repo_dir,
            input=stdin,
            capture_output=True,
            check=False,
            env=_environment(),
        )
    except FileNotFoundError:
        raise _no_git() from None


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


def commits_changing(repo: Repo, paths: Sequence[str]) -> list[str]:
    """The first-parent commits of HEAD that changed any of `paths` (inside the
    repository), oldest first; none in a repository without commits."""
    if not paths or _git(repo.top, "rev-parse", "--verify", "--quiet", "HEAD^{commit}").returncode:
        return []
    found = _git(repo.top, "log", "--first-parent", "--reverse", "--format=%H", "--", *paths)
    if found.returncode != 0:
        raise UsageError(f"git cannot read the history of {repo.inside or '.'}: {_message(found)}")
    return found.stdout.decode("ascii").split()


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


@dataclass(frozen=True, slots=True)
class _Blob:
    relative: str  # the path inside the root
    object_id: str
    size: int


def _listing(repo: Repo, commit: str, only: Sequence[str] = ()) -> list[_Blob]:
    """Every yaml blob of the root at `commit` (or those of `only`, paths inside the
    root), with its size, which git reads from the tree and the object headers."""
    prefix = f"{repo.inside}/" if repo.inside else ""
    wanted = [prefix + relative for relative in only] or ([repo.inside] if repo.inside else [])
    spec = ["--", *wanted] if wanted else []
    process = _git(repo.top, "ls-tree", "-r", "-l", "-z", "--full-tree", commit, *spec)
    if process.returncode != 0:
        raise UsageError(f"cannot list {repo.inside or '.'} at {commit[:12]}: {_message(process)}")
    found = []
    for record in process.stdout.split(b"\0"):
        if not record:
            continue
        meta, _, raw_path = record.partition(b"\t")
        mode, kind, object_id, size = meta.decode("ascii").split()
        path = os.fsdecode(raw_path)
        # a symlink's blob is its target's name, not OKRs; hidden directories are skipped
        # as `objective_files` skips them on disk
        if kind != _BLOB or mode == _SYMLINK_MODE or not path.startswith(prefix):
            continue
        relative = path[len(prefix) :]
        if relative.endswith((".yaml", ".yml")) and not any(
            part.startswith(".") for part in relative.split("/")[:-1]
        ):
            found.append(_Blob(relative, object_id, int(size)))
    return sorted(found, key=lambda blob: blob.relative)


def _read_blobs(repo: Repo, object_ids: Sequence[str]) -> dict[str, bytes | None]:
    """The bytes of each object (None: missing from this clone), streamed from one
    `git cat-file --batch`: one object asked for and read at a time, so each is held
    once and nothing waits on a full pipe. Callers ask only for objects within limits."""
    unique = list(dict.fromkeys(object_ids))
    if not unique:
        return {}
    blobs: dict[str, bytes | None] = {}
    try:
        process = subprocess.Popen(
            _command("cat-file", "--batch"),
            cwd=repo.top,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=_environment(),
        )
    except FileNotFoundError:
        raise _no_git() from None
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


def _documents(
    repo: Repo, listing: Sequence[_Blob], cwd: Path
) -> tuple[Document | None, list[Document]]:
    """The config and the objective files of `listing`, within the limits of SPEC §3 as on
    disk: the config under the default size limit, the others under the config's.

    One `cat-file` reads the config with every file within the default limit; a second
    only the files a raised `limits.max_file_mib` lets in. A file over the limit is
    never read (E008), however large: its size comes from the tree."""
    blobs = _read_blobs(repo, [b.object_id for b in listing if b.size <= MAX_FILE_BYTES])
    config = next(
        (
            _document(repo, b, blobs, cwd, MAX_FILE_BYTES)
            for b in listing
            if b.relative == CONFIG_NAME
        ),
        None,
    )
    max_bytes = max_file_bytes(config)
    others = [b for b in listing if b.relative != CONFIG_NAME]
    blobs |= _read_blobs(
        repo, [b.object_id for b in others if MAX_FILE_BYTES < b.size <= max_bytes]
    )
    return config, [_document(repo, b, blobs, cwd, max_bytes) for b in others]


def _document(
    repo: Repo, blob: _Blob, blobs: Mapping[str, bytes | None], cwd: Path, max_bytes: int
) -> Document:
    shown = display_path(repo.root / blob.relative, cwd)
    return _document_of(shown, blob.size, blobs.get(blob.object_id), max_bytes)


def _document_of(shown: str, size: int | None, data: bytes | None, max_bytes: int) -> Document:
    """A blob of `size` bytes as a `Document`: E008 over `max_bytes` (its `data` never read)."""
    if size is not None and size > max_bytes:
        return too_large(shown, max_bytes)
    if data is None:
        return Document(shown, None, "missing from this clone of the repository")
    return Document(shown, data)


def load_revision(repo: Repo, label: str, commit: str, cwd: Path) -> Side:
    """The root as it was at `commit`; a revision without the root is an empty tree."""
    config, documents = _documents(repo, _listing(repo, commit), cwd)
    sources = {d.path: d.data for d in (*documents, *([config] if config else [])) if d.data}
    return Side(label, commit, load_documents(documents, config), sources)


def load_worktree(repo: Repo, cwd: Path) -> Side:
    """The root as it is on disk now, untracked files included (as `validate` sees it)."""
    return Side(WORKTREE, None, load_root(repo.root, cwd))


@dataclass(frozen=True, slots=True)
class FileChange:
    """One commit of a file's first-parent history, as `git log --raw -p` tells it."""

    commit: str
    time: int  # committer time, seconds since the epoch
    subject: str
    blob: str | None  # the file's object id after the commit; None: the commit deleted it
    lines: tuple[bytes, ...] | None  # lines removed or added; None: no text diff to read


_ZERO = re.compile(rb"0+")
_HUNK = re.compile(rb"@@ -\d+(?:,(\d+))? \+\d+(?:,(\d+))? @@")
_MARK = b"\x01"  # starts each commit's header line in file_changes' output


def file_changes(repo: Repo, inside: str, *, patch: bool) -> Iterator[FileChange]:
    """The first-parent commits of HEAD that changed the file `inside` (a path in the
    repository), newest first, streamed from one `git log` process. With `patch`
    the file is followed across renames and each change carries the lines it
    removed or added (no context): a long history is read once and never held whole.
    A merge counts with what it brought to the first parent.

    git's diff reads a version over its size limit whole, even one it calls binary
    beside a text one, so a version over the default limit anywhere in the followed
    history turns the patches off: a short `git log --raw` and the object headers
    tell, and then every change comes without lines, each a plan to load (within the
    limits of SPEC §3: E008, never read)."""
    if _git(repo.top, "rev-parse", "--verify", "--quiet", "HEAD^{commit}").returncode:
        return  # no commit yet
    if not patch:
        yield from _log(repo, inside, [], patch=False)
        return
    followed = list(_log(repo, inside, ["--follow"], patch=False))
    sizes = _sizes(repo, [change.blob for change in followed if change.blob])
    if any(size is not None and size > MAX_FILE_BYTES for size in sizes.values()):
        yield from followed
        return
    diff = ["--follow", "-p", "-U0", "--no-color", "--no-ext-diff", "--no-textconv"]
    yield from _log(repo, inside, diff, patch=True)


def _log(repo: Repo, inside: str, extra: Sequence[str], *, patch: bool) -> Iterator[FileChange]:
    """`git log --raw` of the file `inside` with `extra` options, parsed as it streams."""
    args = ["log", "--first-parent", "--diff-merges=first-parent", "--raw", "--no-abbrev"]
    args += ["--format=%x01%H%x00%ct%x00%s", *extra, "--", inside]
    with tempfile.TemporaryFile() as errors:  # a pipe for stderr could fill and stall git
        try:
            process = subprocess.Popen(
                _command(*args),
                cwd=repo.top,
                stdout=subprocess.PIPE,
                stderr=errors,
                env=_environment(),
            )
        except FileNotFoundError:
            raise _no_git() from None
        assert process.stdout is not None
        try:
            yield from _changes(process.stdout, patch=patch)
        finally:
            process.stdout.close()
            if process.poll() is None:  # the reader stopped early
                process.kill()
            code = process.wait()
        if code > 0:
            errors.seek(0)
            message = errors.read().decode("utf-8", "replace").strip().splitlines()
            raise UsageError(
                f"git cannot read the history of {inside}: {message[-1] if message else code}"
            )


def _changes(stream: Iterable[bytes], *, patch: bool) -> Iterator[FileChange]:
    """Parse `git log --format=%x01%H%x00%ct%x00%s --raw [-p -U0]` line by line."""
    header: list[bytes] | None = None
    blob: str | None = None
    lines: list[bytes] | None = []
    old = new = 0  # lines of the current hunk still to come
    for raw in stream:
        line = raw.rstrip(b"\n")
        if line.startswith(b"\\"):  # "\ No newline at end of file"
            continue
        removed = old and line.startswith(b"-")
        if removed or (new and line.startswith(b"+")):  # -U0: a hunk holds no context
            old, new = (old - 1, new) if removed else (old, new - 1)
            if lines is not None:
                lines.append(line[1:])
            continue
        if old or new:  # not what the hunk header announced: trust none of this commit's lines
            lines, old, new = None, 0, 0
        if line.startswith(_MARK):
            if header is not None:
                yield _change(header, blob, lines if patch else None)
            header = line[1:].split(b"\0", 2)
            blob, lines = None, []
        elif line.startswith(b":"):  # :old-mode new-mode old-id new-id status\tpath
            object_id = line.split(b"\t", 1)[0].split(b" ")[3]
            blob = None if _ZERO.fullmatch(object_id) else object_id.decode("ascii")
        elif (hunk := _HUNK.match(line)) is not None:
            old = 1 if hunk[1] is None else int(hunk[1])
            new = 1 if hunk[2] is None else int(hunk[2])
        elif line.startswith((b"Binary files", b"GIT binary patch")):
            lines = None
    if header is not None:
        yield _change(header, blob, lines if patch else None)


def _change(header: list[bytes], blob: str | None, lines: list[bytes] | None) -> FileChange:
    commit, stamp, subject = [*header, b"", b""][:3]
    return FileChange(
        commit.decode("ascii"),
        int(stamp or 0),
        subject.decode("utf-8", "replace"),
        blob,
        None if lines is None else tuple(lines),
    )


def _sizes(repo: Repo, object_ids: Sequence[str]) -> dict[str, int | None]:
    """The size of each object (None: missing from this clone), from its header alone:
    `git cat-file --batch-check` reads no content."""
    unique = list(dict.fromkeys(object_ids))
    if not unique:
        return {}
    process = _git(
        repo.top, "cat-file", "--batch-check", stdin="".join(f"{o}\n" for o in unique).encode()
    )
    if process.returncode != 0:
        raise UsageError(f"cannot read objects from git: {_message(process)}")
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


def load_file_versions(
    repo: Repo,
    versions: Sequence[tuple[str | None, ...]],
    path: str,
    cwd: Path,
    *,
    also: Sequence[str] = (),
) -> dict[tuple[str | None, ...], Tree]:
    """Each `(file, config, *also)` tuple of object ids loaded as a root of that one file
    (shown as `path`, inside the repository), its configuration and the files `also`
    names (the KPI files its key results track, inside the repository), in that order:
    what scoring one file's objectives needs. None for an object: no such file at that
    commit.

    The limits are those of a revision (SPEC §3): each configuration is read under the
    default size limit, the other files under the limit of the configuration they are
    loaded with; sizes come from the object headers, so a version over its limit is E008
    and never read. One `cat-file` reads every version within the default limit, a
    second only those a raised `limits.max_file_mib` lets in."""
    tuples = list(dict.fromkeys(versions))
    sizes = _sizes(repo, [object_id for version in tuples for object_id in version if object_id])
    within = [o for o, size in sizes.items() if size is not None and size <= MAX_FILE_BYTES]
    blobs = _read_blobs(repo, within)
    shown = [display_path(repo.top / name, cwd) for name in (path, *also)]
    config_shown = display_path(repo.root / CONFIG_NAME, cwd)

    def document(name: str, object_id: str, max_bytes: int) -> Document:
        return _document_of(name, sizes.get(object_id), blobs.get(object_id), max_bytes)

    configs = {
        version[1]: document(config_shown, version[1], MAX_FILE_BYTES)
        for version in tuples
        if version[1]
    }
    limits = {
        version[1]: max_file_bytes(configs[version[1]] if version[1] else None)
        for version in tuples
    }
    blobs |= _read_blobs(
        repo,
        [
            o
            for file, config, *others in tuples
            for o in (file, *others)
            if o and MAX_FILE_BYTES < (sizes.get(o) or 0) <= limits[config]
        ],
    )
    trees = {}
    for version in tuples:
        file, config, *others = version
        objects = (file, *others)
        trees[version] = load_documents(
            [
                document(name, o, limits[config])
                for name, o in zip(shown, objects, strict=True)
                if o
            ],
            configs[config] if config else None,
        )
    return trees


def commit_day(repo: Repo, commit: str) -> dt.date:
    """The committer date of a commit, in the committer's own time zone."""
    process = _git(repo.top, "show", "-s", "--format=%cI", commit)
    if process.returncode != 0:
        raise UsageError(f"git cannot read commit {commit[:12]}: {_message(process)}")
    return dt.datetime.fromisoformat(process.stdout.decode("ascii").strip()).date()


def check_can_commit(repo: Repo) -> None:
    """Exit 2 before anything is written when git could not commit: no identity."""
    process = _git(repo.top, "var", "GIT_COMMITTER_IDENT")
    if process.returncode != 0:
        raise UsageError(
            f"--commit: git has no name and email to commit with ({_message(process)}); set "
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
        done = _git(repo.top, *step, stdin=message.encode("utf-8"))
        if done.returncode != 0:
            raise ItokrError(f"git {step[0]} failed: {_message(done)}")
    head = _git(repo.top, "rev-parse", "HEAD")
    return head.stdout.decode("ascii").strip()
