"""The root on disk: finding it, naming its files as the user types them, listing and
reading them safely."""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from itokr.errors import UsageError
from itokr.inert import terminal

CONFIG_NAME = "itokr.yaml"
MAX_FILE_BYTES = 16 * 1024 * 1024  # the default of `limits.max_file_mib`


@dataclass(frozen=True, slots=True)
class Document:
    """One file's bytes, named as findings should name it."""

    path: str
    data: bytes | None  # None: unreadable, `error` says why
    error: str = ""
    code: str = "E001"  # E008 when the file was too large to read


def find_root(option: str | None, env: str | None, cwd: Path) -> Path:
    """The root: `--root`, else `$ITOKR_ROOT`, else the nearest `okrs/` upwards."""
    for given, source in ((option, "--root"), (env, "ITOKR_ROOT")):
        if given:
            path = (cwd / given).resolve()
            if not path.is_dir():
                raise UsageError(f"{source} {given}: no such directory")
            return path
    for directory in (cwd, *cwd.parents):
        if (directory / "okrs").is_dir():
            return directory / "okrs"
    raise UsageError(
        "no OKR root: no okrs/ directory here or above; pass --root PATH, set ITOKR_ROOT, "
        "or create one with `itokr init`"
    )


def display_path(path: Path, cwd: Path) -> str:
    """A path as the user would type it: relative to the cwd when below it; undecodable
    bytes as `\\xff` and control characters escaped (`\\x1b`, `\\u202e`), so a name
    cannot break a line. `real_path` undoes it: a POSIX name's own `\\` is doubled."""
    try:
        shown = path.relative_to(cwd).as_posix()
    except ValueError:
        shown = str(path)
    if os.sep == "/":
        shown = shown.replace("\\", "\\\\")
    return terminal(os.fsencode(shown).decode("utf-8", "backslashreplace"))


_SHOWN_ESCAPE = re.compile(r"\\(?:(\\)|x([0-9a-f]{2})|u([0-9a-f]{4})|([tnr]))")
_NAMED = {"t": "\t", "n": "\n", "r": "\r"}


def real_path(shown: str) -> Path:
    """The file a `display_path` names, byte for byte."""
    if "\\" not in shown or os.sep != "/":
        return Path(shown)
    parts: list[bytes] = []
    at = 0
    for match in _SHOWN_ESCAPE.finditer(shown):
        parts.append(shown[at : match.start()].encode("utf-8", "surrogateescape"))
        slash, byte, code, named = match.groups()
        if slash:
            parts.append(b"\\")
        elif byte is not None:  # a C0 control (below 0x80), else an undecodable byte
            parts.append(bytes([int(byte, 16)]))
        else:
            parts.append((chr(int(code, 16)) if code else _NAMED[named]).encode())
        at = match.end()
    parts.append(shown[at:].encode("utf-8", "surrogateescape"))
    return Path(os.fsdecode(b"".join(parts)))


def read_shown(shown: str) -> bytes | None:
    """The bytes of the file a display path names; None when it cannot be read."""
    try:
        return real_path(shown).read_bytes()
    except OSError:
        return None


def objective_files(root: Path, unreadable: list[str] | None = None) -> list[Path]:
    """Every `*.yaml`/`*.yml` below `root` but its config, in sorted path order.

    Hidden directories are skipped and symbolic links to directories are not
    followed (no loops, no escapes). An explicit stack, not `os.walk`, which
    recurses on Python 3.11 and fails on a tree 1,000 directories deep.
    Directories that cannot be listed are added to `unreadable` when given.
    """
    found: list[tuple[str, Path]] = []
    stack = [root]
    while stack:
        directory = stack.pop()
        try:
            with os.scandir(directory) as scan:
                entries = list(scan)
        except OSError:
            if unreadable is not None:
                unreadable.append(str(directory))
            continue
        for entry in entries:
            name = entry.name
            if entry.is_dir(follow_symlinks=False):
                if not name.startswith("."):
                    stack.append(directory / name)
            elif name.endswith((".yaml", ".yml")) and not (
                directory is root and name == CONFIG_NAME
            ):
                path = directory / name
                found.append((path.relative_to(root).as_posix(), path))
    return [path for _, path in sorted(found)]


def read_document(
    path: Path, shown: str, *, root: Path | None = None, max_bytes: int = MAX_FILE_BYTES
) -> Document:
    """A file's bytes, read safely: a FIFO, a device or a file over `max_bytes` is
    refused without blocking or reading it, and so is a link out of `root`."""
    try:
        if root is not None and path.is_symlink():
            target, inside = os.path.realpath(path), os.path.realpath(root)
            if os.path.commonpath([target, inside]) != inside:
                return Document(shown, None, "a symbolic link to a file outside the OKR root")
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        with open(descriptor, "rb") as stream:
            info = os.fstat(descriptor)
            if not stat.S_ISREG(info.st_mode):
                return Document(shown, None, "not a regular file")
            data = stream.read(max_bytes + 1)
    except OSError as error:
        return Document(shown, None, error.strerror or str(error))
    if len(data) > max_bytes:
        return too_large(shown, max_bytes)
    return Document(shown, data)


def too_large(shown: str, max_bytes: int) -> Document:
    """A file left unread because it is over `max_bytes` (E008)."""
    return Document(shown, None, too_large_message(max_bytes), "E008")


def too_large_message(max_bytes: int) -> str:
    return f"larger than {max_bytes / 2**20:g} MiB: raise `limits.max_file_mib` in {CONFIG_NAME}"
