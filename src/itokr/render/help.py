"""`--help` pages: usage, the command's text, then aligned lists of arguments and options.

itokr lays its help out itself rather than through Typer's panels, which change
from release to release (0.29 shows `<bool>` beside every flag and `{REF}` in
usages): plain text in the shape of git, ruff and pre-commit, wrapped by rich,
with no trailing spaces, the same on every Typer.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

MAX_WIDTH = 100  # wider lines are hard to read, however wide the terminal


@dataclass(frozen=True)
class Entry:
    """One row of a list: what to type (`-f, --format FORMAT`), and what it does."""

    term: str
    text: str


@dataclass(frozen=True)
class Section:
    title: str
    entries: tuple[Entry, ...]


@dataclass(frozen=True)
class Page:
    usage: str
    text: str  # the command's docstring: paragraphs separated by blank lines
    sections: tuple[Section, ...]
    epilog: str = ""


def render(page: Page, width: int) -> str:
    """The page as text `width` columns wide (at most MAX_WIDTH), lines right-trimmed."""
    from rich.console import Console
    from rich.padding import Padding
    from rich.table import Table
    from rich.text import Text

    width = max(40, min(width, MAX_WIDTH))
    out = io.StringIO()
    console = Console(file=out, width=width, color_system=None, highlight=False, emoji=False)
    console.print(Text(f"Usage: {page.usage}"), soft_wrap=False)
    for paragraph in _paragraphs(page.text):
        console.print()
        console.print(Text(paragraph))
    for section in page.sections:
        if not section.entries:
            continue
        console.print()
        console.print(Text(f"{section.title}:"))
        if max(len(entry.term) for entry in section.entries) > width * 2 // 5:
            for entry in section.entries:  # each term on its own line, its text below
                console.print(Text(f"  {entry.term}"), soft_wrap=True)
                console.print(Padding(Text(entry.text), (0, 0, 0, 8)))
            continue
        grid = Table.grid(padding=(0, 2), pad_edge=False)
        grid.add_column(no_wrap=True)
        grid.add_column(overflow="fold")
        for entry in section.entries:
            grid.add_row(Text(f"  {entry.term}"), Text(entry.text))
        console.print(grid)
    if page.epilog:
        console.print()
        console.print(Text(page.epilog))
    lines = [line.rstrip() for line in out.getvalue().splitlines()]
    return "\n".join(lines) + "\n"


def _paragraphs(text: str) -> list[str]:
    """Blank-line separated paragraphs, each joined into one line for rich to wrap."""
    blocks = [block.strip() for block in text.strip().split("\n\n")]
    return [" ".join(line.strip() for line in block.splitlines()) for block in blocks if block]
