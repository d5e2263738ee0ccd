"""The one rich Console factory, so every view follows the same colour rules (SPEC §3)."""

from __future__ import annotations

import re
import sys
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from rich.console import Console

# spaces at the end of a line, before any closing colour codes
_TRAILING = re.compile(r" +((?:\x1b\[[0-9;]*m)*)$", re.M)


class TrimmedLines:
    """A text stream that drops the spaces rich pads table cells with at line ends.

    Invisible on a terminal, they end up in files, diffs and `grep` output when
    piped. Only complete lines are trimmed; the rest waits for its newline.
    """

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._pending = ""

    def write(self, text: str) -> int:
        lines, newline, self._pending = (self._pending + text).rpartition("\n")
        if newline:
            self._stream.write(_TRAILING.sub(r"\1", lines) + newline)
        return len(text)

    def flush(self) -> None:
        self._stream.write(self._pending)
        self._pending = ""
        self._stream.flush()

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        return self._stream.fileno()

    @property
    def encoding(self) -> str:
        return getattr(self._stream, "encoding", None) or "utf-8"


def make_console(
    color: bool | None,
    *,
    width: int | None = None,
    stderr: bool = False,
    file: TextIO | None = None,
) -> Console:
    """A Console for `color` as `cli.app.use_color()` decides it.

    None follows the terminal (rich's own detection: no colour into a pipe);
    False writes no colour and no styles at all; True forces a terminal even
    into a pipe. Highlighting and emoji codes are off: OKR titles are data, and
    a number or `:rocket:` in one must print as written.
    """
    from rich.console import Console

    if file is None:
        stream = sys.stderr if stderr else sys.stdout
        if not stream.isatty():
            file = TrimmedLines(stream)  # type: ignore[assignment]
    return Console(
        width=width,
        stderr=stderr,
        file=file,
        highlight=False,
        emoji=False,
        # color_system=None makes rich write no escape codes at all, styles included
        color_system=None if color is False else "auto",
        no_color=None if color is None else not color,
        force_terminal=color,
    )
