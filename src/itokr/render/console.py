"""The one rich Console factory, so every view follows the same colour rules (SPEC §3)."""

from __future__ import annotations

from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from rich.console import Console


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
