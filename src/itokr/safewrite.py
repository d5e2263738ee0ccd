"""Writes that are whole or not at all, that land where they were meant to, and a lock
that makes writers take turns.

A crash at any moment leaves the old file or the new one: the new bytes go to
a temporary file beside the target (a hidden `*.itokr-tmp` name that no reader
of the root takes for OKRs, which `itokr init`'s `.gitignore` keeps out of git,
and which the next write sweeps away), flushed and fsynced, then renamed over
it. Check-ins (`replace_file`) look at the file once more right before that
rename, so an editor's save in between is never lost. Output files
(`write_new`) are written through a symbolic link, keeping the target's mode,
and never replace a device, FIFO or directory. New files (`create_file`) never
replace anything, and stay inside the directory they belong to.
"""

from __future__ import annotations

import hashlib
import os
import stat
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager, suppress
from pathlib import Path

from itokr.errors import ItokrError

LOCK_TIMEOUT = 10.0  # seconds a writer waits for another one to finish
TEMP_SUFFIX = ".itokr-tmp"  # not *.yaml: a half-written file is never read as OKRs
STALE_TEMP = 60.0  # seconds: an older temporary of another file is a killed writer's


class Exists(ItokrError):
    """`create_file` found its name taken: nothing was written."""


@contextmanager
def root_lock(
    root: Path, timeout: float = LOCK_TIMEOUT, *, holder: str = "check-in"
) -> Iterator[None]:
    """Hold an exclusive lock for `root`'s writers; after `timeout` seconds, exit 1.
    `holder` names the other writer it may have to wait for."""
    try:
        release = _acquire(root, timeout)
    except TimeoutError:
        raise ItokrError(
            f"another {holder} has held the lock on {root} for {timeout:g} s; "
            "nothing written: try again"
        ) from None
    except OSError as error:
        raise ItokrError(
            f"cannot lock {root}: {error.strerror or error}; nothing written"
        ) from None
    try:
        yield
    finally:
        release()


def _acquire(root: Path, timeout: float) -> Callable[[], None]:
    """Lock `root`; the function that unlocks it.

    On POSIX, an `flock` on the root directory itself: no lock file anywhere, and
    it holds across users and containers sharing the checkout. Windows cannot
    lock a directory, so there `filelock` (msvcrt underneath) locks a file named
    after the root in the temporary directory: still no lock file in the tree.
    """
    if not _locks_directories():
        from filelock import FileLock, Timeout

        key = hashlib.sha256(os.fsencode(os.path.normcase(os.path.realpath(root)))).hexdigest()
        lock = FileLock(Path(tempfile.gettempdir()) / f"itokr-{key[:16]}.lock", timeout=timeout)
        try:
            lock.acquire()
        except Timeout:
            raise TimeoutError from None
        return lock.release
    import fcntl

    handle = os.open(root, os.O_RDONLY)
    deadline = time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return lambda: os.close(handle)  # closing releases the lock
        except BlockingIOError:
            if time.monotonic() >= deadline:
                os.close(handle)
                raise TimeoutError from None
            time.sleep(0.05)


def _locks_directories() -> bool:
    return os.name == "posix"


def replace_file(path: Path, old: bytes, new: bytes) -> None:
    """Write `new` over `path` atomically, keeping its mode; never leave a partial file.

    `old` is what the caller read: a file changed since by someone else is not
    overwritten, checked when the write starts and again right before the rename
    (same file, size, modification time and bytes). An OS error (read-only disk,
    permissions) is an `ItokrError`.
    """
    with _os_errors(path):
        target = Path(os.path.realpath(path))
        _sweep(target)
        before = _holding(target, old, path)
        with _staged(target, new, before) as temp:
            _holding(target, old, path, before)
            os.replace(temp, target)
        _sync_directory(target.parent)


def _holding(
    target: Path, old: bytes, path: Path, before: os.stat_result | None = None
) -> os.stat_result:
    """The file's status, when it still holds `old` (and is as it was `before`)."""
    with open(target, "rb") as stream:
        info = os.fstat(stream.fileno())
        same = stream.read(len(old) + 1) == old
    if same and before is not None:
        same = _signature(info) == _signature(before)
    if not same:
        raise ItokrError(f"{path} changed while checking in; nothing written: run it again")
    return info


def _signature(info: os.stat_result) -> tuple[int, ...]:
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)


def write_new(path: Path, data: bytes) -> None:
    """Write `data` to `path` whole or not at all, whether or not the file exists yet
    (an output file such as a report: no lock, nothing to compare with).

    A symbolic link is written through to its target, whose mode (and owner, where
    allowed) the new file keeps; a device, FIFO, socket or directory is refused.
    """
    with _os_errors(path):
        target = Path(os.path.realpath(path))
        try:
            info: os.stat_result | None = os.stat(target)
        except FileNotFoundError:
            info = None
        if info is not None and not stat.S_ISREG(info.st_mode):
            raise ItokrError(f"{path} is {_kind(info.st_mode)}; nothing written: name a file")
        with _staged(target, data, info) as temp:
            os.replace(temp, target)
        _sync_directory(target.parent)


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def create_file(path: Path, new: bytes, *, within: Path | None = None) -> None:
    """Write a new file at `path` whole or not at all; never replace an existing one
    (`Exists`), and with `within`, never outside that directory (a symbolic link to a
    directory elsewhere is refused).

    The bytes go to a temporary file first, then a hard link gives it its name:
    `link` fails when the name exists, so a file written meanwhile is kept.
    """
    with _os_errors(path):
        if within is not None:
            check_inside(path, within)
        for folder in (path.parent, *path.parent.parents):  # the nearest that exists
            if folder.exists():
                if not folder.is_dir():
                    raise ItokrError(
                        f"cannot write {path}: {folder} is not a directory; nothing written"
                    )
                break
        path.parent.mkdir(parents=True, exist_ok=True)
        if within is not None:
            check_inside(path, within)  # again: a link may have appeared meanwhile
        _sweep(path)
        with _staged(path, new, None) as temp:
            try:
                os.link(temp, path)
            except FileExistsError:
                raise Exists(f"{path} exists; nothing written: review or remove it first") from None


def check_inside(path: Path, within: Path) -> None:
    """Refuse (`ItokrError`) a `path` whose folder, links followed, is not below `within`."""
    boundary = os.path.realpath(within)
    folder = os.path.realpath(path.parent)
    if os.path.commonpath([folder, boundary]) != boundary:
        raise ItokrError(
            f"{path.parent} leads out of {within} (a symbolic link to {folder}?); nothing written"
        )


def _sweep(target: Path) -> None:
    """Remove the temporaries a killed writer left beside `target`: its own at once
    (the caller holds the lock), those of other files once they are old."""
    now = time.time()
    with suppress(OSError), os.scandir(target.parent) as entries:
        for entry in entries:
            name = entry.name
            if not (name.startswith(".") and name.endswith(TEMP_SUFFIX)):
                continue
            with suppress(OSError):
                if name.startswith(f".{target.name}.") or (
                    now - entry.stat(follow_symlinks=False).st_mtime > STALE_TEMP
                ):
                    os.unlink(entry.path)


def create_files(files: Sequence[tuple[Path, bytes]], *, within: Path | None = None) -> list[Path]:
    """Write new files all or none, replacing none; the paths written, in order.

    Every file is staged (written, fsynced) beside its place before the first is
    linked into place; if staging or any link fails, the files already placed
    are removed again. A crash between two links can leave some of them, each whole.
    With `within`, a file whose folder leads out of it (a symbolic link) stops all
    before anything is placed, as in `create_file`.
    """
    placed: list[Path] = []
    current = files[0][0] if files else Path()
    try:
        with ExitStack() as stack:
            staged = []
            for path, data in files:
                current = path
                if within is not None:
                    check_inside(path, within)
                path.parent.mkdir(parents=True, exist_ok=True)
                if within is not None:
                    check_inside(path, within)  # again: a link may have appeared meanwhile
                _sweep(path)
                staged.append((stack.enter_context(_staged(path, data, None)), path))
            for temp, path in staged:
                current = path
                os.link(temp, path)
                placed.append(path)
            for directory in dict.fromkeys(path.parent for path in placed):
                _sync_directory(directory)
    except BaseException as error:
        remove_files(placed)
        if isinstance(error, FileExistsError):
            raise ItokrError(f"{current} exists; nothing written: run the import again") from None
        if isinstance(error, OSError):
            raise ItokrError(
                f"cannot write {current}: {error.strerror or error}; nothing written"
            ) from None
        raise
    return placed


def remove_files(paths: Sequence[Path]) -> None:
    """Take back files this run created (a later step of the same write failed)."""
    for path in paths:
        with suppress(OSError):
            path.unlink()


@contextmanager
def _staged(target: Path, data: bytes, like: os.stat_result | None) -> Iterator[str]:
    """A fsynced temporary file beside `target` holding `data`, with the mode (and,
    where allowed, the owner) of `like`, else the mode `open` would give a new file;
    gone afterwards unless the caller renamed it into place."""
    handle, temp = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=TEMP_SUFFIX
    )
    try:
        with os.fdopen(handle, "wb") as stream:
            # mkstemp makes it 0600; chmod by name, as Windows has no fchmod before 3.13
            os.chmod(temp, 0o666 & ~_umask() if like is None else stat.S_IMODE(like.st_mode))
            if like is not None and hasattr(os, "fchown"):
                mine = os.fstat(stream.fileno())
                if (like.st_uid, like.st_gid) != (mine.st_uid, mine.st_gid):
                    with suppress(OSError):  # only root may give a file away
                        os.fchown(stream.fileno(), like.st_uid, like.st_gid)
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        yield temp
    finally:
        with suppress(OSError):  # already renamed away, or a failure: no partial file stays
            os.unlink(temp)


@contextmanager
def _os_errors(path: Path) -> Iterator[None]:
    """An OS error (read-only disk, permissions) as an `ItokrError` naming the file."""
    try:
        yield
    except OSError as error:
        raise ItokrError(
            f"cannot write {path}: {error.strerror or error}; nothing written"
        ) from None


def _sync_directory(directory: Path) -> None:
    """Make a rename in `directory` itself durable."""
    with suppress(OSError):
        handle = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
