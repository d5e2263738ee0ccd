"""`itokr history KPI_ID` as JSON or as a terminal table: one row per date."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from itokr.history import COMMIT
from itokr.kpihistory import KpiHistory, KpiPoint
from itokr.render.kpis import BAND_STYLES
from itokr.render.plain import iso, number, spark, with_unit

if TYPE_CHECKING:
    from rich.console import Console


def _point_dict(point: KpiPoint) -> dict[str, Any]:
    return {
        "date": iso(point.day),
        "source": point.source,
        "commit": point.commit,
        "subject": point.subject,
        "checkins": [
            {"value": r.value, "confidence": r.confidence, "note": r.note} for r in point.readings
        ],
        "value": point.value,
        "good": point.good,
        "bad": point.bad,
        "band": point.band,
        "stale": point.stale,
    }


def as_json(history: KpiHistory, *, git: bool) -> str:
    """The shape of `history REF --format json`, with a KPI's band in place of a score."""
    document = {
        "ref": history.id,
        "title": history.title,
        "kind": "kpi",
        "unit": history.unit,
        "git": git,
        "points": [_point_dict(point) for point in history.points],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def _source(point: KpiPoint) -> str:
    said = [
        f"reading {number(r.value)}" + (f" ({r.note})" if r.note else "") for r in point.readings
    ]
    if point.source == COMMIT:
        said.insert(0, f"{(point.commit or '')[:7]} {point.subject or ''}".rstrip())
    return "; ".join(said)


def render(console: Console, history: KpiHistory) -> None:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    console.print(Text.assemble("History of the KPI ", (history.id, "bold"), f" — {history.title}"))
    points = history.points
    if not points:
        console.print("No commits and no readings to show.")
        return
    values = [p.value for p in points if p.value is not None]
    lower = points[-1].good < points[-1].bad
    trend = spark([-v if lower else v for v in values])
    first, last = points[0], points[-1]
    console.print(
        f"value {trend}  {with_unit(first.value, history.unit)} ({first.day}) → "
        f"{with_unit(last.value, history.unit)} ({last.day}), {len(points)} readings"
        + (" · up is better" if trend else "")
    )
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    for name in ("Date", "Value", "Band", "Good", "Bad"):
        table.add_column(name, justify="right" if name in ("Value", "Good", "Bad") else "left")
    table.add_column("Source", overflow="fold")
    for point in points:
        shown = point.band or "—"
        style = BAND_STYLES.get(point.band or "", "dim")
        table.add_row(
            str(point.day),
            with_unit(point.value, history.unit),
            Text(shown + (" stale" if point.stale else ""), style=style),
            number(point.good),
            number(point.bad),
            _source(point),
        )
    console.print(table)
