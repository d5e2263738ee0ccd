"""`itokr due` as text (rich, one table per owner), JSON, markdown or GitHub warnings.

rich is imported inside `render` only: JSON, markdown and github output skip it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from itokr.due import DueItem, OwnerDue
from itokr.render.plain import baseline_target_current, iso, now_text, two
from itokr.render.workflow import annotation

if TYPE_CHECKING:
    from rich.console import Console

NO_OWNER = "(no owner)"


def _days(day: dt.date, as_of: dt.date) -> str:
    """`in 3 days`, `today`, `5 days late` — how a reminder reads."""
    delta = (day - as_of).days
    if delta == 0:
        return "today"
    count = abs(delta)
    noun = "day" if count == 1 else "days"
    return f"in {count} {noun}" if delta > 0 else f"{count} {noun} late"


def what(item: DueItem, as_of: dt.date) -> str:
    """What is owed and by when, in words."""
    parts = []
    if item.checkin_due is not None:
        label = "check-in stale" if item.stale else "check-in due"
        since = f"last {item.last_checkin}" if item.last_checkin else "none yet"
        parts.append(f"{label} {_days(item.checkin_due, as_of)} ({since})")
    if item.due is not None:
        parts.append(f"due {item.due} ({_days(item.due, as_of)})")
    return "; ".join(parts)


def _item_dict(item: DueItem) -> dict[str, Any]:
    _, target, value = baseline_target_current(item.key_result)
    return {
        "ref": item.ref,
        "title": item.title,
        "path": item.path,
        "period": item.period,
        "value": value,
        "target": target,
        "unit": getattr(item.key_result, "unit", None),
        "score": round(item.score, 2),
        "stale": item.stale,
        "last_checkin": iso(item.last_checkin),
        "checkin_due": iso(item.checkin_due),
        "due": iso(item.due),
    }


def as_json(groups: Sequence[OwnerDue], as_of: dt.date, within: int) -> str:
    document = {
        "as_of": as_of.isoformat(),
        "within": within,
        "stale": sum(item.stale for group in groups for item in group.items),
        "owners": [
            {"owner": group.owner, "key_results": [_item_dict(i) for i in group.items]}
            for group in groups
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def as_markdown(groups: Sequence[OwnerDue], as_of: dt.date, within: int) -> str:
    lines = [f"### Check-ins owed as of {as_of} (next {within} days)", ""]
    if not groups:
        lines += ["Nothing is owed.", ""]
    for group in groups:
        lines += [f"#### {_cell(group.owner or NO_OWNER)}", ""]
        lines += [
            f"- {'**stale** ' if i.stale else ''}`{i.ref}` {_cell(i.title)}: {what(i, as_of)}"
            for i in group.items
        ]
        lines.append("")
    return "\n".join(lines)


def as_github(
    groups: Sequence[OwnerDue],
    as_of: dt.date,
    within: int,
    *,
    lines: Mapping[str, int] | None = None,
) -> str:
    """One `::warning` per key result, at its line where known: a scheduled workflow
    shows whom to remind."""
    out = []
    for group in groups:
        owner = group.owner or NO_OWNER
        for item in group.items:
            message = f"{owner} owes {item.ref} ({item.title}): {what(item, as_of)}"
            out.append(
                annotation(
                    "warning",
                    message,
                    file=item.path,
                    line=(lines or {}).get(item.ref),
                    title=f"itokr due: {owner}",
                )
            )
    return "".join(out)


def render(console: Console, groups: Sequence[OwnerDue], as_of: dt.date, within: int) -> None:
    """A table per owner, in the style of `status`: each key result, its last value
    and target, its score, and beneath it what is owed (stale in red).

    A ref is never split (people copy it into `itokr checkin`): the title after it
    is cut short instead, and what is owed wraps by words.
    """
    from rich import box
    from rich.console import Group
    from rich.padding import Padding
    from rich.table import Table
    from rich.text import Text

    if not groups:
        console.print(f"Nothing owed as of {as_of} in the next {within} days.")
        return
    items = [item for group in groups for item in group.items]
    # the score column; padding either side of three columns; two dividers between them
    spare = console.width - 5 - 6 - 2
    longest = max(len(item.ref) for item in items)
    now_w = min(24, max(len("Now/target"), *(len(now_text(item.key_result)) for item in items)))
    now_w = max(len("Now/target"), min(now_w, spare - longest))  # the refs come first
    name_w = max(spare - now_w, 12)
    for group in groups:
        console.print(Text(group.owner or NO_OWNER, style="bold"))
        table = Table(box=box.SIMPLE_HEAD, show_edge=False, padding=(0, 1), header_style="bold")
        table.add_column("Key result / owed", width=name_w)
        table.add_column("Now/target", width=now_w, justify="right", no_wrap=True)
        table.add_column("Score", width=5, justify="right", no_wrap=True)
        for item in group.items:
            name = Text(item.ref, style="bold", no_wrap=True, overflow="ellipsis")
            room = name_w - len(item.ref) - 2  # the title gets what the ref leaves
            if room >= 2:
                title = Text(item.title, style="dim")
                title.truncate(room, overflow="ellipsis")
                name.append_text(Text("  ").append_text(title))
            owed = Text(what(item, as_of), style="bold red" if item.stale else "yellow")
            cell = Group(name, Padding(owed, (0, 0, 0, 2)))
            table.add_row(
                cell, Text(now_text(item.key_result), overflow="ellipsis"), two(item.score)
            )
        console.print(table)
    stale = sum(item.stale for group in groups for item in group.items)
    count = sum(len(group.items) for group in groups)
    noun = "key result" if count == 1 else "key results"
    console.print(f"{count} {noun} owed, {stale} stale, as of {as_of}.")
