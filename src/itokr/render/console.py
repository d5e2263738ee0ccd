"""The one rich Console factory, so every view follows the same colour rules (SPEC §3)
and no view prints a control character from data."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, TextIO

from itokr.inert import terminal

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, ConsoleRenderable
    from rich.segment import Segment

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
    into a pipe. Markup, highlighting and emoji codes are off: OKR titles are
    data, and `[link=…]`, a number or `:rocket:` in one must print as written.
    Whatever a view prints passes through `inert.terminal`: an ESC sequence or a
    bidirectional override from a title or a commit message is shown escaped.
    """
    from rich.console import Console, RenderHook

    class _Inert(RenderHook):
        def process_renderables(
            self, renderables: list[ConsoleRenderable]
        ) -> list[ConsoleRenderable]:
            return [_InertRenderable(renderable) for renderable in renderables]

    if file is None:
        stream = sys.stderr if stderr else sys.stdout
        if not stream.isatty():
            file = TrimmedLines(stream)  # type: ignore[assignment]
    console = Console(
        width=width,
        stderr=stderr,
        file=file,
        markup=False,
        highlight=False,
        emoji=False,
        # color_system=None makes rich write no escape codes at all, styles included
        color_system=None if color is False else "auto",
        no_color=None if color is None else not color,
        force_terminal=color,
    )
    console.push_render_hook(_Inert())
    return console


class _InertRenderable:
    """A renderable whose text segments are escaped after layout; rich's own control
    segments (cursor moves, none in itokr's views) and styles are left as they are."""

    def __init__(self, inner: ConsoleRenderable) -> None:
        self.inner = inner

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Segment]:
        from rich.segment import Segment

        segments = list(console.render(self.inner, options))
        text = "".join(segment.text for segment in segments if segment.control is None)
        if terminal(text, lines=True) is text:  # one look at all of it: almost always clean
            yield from segments
            return
        for segment in segments:
            text = segment.text
            if segment.control is None and (safe := terminal(text, lines=True)) is not text:
                yield Segment(safe, segment.style)
            else:
                yield segment
