"""Grid prints what rich's Table prints for the same rows, byte for byte, only faster."""

from __future__ import annotations

import io
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.text import Text

from itokr.render.grid import Column, Grid, Row
from itokr.render.status_table import bar

# wide, combining and zero-width characters, spaces a right cell sheds, an ellipsis
CHARS = "ab  xy.-0199…éü中文🚀\u0301\u200b"
STYLES = ["", "bold", "dim", "green", "bold red", "cyan", "bold green"]


def printed(renderable: object, *, width: int, color: bool, encoding: str = "utf-8") -> str:
    stream = io.TextIOWrapper(io.BytesIO(), encoding=encoding, errors="replace")
    console = Console(
        file=stream,
        width=width,
        force_terminal=color,
        color_system="truecolor" if color else None,
        markup=False,
        highlight=False,
        emoji=False,
    )
    console.print(renderable)
    stream.flush()
    return stream.buffer.getvalue().decode(encoding, errors="replace")


def both(columns: Sequence[Column], rows: list[Row], **options: object) -> tuple[str, str]:
    grid = Grid(columns, lambda: rows)
    return printed(grid, **options), printed(grid.table(), **options)  # type: ignore[arg-type]


@st.composite
def texts(draw: st.DrawFn) -> Text:
    text = Text(draw(st.text(CHARS, max_size=30)), style=draw(st.sampled_from(STYLES)))
    for _ in range(draw(st.integers(0, 3))):
        start = draw(st.integers(0, len(text)))
        end = draw(st.integers(start, len(text)))
        text.stylize(draw(st.sampled_from(STYLES[1:])), start, end)
    if draw(st.booleans()):
        text.append(draw(st.text(CHARS, max_size=8)), style=draw(st.sampled_from(STYLES)))
    return text


@st.composite
def grids(draw: st.DrawFn) -> tuple[list[Column], list[Row]]:
    count = draw(st.integers(1, 5))
    columns = [
        Column(
            draw(st.text(CHARS, min_size=1, max_size=12)),
            draw(st.integers(1, 14)),
            draw(st.sampled_from(["left", "right"])),
        )
        for _ in range(count)
    ]
    rows = draw(
        st.lists(
            st.tuples(st.lists(texts(), min_size=count, max_size=count), st.booleans()),
            max_size=6,
        )
    )
    return columns, [(cells, end) for cells, end in rows]


@settings(max_examples=300)
@given(grids(), st.integers(10, 90), st.booleans())
def test_grid_prints_what_table_prints(
    grid: tuple[list[Column], list[Row]], width: int, color: bool
) -> None:
    columns, rows = grid
    fast, table = both(columns, rows, width=width, color=color)
    assert fast == table


def test_on_an_ascii_console_it_draws_the_box_table_substitutes() -> None:
    columns = [Column("Name", 10), Column("Score", 5, "right")]
    rows: list[Row] = [
        ([Text("a", style="bold"), Text("0.5")], True),
        ([Text("b"), Text("1")], False),
    ]
    fast, table = both(columns, rows, width=40, color=True, encoding="ascii")
    assert fast == table
    assert "-" in fast and "─" not in fast


def test_cells_of_two_lines_or_with_tabs_are_laid_out_by_table_itself() -> None:
    columns = [Column("Name", 12), Column("Score", 5, "right")]
    for cell in (Text("first\nsecond"), Text("a\tb")):
        rows: list[Row] = [([cell, Text("0.50")], False)]
        fast, table = both(columns, rows, width=40, color=False)
        assert fast == table
    fast, _ = both(columns, [([Text("first\nsecond"), Text("1")], False)], width=40, color=False)
    assert "first" in fast and "second" in fast  # two lines, as Table shows them


def test_columns_wider_than_the_console_are_narrowed_as_table_narrows_them() -> None:
    columns = [Column("Objective / key result", 40), Column("Score", 5, "right")]
    rows: list[Row] = [([Text("a long objective title that is cut"), Text("0.50")], False)]
    fast, table = both(columns, rows, width=30, color=True)
    assert fast == table
    assert all(
        len(line) <= 30
        for line in printed(Grid(columns, lambda: rows), width=30, color=False).splitlines()
    )


@pytest.mark.parametrize(
    ("score", "expected", "plain", "spans"),
    [
        (0.5, None, "████░░░░", [(0, 4, "green"), (4, 8, "dim")]),
        (0.5, 0.25, "██┃█░░░░", [(0, 2, "green"), (2, 3, "bold"), (3, 4, "green"), (4, 8, "dim")]),
        (0.25, 0.5, "██░░┃░░░", [(0, 2, "green"), (2, 4, "dim"), (4, 5, "bold"), (5, 8, "dim")]),
        (0.5, 0.5, "████┃░░░", [(0, 4, "green"), (4, 5, "bold"), (5, 8, "dim")]),
        (1.2, 1.0, "███████┃", [(0, 7, "green"), (7, 8, "bold")]),
        (-0.1, 0.0, "┃░░░░░░░", [(0, 1, "bold"), (1, 8, "dim")]),
    ],
)
def test_the_progress_bar_marks_expected_progress_in_its_own_style(
    score: float, expected: float | None, plain: str, spans: list[tuple[int, int, str]]
) -> None:
    drawn = bar(score, expected, 8, "green")
    assert drawn.plain == plain
    assert [(s.start, s.end, s.style) for s in drawn.spans] == spans
