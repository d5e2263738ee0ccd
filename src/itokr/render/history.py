"""`itokr history` as JSON or as a terminal chart: one bar per reading, oldest first."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from itokr.findings import Finding
from itokr.history import History, Point
from itokr.render.plain import SPARKS, iso, number, rounded, two, with_unit

if TYPE_CHECKING:
    from rich.console import Console, JustifyMethod
    from rich.text import Text

BAR = 12


def _point_dict(point: Point) -> dict[str, Any]:
    return {
        "date": iso(point.day),
        "commit": point.commit,
        "subject": point.subject,
        "plan_changed": point.plan_changed,
        "checkins": [
            {
                "ref": ref,
                "value": getattr(c, "value", None),  # None: a status update
                "confidence": c.confidence,
                "note": c.note,
                "by": c.by,
            }
            for ref, c in point.checkins
        ],
        "value": point.value,
        "target": point.target,
        "score": rounded(point.score),
        "expected": rounded(point.expected),
        "health": point.health,
    }


def as_json(history: History, *, git: bool, findings: Sequence[tuple[str, Finding]] = ()) -> str:
    """One document; `git` says whether the commit history could be read; `findings`
    are the problems of the plans read from git, each with its commit."""
    document = {
        "ref": history.ref,
        "title": history.title,
        "kind": history.kind,
        "unit": history.unit,
        "git": git,
        "points": [_point_dict(p) for p in history.points],
        "findings": [{"commit": commit, **f.as_dict()} for commit, f in findings],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def source_text(point: Point, *, many: bool) -> str:
    """What the reading rests on: the commit that changed the plan that day, and the
    check-ins of that day with their notes."""
    parts = [plan_change(point.commit, point.subject)] if point.plan_changed else []
    said = []
    for ref, checkin in point.checkins:
        value = getattr(checkin, "value", None)  # None: a status update
        text = ref.partition("/")[2] if many else ""
        if many and value is not None:
            text += f" {number(value)}"
        if checkin.confidence is not None and value is None:
            text = f"{text} confidence {two(checkin.confidence)}".strip()
        if checkin.by:  # measured by a source, or a person's name
            text = f"{text} by {checkin.by}".lstrip()
        if checkin.note:
            text = f"{text} ({checkin.note})" if text else checkin.note
        said.append(text)
    if point.checkins:
        detail = "; ".join(t for t in said if t)
        parts.append(f"check-in: {detail}" if detail else "check-in")
    return " · ".join(parts)


def plan_change(commit: str | None, subject: str | None) -> str:
    """The commit that changed the plan on a reading's day, as the Source column names it."""
    shown = f"{commit[:7]} {subject or ''}".strip() if commit else ""
    return shown or "working tree (not committed)"


def sparkline(history: History) -> str:
    """Every reading's score on the fixed 0–1 scale."""
    top = len(SPARKS) - 1
    return "".join(SPARKS[round(min(1.0, max(0.0, p.score)) * top)] for p in history.points)


def render(console: Console, history: History) -> None:
    from rich.text import Text

    console.print(Text.assemble(("History of ", ""), (history.ref, "bold"), f" — {history.title}"))
    points = history.points
    if not points:
        console.print("No commits and no check-ins to show.")
        return
    first, last = points[0], points[-1]
    console.print(
        f"score {sparkline(history)}  {two(first.score)} ({first.day}) → "
        f"{two(last.score)} ({last.day}), {len(points)} reading{'s' if len(points) != 1 else ''}"
    )
    many = history.kind == "objective"
    rows = [_row(point, history, many=many) for point in points]
    names = ["Date", "Score", "Exp.", *([] if many else ["Value"]), "Health"]
    readings_table(console, names, rows, right=("Exp.", "Value"))
    console.print("Bar: score, ┃ expected on that date", style="dim")


def readings_table(
    console: Console, names: Sequence[str], rows: Sequence[list[Text]], *, right: Sequence[str]
) -> None:
    """`rows` under `names` (those in `right` justified right) and a last column, Source,
    that takes what is left: each reading stays on one line, whatever the width."""
    from rich import box
    from rich.cells import cell_len
    from rich.table import Table

    widths = [
        max(len(name), *(cell_len(row[i].plain) for row in rows)) for i, name in enumerate(names)
    ]
    room = max(12, console.width - sum(widths) - 3 * len(widths) - 2)
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    for name, width in zip(names, widths, strict=True):
        justify: JustifyMethod = "right" if name in right else "left"
        table.add_column(name, justify=justify, no_wrap=True, min_width=width)
    table.add_column("Source", no_wrap=True)
    for row in rows:
        row[-1].truncate(room, overflow="ellipsis")
        table.add_row(*row)
    console.print(table)


def _row(point: Point, history: History, *, many: bool) -> list[Text]:
    from rich.text import Text

    from itokr.render.status_table import STYLES, bar, health_text

    style = STYLES.get(point.health or "", "")
    score = bar(point.score, point.expected, BAR, style) + Text(f" {two(point.score)}")
    cells = [Text(str(point.day)), score, Text(two(point.expected))]
    if not many:
        cells.append(Text(_value(point, history.unit)))
    return [*cells, health_text(point.health), Text(source_text(point, many=many))]


def _value(point: Point, unit: str | None) -> str:
    if point.value is None:
        return "—"
    return with_unit(f"{number(point.value)}/{number(point.target)}", unit)
