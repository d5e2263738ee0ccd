"""The output directory of `itokr site`: each file whole or not at all, never through a link.

- OUTDIR is created when missing. A directory that holds anything but an earlier
  itokr site (known by its marker file) is refused unless `force`: the pages are
  never mixed into someone's files by mistake.
- Every file goes to a temporary file beside it, then is renamed into place; the
  build is flushed to disk once at the end.
  Directories are walked as file descriptors opened with `O_NOFOLLOW`, so a
  symbolic link inside OUTDIR (`objectives` pointing at /etc, `index.html` at
  ~/.bashrc) is never followed: a link where the site needs a directory is refused,
  and a link where a page goes is replaced by the page (a rename replaces the link
  itself, not what it points at). OUTDIR itself may be a link the user made.
- Pages of the previous build that are gone (an objective removed, an owner
  renamed) are deleted; only files the marker lists, so nothing else is touched.
"""

from __future__ import annotations

import json
import os
import re
import secrets
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager, suppress
from pathlib import Path

from itokr import __version__
from itokr.errors import ItokrError, UsageError
from itokr.safewrite import TEMP_SUFFIX, root_lock

MARKER = ".itokr-site"  # lists the files of the last build: a previous site is known by it
_MARKER_LIMIT = 16 * 1024 * 1024
_NAME = re.compile(r"(?!\.\.?$)[A-Za-z0-9._][A-Za-z0-9._-]*")  # no `..`, no separator
_DIRECTORY = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW


def publish(outdir: Path, files: Iterable[tuple[str, bytes]], *, force: bool = False) -> list[str]:
    """Write `files` (paths relative to `outdir`, `/`-separated) and return their paths."""
    wanted = dict(files)
    for path in wanted:
        if not _safe(path):
            raise ValueError(f"not a path inside the site: {path!r}")
    with _os_errors(outdir):
        if outdir.exists() and not outdir.is_dir():
            raise UsageError(
                f"{outdir} exists and is not a directory: name a directory for the site"
            )
        outdir.mkdir(parents=True, exist_ok=True)
        with root_lock(outdir, holder="itokr site"):  # two builds at once would mix
            top = os.open(outdir, os.O_RDONLY | os.O_DIRECTORY)
            try:
                _replace(top, outdir, wanted, force=force)
            finally:
                os.close(top)
    return sorted(wanted)


def _replace(top: int, outdir: Path, wanted: dict[str, bytes], *, force: bool) -> None:
    """The last build's files (or a directory of no site, with `force`) by `wanted`."""
    previous = _previous(top)
    if previous is None and os.listdir(top) and not force:
        raise UsageError(
            f"{outdir} is not empty and holds no itokr site (no {MARKER} file): "
            "name a new or empty directory, or pass --force to write the site into it"
        )
    earlier = previous or []
    by_folder: dict[tuple[str, ...], list[tuple[str, bytes]]] = {}
    for path, data in wanted.items():
        *parts, name = path.split("/")
        by_folder.setdefault(tuple(parts), []).append((name, data))
    with ExitStack() as stack:
        # every folder opened (or refused: a link in the way) before any page is
        # written, so a refusal leaves the last build whole; each once: pages share it
        folders = {
            folder: stack.enter_context(_folder(top, outdir, list(folder), create=True))
            for folder in by_folder
        }
        # listed before a page is written, so a build cut short is cleaned up next time
        _write(top, MARKER, _marker(sorted({*earlier, *wanted})))
        for folder, files in by_folder.items():
            directory = folders[folder]
            assert directory is not None  # created, or refused
            for name, data in files:
                _write(directory, name, data)
    for path in sorted(set(earlier) - set(wanted)):
        _remove(top, path)
    _write(top, MARKER, _marker(sorted(wanted)))
    _flush(top)


def _flush(top: int) -> None:
    """Put the whole build on disk in one call: syncfs(2) on OUTDIR's file system where
    there is one (Linux), else sync(2). A fsync per file cost 40 times as much on a
    thousand pages; a reader never sees half a page either way (each is renamed into
    place whole), and a page a power cut leaves empty is rewritten by the next build."""
    import ctypes

    syncfs = getattr(ctypes.CDLL(None), "syncfs", None)
    if syncfs is None or syncfs(top) != 0:
        os.sync()


def _safe(path: str) -> bool:
    return all(_NAME.fullmatch(part) for part in path.split("/"))


def _marker(paths: list[str]) -> bytes:
    data = {"generator": "itokr", "version": __version__, "files": paths}
    return (json.dumps(data, indent=1) + "\n").encode("utf-8")


def _previous(top: int) -> list[str] | None:
    """The files the last build listed, or None when OUTDIR holds no (sound) itokr marker."""
    try:
        handle = os.open(MARKER, os.O_RDONLY | os.O_NOFOLLOW, dir_fd=top)
    except OSError:
        return None
    try:
        with os.fdopen(handle, "rb") as stream:
            data = json.loads(stream.read(_MARKER_LIMIT))
    except (OSError, ValueError):
        return None
    listed = data.get("files") if isinstance(data, dict) else None
    if data.get("generator") != "itokr" or not isinstance(listed, list):
        return None
    return [p for p in listed if isinstance(p, str) and _safe(p) and p != MARKER]


@contextmanager
def _folder(top: int, outdir: Path, parts: list[str], *, create: bool) -> Iterator[int | None]:
    """The directory `parts` below `top` as a descriptor, never through a link. Creating,
    a link or file in the way is refused; only looking (`create=False`), it gives None."""
    opened: list[int] = []
    directory = top
    try:
        for depth, name in enumerate(parts):
            if create:
                with suppress(FileExistsError):
                    os.mkdir(name, dir_fd=directory)
            try:
                directory = os.open(name, _DIRECTORY, dir_fd=directory)
            except OSError as error:  # ELOOP: a link; ENOTDIR: a file; or gone
                if not create:
                    yield None  # nothing of ours to clean up there
                    return
                if isinstance(error, FileNotFoundError):
                    raise
                where = outdir.joinpath(*parts[: depth + 1])
                raise UsageError(
                    f"{where} is a symbolic link or a file where the site needs a directory; "
                    "itokr never writes through links: remove it, or choose another directory"
                ) from None
            opened.append(directory)
        yield directory
    finally:
        for handle in opened:
            os.close(handle)


def _write(directory: int, name: str, data: bytes) -> None:
    """`name` in `directory` (a descriptor) holding `data`, whole or not at all."""
    temp = f".{name}.{secrets.token_hex(4)}{TEMP_SUFFIX}"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
    handle = os.open(temp, flags, 0o666, dir_fd=directory)  # the umask decides, as for any file
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temp, name, src_dir_fd=directory, dst_dir_fd=directory)
    except BaseException:
        with suppress(OSError):
            os.unlink(temp, dir_fd=directory)
        raise


def _remove(top: int, path: str) -> None:
    """Delete a page of the previous build, then its folders if that left them empty."""
    *parts, name = path.split("/")
    with suppress(OSError), _folder(top, Path(), parts, create=False) as directory:
        if directory is not None:
            os.unlink(name, dir_fd=directory)  # a file or a link: never what a link points at
    for depth in range(len(parts), 0, -1):
        with suppress(OSError), _folder(top, Path(), parts[: depth - 1], create=False) as parent:
            if parent is not None:
                os.rmdir(parts[depth - 1], dir_fd=parent)


@contextmanager
def _os_errors(outdir: Path) -> Iterator[None]:
    """An OS error (read-only disk, permissions) as an `ItokrError` naming the directory."""
    try:
        yield
    except OSError as error:
        raise ItokrError(
            f"cannot write the site to {outdir}: {error.strerror or error}; "
            "the files written so far are whole: run it again once that is fixed"
        ) from None
