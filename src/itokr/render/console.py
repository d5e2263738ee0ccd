"""The one rich Console factory, so every view follows the same colour rules (SPEC §3)
and no view prints a control character from data."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, TextIO

from itokr.inert import terminal

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, ConsoleRenderable
    from rich.segment import Segment


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
