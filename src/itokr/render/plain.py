"""Scores as plain dicts and short strings, shared by every view and free of rich.

JSON and markdown output is built from these alone, so `status --format json`
on a large root costs little beyond loading it (SPEC §4).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from itokr.model.keyresults import AnyKeyResult, Binary, Metric, MilestoneKR, Threshold
from itokr.scoring import HEALTHS, KeyResultScore, ObjectiveScore, clamp

SPARKS = "▁▂▃▄▅▆▇█"


def rounded(value: float | None) -> float | None:
    """A computed number as every view shows it: two decimals."""
    return None if value is None else round(value, 2)


def two(value: float | None, none: str = "—") -> str:
    """Two decimals; a value that rounds to zero is 0.00, never -0.00."""
    return none if value is None else f"{round(value, 2) or 0.0:.2f}"


def iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


def number(value: float | None) -> str:
    """A value the user wrote, as they would write it (99.5, 250, 0.125)."""
    if value is None:
        return "—"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return f"{value:g}" if isinstance(value, float) else str(value)


def with_unit(value: float | str | None, unit: str | None) -> str:
    text = value if isinstance(value, str) else number(value)
    if value is None or not unit:
        return text
    return f"{text}{unit}" if unit == "%" else f"{text} {unit}"


def now_text(kr: AnyKeyResult) -> str:
    """Where a key result is against its target, compactly: `58/45 s`, `2/3`, `done`."""
    if isinstance(kr, MilestoneKR):
        return f"{sum(1 for m in kr.milestones if m.done)}/{len(kr.milestones)}"
    if isinstance(kr, Binary):
        return "done" if kr.done else "not done"
    if kr.value is None:
        return "no data"
    return with_unit(f"{number(kr.value)}/{number(kr.target)}", kr.unit)


def baseline_target_current(kr: AnyKeyResult) -> tuple[float | None, float | None, float | None]:
    if isinstance(kr, Metric):
        return kr.baseline, kr.target, kr.value
    if isinstance(kr, Threshold):
        return kr.baseline, kr.target, kr.value
    return None, None, None


def key_result_dict(result: KeyResultScore) -> dict[str, Any]:
    """One key result in the SPEC §3 shape of `status --format json`."""
    kr = result.key_result
    baseline, target, current = baseline_target_current(kr)
    return {
        "ref": result.ref,
        "title": kr.title,
        "kind": kr.kind,
        "baseline": baseline,
        "target": target,
        "current": current,
        "unit": kr.unit if isinstance(kr, Metric | Threshold) else None,
        "progress": rounded(result.progress),
        "score": rounded(result.score),
        "health": result.health,
        "stale": result.stale,
        "forecast": rounded(result.forecast),
        "confidence": rounded(result.confidence),
        "last_checkin": iso(result.last_checkin),
        "measured_by": result.measured_by,
    }


def objective_dict(score: ObjectiveScore, *, key_results: bool = True) -> dict[str, Any]:
    """One objective in the SPEC §3 shape, plus `type`, `stale`, `confidence`, `last_checkin`."""
    entry = score.entry
    return {
        "id": entry.id,
        "title": entry.objective.title,
        "owner": entry.owner,
        "area": entry.area,
        "period": entry.period.label if entry.period else None,
        "score": rounded(score.score),
        "expected": rounded(score.expected),
        "health": score.health,
        "type": entry.objective.type,
        "stale": any(r.stale for r in score.key_results),
        "confidence": rounded(score.confidence),
        "last_checkin": iso(score.last_checkin),
        "key_results": [key_result_dict(r) for r in score.key_results] if key_results else [],
    }


def trend_points(kr: AnyKeyResult) -> list[float]:
    """Check-in values turned so that up means better (metric: progress from the baseline)."""
    if isinstance(kr, Metric):
        values = [kr.baseline] + [c.value for c in kr.checkins or ()]
        span = kr.target - kr.baseline
        return [clamp((v - kr.baseline) / span) if span else 0.0 for v in values]
    if isinstance(kr, Threshold):
        sign = 1.0 if kr.direction == "at_least" else -1.0
        return [sign * c.value for c in kr.checkins or ()]
    return []


def sparkline(kr: AnyKeyResult, *, width: int = 6) -> str:
    """The last `width` check-ins as block characters; a metric on its fixed 0–1 scale."""
    points = trend_points(kr)[-width:]
    return spark(points, (0.0, 1.0) if isinstance(kr, Metric) else None)


def spark(points: Sequence[float], scale: tuple[float, float] | None = None) -> str:
    """Two or more values as block characters, on `scale` (low, high) or their own range."""
    if len(points) < 2:
        return ""
    low, high = scale or (min(points), max(points))
    if high == low:
        return SPARKS[len(SPARKS) // 2] * len(points)
    top = len(SPARKS) - 1
    return "".join(SPARKS[round((p - low) / (high - low) * top)] for p in points)


def forecast_text(value: float | None) -> str:
    return "" if value is None else f"→ {value:.2f}"


def checked_ago(last: dt.date | None, as_of: dt.date) -> str:
    """How long ago the newest check-in was, as `5d`; `—` without one."""
    if last is None:
        return "—"
    days = (as_of - last).days
    return f"{days}d" if days >= 0 else f"in {-days}d"


def kind_label(kr: AnyKeyResult) -> str:
    if isinstance(kr, Metric):
        return "metric (" + ("decreasing" if kr.target < kr.baseline else "increasing") + ")"
    if isinstance(kr, Threshold):
        return f"threshold ({kr.direction.replace('_', ' ')} {with_unit(kr.target, kr.unit)})"
    if isinstance(kr, MilestoneKR):
        return f"milestone ({len(kr.milestones)} milestones)"
    assert isinstance(kr, Binary)
    return "binary"


def mean(values: Iterable[float]) -> float | None:
    items = list(values)
    return sum(items) / len(items) if items else None


def summary(scores: Sequence[ObjectiveScore]) -> dict[str, Any]:
    """Counts by health and mean scores, committed and aspirational apart."""
    counts: dict[str, int] = {}
    for score in scores:
        key = score.health or "no period"
        counts[key] = counts.get(key, 0) + 1
    committed = [s.score for s in scores if s.entry.objective.type == "committed"]
    aspirational = [s.score for s in scores if s.entry.objective.type != "committed"]
    return {
        "objectives": len(scores),
        "health": counts,
        "mean": mean(s.score for s in scores),
        "committed": (len(committed), mean(committed)),
        "aspirational": (len(aspirational), mean(aspirational)),
        "stale": sum(1 for s in scores for r in s.key_results if r.stale),
    }


def summary_lines(scores: Sequence[ObjectiveScore]) -> list[str]:
    """The foot of the table and of the markdown: counts by health, then mean scores."""
    facts = summary(scores)
    if not scores:
        return ["No objectives to show."]
    noun = "objective" if facts["objectives"] == 1 else "objectives"
    counts = ", ".join(f"{count} {name}" for name, count in _in_health_order(facts["health"]))
    parts = [f"mean score {two(facts['mean'])}"]
    for kind in ("committed", "aspirational"):
        count, value = facts[kind]
        if count:
            parts.append(f"{kind} {two(value)} ({count})")
    if facts["stale"]:
        parts.append(f"{facts['stale']} stale key result" + ("s" if facts["stale"] > 1 else ""))
    return [f"{facts['objectives']} {noun}" + (f": {counts}" if counts else ""), " · ".join(parts)]


def _in_health_order(counts: dict[str, int]) -> list[tuple[str, int]]:
    order = {name: index for index, name in enumerate((*HEALTHS, "no period"))}
    return sorted(counts.items(), key=lambda item: order.get(item[0], len(order)))
