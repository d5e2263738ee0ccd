"""`itokr status` as a rich table that fits the terminal: 80 columns without breaking,
and every spare column to the titles on a wider one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich import box
from rich.cells import cell_len
from rich.table import Table
from rich.text import Text

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
LEGEND = (
    "Bar: score, ┃ expected by {as_of} · Forecast: score at period end, trend · "
    "stale: >{days} days unchecked"
)
MEASURED = "↻"  # after the age of a check-in that `itokr measure` read from a source
# Optional columns, the first given up first when the terminal is narrow.
DROP_ORDER = ("now", "conf", "owner", "trend", "exp", "last")


def health_text(health: str | None) -> Text:
    return Text(health or "—", style=STYLES.get(health or "", "dim"))


def bar(score: float, expected: float | None, width: int, style: str) -> Text:
    """Score as a bar, with expected progress as a marker: readable without colour too."""
    filled = round(min(1.0, max(0.0, score)) * width)
    text = Text()
    text.append("█" * filled, style=style)
    text.append("░" * (width - filled), style="dim")
    if expected is not None:
        marker = min(width - 1, int(expected * width))
        text = text[:marker] + Text("┃", style="bold") + text[marker + 1 :]
    return text


@dataclass(frozen=True, slots=True)
class _Row:
    name: Text
    score: float
    expected: float | None
    health: str | None
    shown_score: Text
    now: str
    trend: Text
    conf: str
    last: Text
    owner: str
    objective: bool


def _objective_row(score: ObjectiveScore, as_of: dt.date) -> _Row:
    entry = score.entry
    name = Text()
    name.append(entry.id, style="bold")
    name.append("  " + entry.objective.title, style="dim")
    stale = any(r.stale for r in score.key_results)
    return _Row(
        name=name,
        score=score.score,
        expected=score.expected,
        health=score.health,
        shown_score=Text(two(score.score), style="bold"),
        now="",
        trend=Text(""),
        conf=two(score.confidence, ""),
        last=_last(score.last_checkin, as_of, stale=stale),
        owner=entry.owner or "",
        objective=True,
    )


def _kr_row(result: KeyResultScore, expected: float | None, as_of: dt.date) -> _Row:
    kr = result.key_result
    name = Text("  " + kr.id)
    name.append("  " + kr.title, style="dim")
    over = result.progress is not None and result.progress > 1.0
    shown = Text(f"↑{result.progress:.2f}", style="bold green") if over else Text(two(result.score))
    # the forecast first, so that forecasts line up whatever the sparkline's length
    trend = Text(f"→ {result.forecast:.2f} " if result.forecast is not None else " " * 7)
    trend.append(sparkline(kr, width=5), style="cyan")
    if result.progress is None:
        trend = Text("no data", style="dim")
    trend.rstrip()
    return _Row(
        name=name,
        score=result.score,
        expected=expected,
        health=result.health,
        shown_score=shown,
        now=now_text(kr),
        trend=trend,
        conf=two(result.confidence, ""),
        last=_last(result.last_checkin, as_of, stale=result.stale, measured=result.measured_by),
        owner="",
        objective=False,
    )


def _last(day: dt.date | None, as_of: dt.date, *, stale: bool, measured: str | None = None) -> Text:
    text = Text()
    text.append(checked_ago(day, as_of) if day else "—", style="" if day else "dim")
    if measured:
        text.append(f" {MEASURED}", style="cyan")
    if stale:
        text.append(" stale", style="bold yellow")
    return text


def _columns(rows: Sequence[_Row], width: int, *, key_results: bool) -> tuple[dict[str, int], int]:
    """Widths of the columns that fit, and of the name column."""
    bar_width = 8 if width < 110 else 10 if width < 130 else 16
    widths = {
        "now": min(16, max([12, *(cell_len(r.now) for r in rows)])),
        "bar": bar_width,
        "score": 5,
        "exp": 4,
        "health": max([6, *(cell_len(r.health or "—") for r in rows)]),
        "trend": max([8, *(r.trend.cell_len for r in rows)]),
        "conf": 4,
        "last": max([4, *(r.last.cell_len for r in rows)]),
        "owner": min(20, max([5, *(cell_len(r.owner) for r in rows)])),
    }
    if not key_results:  # values and trends belong to key results
        del widths["now"], widths["trend"]

    def room(columns: dict[str, int]) -> int:
        return width - sum(columns.values()) - len(columns)

    shown = dict(widths)
    dropped = []
    for column in (c for c in DROP_ORDER if c in shown):
        # values earn their column only once the titles have some room to be read
        if room(shown) >= MIN_NAME + (16 if column == "now" else 0):
            break
        del shown[column]
        dropped.append(column)
    for column in reversed(dropped[:-1]):  # a smaller, more important column may fit again
        if column != "now" and room(shown) - widths[column] - 1 >= MIN_NAME:
            shown[column] = widths[column]
    shown = {key: value for key, value in widths.items() if key in shown}
    return shown, max(MIN_NAME, room(shown))


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
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, padding=(0, 0), header_style="bold")
    table.add_column("Objective / key result", width=name_width, no_wrap=True, overflow="ellipsis")
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
    for key, column_width in widths.items():
        header, justify = headers[key]
        table.add_column(
            header,
            width=column_width,
            no_wrap=True,
            overflow="ellipsis",
            justify=justify,
        )
    for index, row in enumerate(rows):
        style = STYLES.get(row.health or "", "dim")
        cells = {
            "now": Text(row.now),
            "bar": bar(row.score, row.expected, widths["bar"], style),
            "score": row.shown_score,
            "exp": Text(two(row.expected, "") if row.objective else "", style="dim"),
            "health": health_text(row.health),
            "trend": row.trend,
            "conf": Text(row.conf),
            "last": row.last,
            "owner": Text(row.owner),
        }
        table.add_row(
            row.name,
            *(cells[key] for key in widths),
            end_section=index in ends and key_results and index != len(rows) - 1,
        )
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
