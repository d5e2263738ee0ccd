"""A file's changes commit by commit (`git log --follow`), with what each changed:
enough to tell a commit of check-ins alone from one that changed the plan."""

from __future__ import annotations

import re
import subprocess
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from itokr.errors import UsageError
from itokr.gitio import Repo, git_command, git_environment, git_missing, object_sizes, run_git
from itokr.rootfiles import MAX_FILE_BYTES


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
    if run_git(repo.top, "rev-parse", "--verify", "--quiet", "HEAD^{commit}").returncode:
        return  # no commit yet
    if not patch:
        yield from _log(repo, inside, [], patch=False)
        return
    followed = list(_log(repo, inside, ["--follow"], patch=False))
    sizes = object_sizes(repo, [change.blob for change in followed if change.blob])
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
                git_command(*args),
                cwd=repo.top,
                stdout=subprocess.PIPE,
                stderr=errors,
                env=git_environment(),
            )
        except FileNotFoundError:
            raise git_missing() from None
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
