"""KPIs in a diff: added, removed or modified, matched by id, with `eased` and
`raised` flags when their bands moved (`diffing.compare` lists them last)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from itokr.asof import kpi_known_on
from itokr.changes import (
    Change,
    Flag,
    Value,
    changed_fields,
    number_shown,
    present_fields,
    reason_written,
    removed_fields,
)
from itokr.kpis import KpiEntry, band, lower_is_better
from itokr.loader import Tree


def kpi_values(entry: KpiEntry, as_of: dt.date) -> dict[str, Value]:
    """The fields of a KPI as a reviewer reads them; its readings summed up as their
    count and the newest value known at `as_of`, with its band."""
    kpi = kpi_known_on(entry, as_of).kpi
    readings = kpi.checkins or []
    value = readings[-1].value if readings else None
    return {
        "title": kpi.title,
        "description": kpi.description,
        "reason": kpi.reason,
        "unit": kpi.unit,
        "owner": entry.owner,
        "area": entry.area,
        "good": kpi.good,
        "bad": kpi.bad,
        "every": kpi.every,
        "source": kpi.source.summary if kpi.source is not None else None,  # as a key result's
        "value": value,
        "band": None if value is None else band(kpi, value),
        "checkins": len(readings) or None,
        "path": entry.path,
    }


def kpi_changes(base: Tree, head: Tree, as_of: dt.date) -> list[Change]:
    """KPIs added, removed or modified, matched by id; flags for eased or raised bands."""
    old: dict[str, KpiEntry] = {}
    for entry in base.kpis:
        old.setdefault(entry.id, entry)
    new: dict[str, KpiEntry] = {}
    for entry in head.kpis:
        new.setdefault(entry.id, entry)
    changes = []
    for key, entry in new.items():
        values = kpi_values(entry, as_of)
        before = old.get(key)
        if before is None:
            fields = present_fields(values)
            changes.append(_kpi_change(entry, "added", fields))
            continue
        fields = changed_fields(kpi_values(before, as_of), values)
        if fields:
            explained = reason_written(before.kpi.reason, entry.kpi.reason)
            flags = tuple(_kpi_flags(before, entry, explained))
            changes.append(_kpi_change(entry, "modified", fields, flags))
    for key, entry in old.items():
        if key not in new:
            changes.append(_kpi_change(entry, "removed", removed_fields(kpi_values(entry, as_of))))
    return changes


def _kpi_change(
    entry: KpiEntry,
    change: str,
    fields: dict[str, tuple[Value, Value]],
    flags: tuple[Flag, ...] = (),
) -> Change:
    loc = ("kpis", entry.index)
    return Change(
        entry.id, change, entry.kpi.title, entry.path, loc, fields, (None, None), flags, is_kpi=True
    )


def _kpi_flags(before: KpiEntry, after: KpiEntry, explained: bool) -> Iterator[Flag]:
    """`eased` when `good` or `bad` moved so that a reading falls in a better band than
    before (or the direction reversed), `raised` when they moved the other way."""
    old, new = before.kpi, after.kpi
    if lower_is_better(old) != lower_is_better(new):
        better = "lower" if lower_is_better(new) else "higher"
        yield Flag("eased", f"direction reversed: {better} is now better", explained)
        return
    sign = -1 if lower_is_better(new) else 1  # +1: a higher reading is better
    moves: dict[str, list[str]] = {"eased": [], "raised": []}
    for name, was, now in (("good", old.good, new.good), ("bad", old.bad, new.bad)):
        if was != now:
            kind = "eased" if (now - was) * sign < 0 else "raised"
            moves[kind].append(f"{name} {number_shown(was)} → {number_shown(now)}")
    for kind, said in moves.items():
        if said:
            yield Flag(kind, f"band {kind}: {'; '.join(said)}", explained)
    if before.owner != after.owner:
        yield Flag(
            "owner", f"owner changed: {before.owner or 'none'} → {after.owner or 'none'}", explained
        )
