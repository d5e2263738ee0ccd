"""Writes that are whole or not at all, and a lock that makes writers take turns.

A crash at any moment leaves the old file or the new one: the new bytes go to
a temporary file beside the original (named so that no reader of the root
takes it for OKRs), flushed and fsynced, then renamed over it. The lock is an
`flock` on the root directory itself, so no lock file shows up in `git status`.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager, suppress
from pathlib import Path

from itokr.errors import ItokrError

LOCK_TIMEOUT = 10.0  # seconds a writer waits for another one to finish
TEMP_SUFFIX = ".itokr-tmp"  # not *.yaml: a half-written file is never read as OKRs


@contextmanager
def root_lock(
    root: Path, timeout: float = LOCK_TIMEOUT, *, holder: str = "check-in"
) -> Iterator[None]:
    """Hold an exclusive lock on the root directory (no lock file to litter git);
    `holder` names the other writer it may have to wait for."""
    import fcntl

    try:
        handle = os.open(root, os.O_RDONLY)
    except OSError as error:
        raise ItokrError(f"cannot lock {root}: {error.strerror}; nothing written") from None
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise ItokrError(
                        f"another {holder} has held the lock on {root} for {timeout:g} s; "
                        "nothing written: try again"
                    ) from None
                time.sleep(0.05)
        yield
    finally:
        os.close(handle)  # closing releases the lock


def replace_file(path: Path, old: bytes, new: bytes) -> None:
    """Write `new` over `path` atomically, keeping its mode; never leave a partial file.

    `old` is what the caller read: a file changed since by someone else is not
    overwritten. An OS error (read-only disk, permissions) is an `ItokrError`.
    """
    with _os_errors(path):
        target = Path(os.path.realpath(path))
        for stale in target.parent.glob(f".{target.name}.*{TEMP_SUFFIX}"):
            with suppress(OSError):  # left by a check-in killed midway: we hold the lock
                stale.unlink()
        if target.read_bytes() != old:
            raise ItokrError(f"{path} changed while checking in; nothing written: run it again")
        with _staged(target, new, target.stat().st_mode & 0o7777) as temp:
            os.replace(temp, target)
        _sync_directory(target.parent)


def write_new(path: Path, data: bytes) -> None:
    """Write `data` to `path` whole or not at all, whether or not the file exists yet
    (an output file such as a report: no lock, nothing to compare with)."""
    with _os_errors(path):
        target = Path(os.path.realpath(path))
        with _staged(target, data, 0o666 & ~_umask()) as temp:  # as open() would create it
            os.replace(temp, target)


def create_file(path: Path, new: bytes) -> None:
    """Write a new file at `path` whole or not at all; never replace an existing one.

    The bytes go to a temporary file first, then a hard link gives it its name:
    `link` fails when the name exists, so a file written meanwhile is kept.
    """
    try:
        with _os_errors(path):
            path.parent.mkdir(parents=True, exist_ok=True)
            with _staged(path, new, 0o666 & ~_umask()) as temp:
                os.link(temp, path)
    except FileExistsError:
        raise ItokrError(f"{path} exists; nothing written: review or remove it first") from None


def create_files(files: Sequence[tuple[Path, bytes]]) -> list[Path]:
    """Write new files all or none, replacing none; the paths written, in order.

    Every file is staged (written, fsynced) beside its place before the first is
    linked into place; if staging or any link fails, the files already placed
    are removed again. A crash between two links can leave some of them, each whole.
    """
    placed: list[Path] = []
    current = files[0][0] if files else Path()
    try:
        with ExitStack() as stack:
            staged = []
            for path, data in files:
                current = path
                path.parent.mkdir(parents=True, exist_ok=True)
                staged.append((stack.enter_context(_staged(path, data, 0o666 & ~_umask())), path))
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
def _staged(target: Path, data: bytes, mode: int) -> Iterator[str]:
    """A fsynced temporary file beside `target` holding `data`; gone afterwards
    unless the caller renamed it into place."""
    handle, temp = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=TEMP_SUFFIX
    )
    try:
        with os.fdopen(handle, "wb") as stream:
            os.fchmod(stream.fileno(), mode)  # mkstemp makes it 0600
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
    except FileExistsError:
        raise
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
