"""`itokr status` as a rich table that fits the terminal: 80 columns without breaking,
and every spare column to the titles on a wider one."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.text import Text

from itokr.render.grid import Column, Grid, Row
from itokr.render.plain import checked_ago, now_text, sparkline, summary_lines, two
from itokr.scoring import KeyResultScore, ObjectiveScore

if TYPE_CHECKING:
    from rich.console import Console, JustifyMethod

STYLES = {
    "done": "bold green",
    "on-track": "green",
    "at-risk": "yellow",
    "off-track": "bold red",
    "not-started": "dim",
    "green": "green",
    "yellow": "yellow",
    "red": "red",
}
MIN_NAME = 24  # room for an objective or key-result id, the handle for `itokr score`
MIN_ID = 16  # the name column's floor before one of SPEC's columns gives way
NARROW_OWNER = 12  # owners are cut to this before ids are: `leadership-…` still reads
LEGEND = (
    "Bar: score, ┃ expected by {as_of} · Forecast: score at period end, trend · "
    "stale: >{days} days unchecked"
)
MEASURED = "↻"  # after the age of a check-in that `itokr measure` read from a source
# Columns beyond SPEC's, given up (the first first) once the titles have too little room.
EXTRAS = ("now", "trend")
# SPEC §3's columns: given up (the first first) only below 80 columns, where even a
# narrowed owner leaves the ids less than MIN_ID.
DROP_ORDER = ("conf", "owner", "exp", "last")


def health_text(health: str | None) -> Text:
    return Text(health or "—", style=STYLES.get(health or "", "dim"))


def bar(score: float, expected: float | None, width: int, style: str) -> Text:
    """Score as a bar, with expected progress as a marker: readable without colour too."""
    filled = round(min(1.0, max(0.0, score)) * width)
    cells = [("█", style)] * filled + [("░", "dim")] * (width - filled)
    if expected is not None:
        cells[min(width - 1, int(expected * width))] = ("┃", "bold")
    text = Text()
    for (char, cell_style), run in itertools.groupby(cells):
        text.append(char * len(list(run)), style=cell_style)
    return text


@dataclass(frozen=True, slots=True)
class _Row:
    """One line of the table as plain facts: its cells are drawn only as it is printed,
    so a root of 50,000 key results never holds them all as rich Text."""

    id: str
    title: str
    score: float
    shown_score: str
    over: bool  # progress beyond the target: the score shows it, green
    expected: float | None
    health: str | None
    now: str
    forecast: str | None  # None: no data to forecast from
    spark: str
    conf: str
    last: str
    checked: bool  # `last` is a date, not a dash
    measured: bool  # the newest check-in came from `itokr measure`
    stale: bool
    owner: str
    objective: bool

    @property
    def trend(self) -> str:
        """The forecast first, so that forecasts line up whatever the sparkline's length."""
        return "no data" if self.forecast is None else (self.forecast + self.spark).rstrip()

    @property
    def last_seen(self) -> str:
        return (
            self.last + (f" {MEASURED}" if self.measured else "") + (" stale" if self.stale else "")
        )


def _objective_row(score: ObjectiveScore, as_of: dt.date) -> _Row:
    entry = score.entry
    return _Row(
        id=entry.id,
        title=entry.objective.title,
        score=score.score,
        shown_score=two(score.score),
        over=False,
        expected=score.expected,
        health=score.health,
        now="",
        forecast="",
        spark="",
        conf=two(score.confidence, ""),
        last=checked_ago(score.last_checkin, as_of) if score.last_checkin else "—",
        checked=score.last_checkin is not None,
        measured=False,
        stale=any(r.stale for r in score.key_results),
        owner=entry.owner or "",
        objective=True,
    )


def _kr_row(result: KeyResultScore, expected: float | None, as_of: dt.date) -> _Row:
    kr = result.key_result
    over = result.progress is not None and result.progress > 1.0
    forecast = f"→ {result.forecast:.2f} " if result.forecast is not None else " " * 7
    return _Row(
        id=kr.id,
        title=kr.title,
        score=result.score,
        shown_score=f"↑{result.progress:.2f}" if over else two(result.score),
        over=over,
        expected=expected,
        health=result.health,
        now=now_text(kr),
        forecast=None if result.progress is None else forecast,
        spark=sparkline(kr, width=5),
        conf=two(result.confidence, ""),
        last=checked_ago(result.last_checkin, as_of) if result.last_checkin else "—",
        checked=result.last_checkin is not None,
        measured=result.measured_by is not None,
        stale=result.stale,
        owner="",
        objective=False,
    )


def _cells(row: _Row, widths: dict[str, int]) -> list[Text]:
    """The row's cells as the table shows them: the name, then the columns in `widths`."""
    style = STYLES.get(row.health or "", "dim")
    if row.objective:
        name = Text()
        name.append(row.id, style="bold")
        shown = Text(row.shown_score, style="bold")
    else:
        name = Text("  " + row.id)
        shown = Text(row.shown_score, style="bold green" if row.over else "")
    name.append("  " + row.title, style="dim")
    if row.forecast is None:
        trend = Text("no data", style="dim")
    else:
        trend = Text(row.forecast)
        trend.append(row.spark, style="cyan")
        trend.rstrip()
    last = Text()
    last.append(row.last, style="" if row.checked else "dim")
    if row.measured:
        last.append(f" {MEASURED}", style="cyan")
    if row.stale:
        last.append(" stale", style="bold yellow")
    cells = {
        "now": lambda: Text(row.now),
        "bar": lambda: bar(row.score, row.expected, widths["bar"], style),
        "score": lambda: shown,
        "exp": lambda: Text(two(row.expected, "") if row.objective else "", style="dim"),
        "health": lambda: health_text(row.health),
        "trend": lambda: trend,
        "conf": lambda: Text(row.conf),
        "last": lambda: last,
        "owner": lambda: Text(row.owner),
    }
    return [name, *(cells[key]() for key in widths)]


def _columns(rows: Sequence[_Row], width: int, *, key_results: bool) -> tuple[dict[str, int], int]:
    """Widths of the columns that fit, and of the name column."""
    bar_width = 8 if width < 110 else 10 if width < 130 else 16
    widths = {
        "now": min(16, max([12, *(cell_len(r.now) for r in rows)])),
        "bar": bar_width,
        "score": 5,
        "exp": 4,
        "health": max([6, *(cell_len(r.health or "—") for r in rows)]),
        "trend": max([8, *(cell_len(r.trend) for r in rows)]),
        "conf": 4,
        "last": max([4, *(cell_len(r.last_seen) for r in rows)]),
        "owner": min(20, max([5, *(cell_len(r.owner) for r in rows)])),
    }
    if not key_results:  # values and trends belong to key results
        del widths["now"], widths["trend"]

    def room(columns: dict[str, int]) -> int:
        return width - sum(columns.values()) - len(columns)

    shown = dict(widths)
    for column in (c for c in EXTRAS if c in shown):
        # values earn their column only once the titles have some room to be read
        if room(shown) >= MIN_NAME + (16 if column == "now" else 0):
            break
        del shown[column]
    if room(shown) < MIN_NAME:  # the title has given way: then the owner, not the ids
        shown["owner"] = min(shown["owner"], NARROW_OWNER)
    dropped: dict[str, int] = {}
    for column in DROP_ORDER:
        if room(shown) >= MIN_ID:
            break
        dropped[column] = shown.pop(column)
    for column in reversed(list(dropped)[:-1]):  # a smaller, more important one may fit again
        if room(shown) - dropped[column] - 1 >= MIN_ID:
            shown[column] = dropped[column]
    return {key: shown[key] for key in widths if key in shown}, max(MIN_ID, room(shown))


def render(
    console: Console,
    scores: Sequence[ObjectiveScore],
    as_of: dt.date,
    *,
    key_results: bool = True,
    title: str = "",
    stale_after: int = 14,
) -> None:
    """Print the status table, then the summary line."""
    rows: list[_Row] = []
    ends: set[int] = set()
    for score in scores:
        rows.append(_objective_row(score, as_of))
        if key_results:
            rows.extend(_kr_row(r, score.expected, as_of) for r in score.key_results)
        ends.add(len(rows) - 1)
    widths, name_width = _columns(rows, console.width, key_results=key_results)
    headers: dict[str, tuple[str, JustifyMethod]] = {
        "now": ("Now/target", "right"),
        "bar": ("Progress", "left"),
        "score": ("Score", "right"),
        "exp": ("Exp", "right"),
        "health": ("Health", "left"),
        "trend": ("Forecast", "left"),
        "conf": ("Conf", "right"),
        "last": ("Last", "right"),
        "owner": ("Owner", "left"),
    }
    name = "Objective / key result" if name_width >= 22 else "Objective / KR"
    columns = [
        Column(name, name_width),
        *(Column(headers[key][0], width, headers[key][1]) for key, width in widths.items()),
    ]

    def lines() -> Iterator[Row]:  # a blank line under each objective's key results
        for index, row in enumerate(rows):
            yield _cells(row, widths), key_results and index in ends

    table = Grid(columns, lines)
    heading = f"{title} · status as of {as_of}" if title else f"Status as of {as_of}"
    console.print(Text(heading, style="bold"))
    if rows:
        console.print(table)
    for line in summary_lines(scores):
        console.print(Text(line))
    if rows:
        legend = LEGEND.format(days=stale_after, as_of=as_of)
        if any(r.measured_by for s in scores for r in s.key_results) and key_results:
            legend += f" · {MEASURED}: by itokr measure"
        for line in _wrapped(legend.split(" · "), console.width):
            console.print(Text(line, style="dim"))


def _wrapped(parts: Sequence[str], width: int) -> list[str]:
    """The legend's parts joined by ` · `, a line broken between parts, not inside one."""
    lines = [parts[0]]
    for part in parts[1:]:
        joined = f"{lines[-1]} · {part}"
        if cell_len(joined) <= width:
            lines[-1] = joined
        else:
            lines.append(part)
    return lines
