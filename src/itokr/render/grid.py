"""A table of one-line cells in columns of fixed width: what rich's Table prints, faster.

rich's Table lays out any renderable in any cell, and pays for that generality in
every cell: at 50,000 rows `itokr status` spent some 20 s in it. A status table needs
less: columns of fixed widths that fit the console, cells of one line of `Text` cut
with an ellipsis and justified left or right, a SIMPLE_HEAD rule under the header.
For that case `Grid` yields the very segments Table yields, through the same `Text`
operations per cell (tests/test_grid.py holds the two byte for byte, with and without
colour); any other case it hands to Table itself, as `Grid.table()` builds it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich import box
from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, JustifyMethod, RenderResult
    from rich.table import Table

_BOX = box.SIMPLE_HEAD
_Key = tuple[str, object, tuple[object, ...], int, str]


@dataclass(frozen=True, slots=True)
class Column:
    header: str
    width: int
    justify: JustifyMethod = "left"


Row = tuple[Sequence[Text], bool]  # the cells, and whether a blank line (end_section) follows


class Grid:
    """Rows of `Text` cells under `columns`, rendered as `table()` renders them.

    `rows` makes the rows afresh each time it is called, so that they need not all be
    held as Text at once: a row's cells are drawn, laid out and dropped in turn.
    """

    def __init__(
        self,
        columns: Sequence[Column],
        rows: Callable[[], Iterable[Row]],
        *,
        header_style: str = "bold",
    ) -> None:
        self.columns = tuple(columns)
        self.rows = rows
        self.header_style = header_style

    def table(self) -> Table:
        """The same rows as a rich Table: the general layout, and the one Grid's matches."""
        from rich.table import Table  # only when Grid cannot lay the rows out: 3 ms a start

        table = Table(box=_BOX, show_edge=False, padding=(0, 0), header_style=self.header_style)
        for column in self.columns:
            table.add_column(
                column.header,
                width=column.width,
                no_wrap=True,
                overflow="ellipsis",
                justify=column.justify,
            )
        for cells, end_section in self.rows():
            table.add_row(*cells, end_section=end_section)
        return table

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        segments = self._segments(console, options)
        return [self.table()] if segments is None else segments

    def _segments(self, console: Console, options: ConsoleOptions) -> list[Segment] | None:
        """Table._render's segments for this box, with no edge and no padding; None when
        Table would lay the rows out otherwise."""
        widths = [column.width for column in self.columns]
        if not widths or sum(widths) + len(widths) - 1 > options.max_width:
            return None  # Table would narrow the columns to fit
        if any(column.justify not in ("left", "right") for column in self.columns):
            return None
        shape = _BOX.substitute(options, safe=console.safe_box)
        head, mid, foot = (
            _divider(console, text)
            for text in (shape.head_vertical, shape.mid_vertical, shape.foot_vertical)
        )
        header_style = console.get_style(self.header_style)
        header = [
            [
                Segment(segment.text, header_style + segment.style)
                for segment in _cell(console, Text(column.header), column)
            ]
            for column in self.columns
        ]
        out: list[Segment] = []
        _line(out, header, head)
        out += [Segment(shape.get_row(widths, "head", edge=False)), Segment.line()]
        between = [Segment(shape.get_row(widths, "row", edge=False)), Segment.line()]
        cache: dict[_Key, list[Segment]] = {}
        held: tuple[list[list[Segment]], bool] | None = None  # a row is the last, or not
        for cells, end_section in self.rows():
            if held is not None:
                _line(out, held[0], mid)
                out += between if held[1] else ()
            if len(cells) != len(widths):
                return None
            rendered = []
            for cell, column in zip(cells, self.columns, strict=True):
                key = (cell.plain, cell.style, tuple(cell.spans), column.width, column.justify)
                segments = cache.get(key)
                if segments is None:
                    if not _one_line(cell):
                        return None
                    segments = cache[key] = _cell(console, cell, column)
                rendered.append(segments)
            held = rendered, end_section
        if held is not None:
            _line(out, held[0], foot)  # the last row: no blank line under it
        return out


def _one_line(text: Text) -> bool:
    """A cell Grid lays out itself: one line, no tabs, the column's justify and overflow."""
    plain = text.plain
    return (
        "\n" not in plain
        and "\t" not in plain
        and text.justify is None
        and text.overflow is None
        and text.no_wrap is not False
    )


def _cell(console: Console, text: Text, column: Column) -> list[Segment]:
    """One cell's segments: Text.wrap's justify and cut for one line, then Text's render
    of the lines joined (which turns the line's own style into a span)."""
    line = text.copy()
    if column.justify == "right":
        line.rstrip()
        line.truncate(column.width, overflow="ellipsis")
        line.pad_left(column.width - cell_len(line.plain))
    else:
        line.truncate(column.width, overflow="ellipsis", pad=True)
    return list(Text("\n").join([line]).render(console))


def _divider(console: Console, text: str) -> Segment:
    """Table's column divider; a blank one takes the row's background (rows have no style)."""
    border = console.get_style("")
    return Segment(text, border if text.strip() else Style.null().background_style + border)


def _line(out: list[Segment], cells: Sequence[list[Segment]], divider: Segment) -> None:
    """One row: its cells, the divider between them, and the line's end."""
    for index, segments in enumerate(cells):
        if index:
            out.append(divider)
        out += segments
    out.append(Segment.line())
