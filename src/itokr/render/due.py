"""`itokr due` as text (rich, one table per owner), JSON, markdown, GitHub warnings, or
a script of `itokr checkin` commands.

rich is imported inside `render` only: JSON, markdown and github output skip it.
"""

from __future__ import annotations

import datetime as dt
import json
import shlex
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from itokr.due import DueItem, KpiDue, OwnerDue
from itokr.inert import markdown, terminal
from itokr.render.plain import baseline_target_current, iso, now_text, number, two, with_unit
from itokr.render.workflow import annotation

if TYPE_CHECKING:
    from rich.console import Console

NO_OWNER = "(no owner)"
_KPI = "KPI "  # before a KPI's id in the text table


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


def kpi_what(kpi: KpiDue, as_of: dt.date) -> str:
    """What a KPI owes and by when, in words."""
    if kpi.checkin_due is None:
        return "reading owed: none yet" if kpi.last_checkin is None else "reading owed"
    label = "reading stale" if kpi.stale else "reading due"
    return f"{label} {_days(kpi.checkin_due, as_of)} (last {kpi.last_checkin})"


def reading_text(value: float | None, good: float, unit: str | None) -> str:
    """A KPI's newest reading against `good`, as a key result's value against its target."""
    if value is None:
        return "no data"
    return with_unit(f"{number(value)}/{number(good)}", unit)


def kpi_now(kpi: KpiDue) -> str:
    return reading_text(kpi.value, kpi.good, kpi.unit)


def kpi_dict(kpi: KpiDue) -> dict[str, Any]:
    return {
        "id": kpi.id,
        "title": kpi.title,
        "path": kpi.path,
        "value": kpi.value,
        "unit": kpi.unit,
        "good": kpi.good,
        "bad": kpi.bad,
        "band": kpi.band,
        "stale": kpi.stale,
        "last_checkin": iso(kpi.last_checkin),
        "checkin_due": iso(kpi.checkin_due),
    }


def stale_counts(groups: Sequence[OwnerDue]) -> tuple[int, int]:
    """Stale key results and stale KPIs."""
    return (
        sum(item.stale for group in groups for item in group.items),
        sum(kpi.stale for group in groups for kpi in group.kpis),
    )


def item_dict(item: DueItem) -> dict[str, Any]:
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
    stale, stale_kpis = stale_counts(groups)
    document = {
        "as_of": as_of.isoformat(),
        "within": within,
        "stale": stale,
        "stale_kpis": stale_kpis,
        "owners": [
            {
                "owner": group.owner,
                "key_results": [item_dict(i) for i in group.items],
                "kpis": [kpi_dict(k) for k in group.kpis],
            }
            for group in groups
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def as_markdown(groups: Sequence[OwnerDue], as_of: dt.date, within: int) -> str:
    lines = [f"### Check-ins owed as of {as_of} (next {within} days)", ""]
    if not groups:
        lines += ["Nothing is owed.", ""]
    for group in groups:
        lines += [f"#### {markdown(group.owner or NO_OWNER)}", ""]
        lines += [
            f"- {'**stale** ' if i.stale else ''}`{i.ref}` {markdown(i.title)}: {what(i, as_of)}"
            for i in group.items
        ]
        lines += [
            f"- {'**stale** ' if kpi.stale else ''}KPI `{kpi.id}` {markdown(kpi.title)}: "
            + kpi_what(kpi, as_of)
            for kpi in group.kpis
        ]
        lines.append("")
    return "\n".join(lines)


def _comment(text: str) -> str:
    """Text on one `#` line: every line break or other white space of a title becomes a
    space, so nothing of it leaves the comment and runs; a control character is shown
    escaped, as everywhere itokr prints data."""
    return "# " + terminal(" ".join(text.split()))


def checkin_command(ref: str, root: str | None = None) -> str:
    """`itokr checkin REF`, then `--root ROOT` when given, every word shell-quoted (a
    slug stays as it is): each line starts alike, and a VALUE goes at its end."""
    words = ["itokr", "checkin", ref, *(("--root", root) if root is not None else ())]
    return shlex.join(words)


def as_commands(
    groups: Sequence[OwnerDue], as_of: dt.date, within: int, *, root: str | None = None
) -> str:
    """A shell script of `itokr checkin REF` lines and `#` lines, nothing else (not
    even a blank line): per owner a `#` line, then per key result or KPI owed a `#`
    line saying what it is and what is owed, and its command. Run in a terminal, a
    command asks for the value; add it at the end of the line to run unattended.

    `root` (an absolute path, one line) follows each ref when the user named the
    root, so the saved script reaches it from any directory."""
    items = sum(len(group.items) for group in groups)
    kpis = sum(len(group.kpis) for group in groups)
    lines = [
        f"# itokr due as of {as_of} (next {within} days): {items} key result"
        f"{'s' if items != 1 else ''}, {kpis} KPI{'s' if kpis != 1 else ''} owed",
        "# Each command asks for its value in a terminal; or add the value at its end.",
    ]
    for group in groups:
        lines += ["#", _comment(f"owner: {group.owner or NO_OWNER}")]
        for item in group.items:
            owed = f"{item.title} ({now_text(item.key_result)}): {what(item, as_of)}"
            lines += [_comment(owed), checkin_command(item.ref, root)]
        for kpi in group.kpis:
            owed = f"KPI {kpi.title} ({kpi_now(kpi)}): {kpi_what(kpi, as_of)}"
            lines += [_comment(owed), checkin_command(kpi.id, root)]
    return "\n".join(lines) + "\n"


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
        for kpi in group.kpis:
            out.append(
                annotation(
                    "warning",
                    f"{owner} owes a reading of the KPI {kpi.id} ({kpi.title}): "
                    + kpi_what(kpi, as_of),
                    file=kpi.path,
                    line=(lines or {}).get(kpi.id),
                    title=f"itokr due: {owner}",
                )
            )
    return "".join(out)


def render(console: Console, groups: Sequence[OwnerDue], as_of: dt.date, within: int) -> None:
    """A table per owner, in the style of `status`: each key result, its last value
    and target, its score, and beneath it what is owed (stale in red); then each KPI
    owing a reading, its last value against `good`, and its band.

    A ref or KPI id is never split (people copy it into `itokr checkin`): the title
    after it is cut short instead, and what is owed wraps by words.
    """
    from rich import box
    from rich.console import Group
    from rich.padding import Padding
    from rich.table import Table
    from rich.text import Text

    from itokr.render.kpis import BAND_STYLES

    if not groups:
        console.print(f"Nothing owed as of {as_of} in the next {within} days.")
        return
    items = [item for group in groups for item in group.items]
    kpis = [kpi for group in groups for kpi in group.kpis]
    names = [item.ref for item in items] + [_KPI + kpi.id for kpi in kpis]
    nows = [now_text(item.key_result) for item in items] + [kpi_now(kpi) for kpi in kpis]
    score_w = 6 if kpis else 5  # a band: "yellow"
    # the score column; padding either side of three columns; two dividers between them
    spare = console.width - score_w - 6 - 2
    longest = max(len(name) for name in names)
    now_w = min(24, max(len("Now/target"), *(len(now) for now in nows)))
    now_w = max(len("Now/target"), min(now_w, spare - longest))  # the refs come first
    name_w = max(spare - now_w, 12)

    def first_line(ref: Text, title: str) -> Text:
        room = name_w - len(ref) - 2  # the title gets what the ref leaves
        if room >= 2:
            cut = Text(title, style="dim")
            cut.truncate(room, overflow="ellipsis")
            ref.append_text(Text("  ").append_text(cut))
        return ref

    for group in groups:
        console.print(Text(group.owner or NO_OWNER, style="bold"))
        table = Table(box=box.SIMPLE_HEAD, show_edge=False, padding=(0, 1), header_style="bold")
        table.add_column("Key result / owed", width=name_w)
        table.add_column("Now/target", width=now_w, justify="right", no_wrap=True)
        table.add_column("Score", width=score_w, justify="right", no_wrap=True)
        for item in group.items:
            name = first_line(
                Text(item.ref, style="bold", no_wrap=True, overflow="ellipsis"), item.title
            )
            owed = Text(what(item, as_of), style="bold red" if item.stale else "yellow")
            cell = Group(name, Padding(owed, (0, 0, 0, 2)))
            table.add_row(
                cell, Text(now_text(item.key_result), overflow="ellipsis"), two(item.score)
            )
        for kpi in group.kpis:
            ref = Text(_KPI, no_wrap=True, overflow="ellipsis")
            ref.append(kpi.id, style="bold")
            owed = Text(kpi_what(kpi, as_of), style="bold red" if kpi.stale else "yellow")
            cell = Group(first_line(ref, kpi.title), Padding(owed, (0, 0, 0, 2)))
            band = Text(kpi.band or "—", style=BAND_STYLES.get(kpi.band or "", "dim"))
            table.add_row(cell, Text(kpi_now(kpi), overflow="ellipsis"), band)
        console.print(table)
    stale, stale_kpis = stale_counts(groups)
    count = len(items)
    noun = "key result" if count == 1 else "key results"
    also = ""
    if kpis:
        also = f"; {len(kpis)} KPI{'s' if len(kpis) != 1 else ''} owed, {stale_kpis} stale"
    console.print(f"{count} {noun} owed, {stale} stale{also}, as of {as_of}.")
