"""`itokr history KPI_ID` as JSON or as a terminal table: one row per date."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from itokr.findings import Finding
from itokr.kpihistory import KpiHistory, KpiPoint
from itokr.render.history import plan_change, readings_table
from itokr.render.kpis import BAND_STYLES
from itokr.render.plain import iso, number, spark, with_unit

if TYPE_CHECKING:
    from rich.console import Console


def _point_dict(point: KpiPoint) -> dict[str, Any]:
    return {
        "date": iso(point.day),
        "commit": point.commit,
        "subject": point.subject,
        "plan_changed": point.plan_changed,
        "checkins": [
            {"value": r.value, "confidence": r.confidence, "note": r.note, "by": r.by}
            for r in point.readings
        ],
        "value": point.value,
        "good": point.good,
        "bad": point.bad,
        "band": point.band,
        "stale": point.stale,
    }


def as_json(history: KpiHistory, *, git: bool, findings: Sequence[tuple[str, Finding]] = ()) -> str:
    """The shape of `history REF --format json`, with a KPI's band in place of a score;
    `findings` are the problems of the files read from git, each with its commit."""
    document = {
        "ref": history.id,
        "title": history.title,
        "kind": "kpi",
        "unit": history.unit,
        "git": git,
        "points": [_point_dict(point) for point in history.points],
        "findings": [{"commit": commit, **f.as_dict()} for commit, f in findings],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def _source(point: KpiPoint) -> str:
    """What the row rests on, as `history` says it: the commit that changed the KPI's
    bands or rhythm that day, and the readings of the day with their notes."""
    parts = [plan_change(point.commit, point.subject)] if point.plan_changed else []
    said = [
        f"reading {number(r.value)}"
        + (f" by {r.by}" if r.by else "")  # measured by a source, or a person's name
        + (f" ({r.note})" if r.note else "")
        for r in point.readings
    ]
    if said:
        parts.append("; ".join(said))
    return " · ".join(parts)


def render(console: Console, history: KpiHistory) -> None:
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
        f"{with_unit(last.value, history.unit)} ({last.day}), {len(points)} "
        + ("reading" if len(points) == 1 else "readings")
        + (" · up is better" if trend else "")
    )
    names = ("Date", "Value", "Band", "Good", "Bad")
    rows = [
        [
            Text(str(point.day)),
            Text(with_unit(point.value, history.unit)),
            Text(
                (point.band or "—") + (" stale" if point.stale else ""),
                style=BAND_STYLES.get(point.band or "", "dim"),
            ),
            Text(number(point.good)),
            Text(number(point.bad)),
            Text(_source(point)),
        ]
        for point in points
    ]
    readings_table(console, names, rows, right=("Value", "Good", "Bad"))
