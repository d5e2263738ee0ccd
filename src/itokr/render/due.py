"""`itokr due` as text (rich, one table per owner), JSON, markdown or GitHub warnings.

rich is imported inside `render` only: JSON, markdown and github output skip it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from itokr.due import DueItem, KpiDue, OwnerDue
from itokr.render.plain import iso, two
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


def kpi_what(kpi: KpiDue, as_of: dt.date) -> str:
    """What a KPI owes and by when, in words."""
    if kpi.checkin_due is None:
        return "reading owed: none yet" if kpi.last_checkin is None else "reading owed"
    label = "reading stale" if kpi.stale else "reading due"
    return f"{label} {_days(kpi.checkin_due, as_of)} (last {kpi.last_checkin})"


def _kpi_dict(kpi: KpiDue) -> dict[str, Any]:
    return {
        "id": kpi.id,
        "title": kpi.title,
        "path": kpi.path,
        "value": kpi.value,
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


def _item_dict(item: DueItem) -> dict[str, Any]:
    return {
        "ref": item.ref,
        "title": item.title,
        "path": item.path,
        "period": item.period,
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
                "key_results": [_item_dict(i) for i in group.items],
                "kpis": [_kpi_dict(k) for k in group.kpis],
            }
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
        lines += [
            f"- {'**stale** ' if kpi.stale else ''}KPI `{kpi.id}` {_cell(kpi.title)}: "
            + kpi_what(kpi, as_of)
            for kpi in group.kpis
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
    """A table per owner: what they owe, stale ones first in attention."""
    from rich.table import Table
    from rich.text import Text

    if not groups:
        console.print(f"Nothing owed as of {as_of} in the next {within} days.")
        return
    for group in groups:
        table = Table(
            title=Text(group.owner or NO_OWNER, style="bold"),
            title_justify="left",
            expand=False,
        )
        table.add_column("Key result / KPI", overflow="fold")
        table.add_column("Score / band", justify="right")
        table.add_column("Owed")
        for item in group.items:
            name = Text()
            name.append(item.ref, style="bold")
            name.append("  " + item.title, style="dim")
            owed = Text(what(item, as_of), style="bold red" if item.stale else "yellow")
            table.add_row(name, two(item.score), owed)
        for kpi in group.kpis:
            name = Text("KPI ")
            name.append(kpi.id, style="bold")
            name.append("  " + kpi.title, style="dim")
            owed = Text(kpi_what(kpi, as_of), style="bold red" if kpi.stale else "yellow")
            table.add_row(name, kpi.band or "no data", owed)
        console.print(table)
    stale, stale_kpis = stale_counts(groups)
    count = sum(len(group.items) for group in groups)
    kpis = sum(len(group.kpis) for group in groups)
    noun = "key result" if count == 1 else "key results"
    also = f"; {kpis} KPI{'s' if kpis != 1 else ''} owed, {stale_kpis} stale" if kpis else ""
    console.print(f"{count} {noun} owed, {stale} stale{also}, as of {as_of}.")
