"""The arithmetic behind each number `status` shows, as (label, text) lines: the answer
to "why is this red?". Plain strings, shared by `score` text and JSON."""

from __future__ import annotations

import datetime as dt

from itokr.kpis import every_of, next_due
from itokr.model.config import Config
from itokr.model.keyresults import AnyKeyResult, Binary, Metric, MilestoneKR, Threshold
from itokr.model.kpi import Kpi
from itokr.periods import Period
from itokr.render.plain import kind_label, number, two, with_unit
from itokr.scoring import (
    KeyResultScore,
    ObjectiveScore,
    goes_stale,
    projected_value,
    trend_points,
)

Lines = list[tuple[str, str]]


def calc(value: float) -> str:
    """An intermediate result without float noise: 99.76 - 99.5 is 0.26, not 0.2600000000005."""
    return number(float(f"{value:.10g}"))


def _readable(value: float) -> float:
    """A projected value to the precision a person reads: 7.91, 99.97, 0.00123."""
    return round(value, 2) if abs(value) >= 1 else float(f"{value:.3g}")


def progress_line(result: KeyResultScore) -> str:
    kr = result.key_result
    if isinstance(kr, MilestoneKR):
        done = sum(m.weight for m in kr.milestones if m.done)
        total = sum(m.weight for m in kr.milestones)
        shares = f"{calc(done)} / {calc(total)}"
        return f"weight of milestones done / of all = {shares} = {two(result.progress)}"
    if isinstance(kr, Binary):
        return "done → 1" if kr.done else "not done → 0"
    if result.progress is None:
        return "no current value yet (no data): score 0"
    if isinstance(kr, Threshold):
        sign = "≥" if kr.direction == "at_least" else "≤"
        met = result.progress >= 1
        word = "met" if met else "not met"
        value = with_unit(kr.value, kr.unit)
        bound = with_unit(kr.target, kr.unit)
        return f"current {value} {sign} {bound}? {word} → {1 if met else 0}"
    assert isinstance(kr, Metric) and kr.value is not None
    current, baseline, target = kr.value, kr.baseline, kr.target
    return (
        f"(current − baseline) / (target − baseline) = ({number(current)} − {number(baseline)})"
        f" / ({number(target)} − {number(baseline)}) = {calc(current - baseline)} / "
        f"{calc(target - baseline)} = {two(result.progress)}"
    )


def score_line(result: KeyResultScore) -> str:
    """SPEC §3's `baseline → current → target = score` in the key result's own terms,
    and why the score is not the progress where it was clamped."""
    shown = f"{_course(result.key_result)} = {two(result.score)}"
    if result.progress is not None and result.progress > 1:
        return f"{shown}: progress {two(result.progress)} clamped to 1 (over-achieved)"
    if result.progress is not None and result.progress < 0:
        return f"{shown}: progress {two(result.progress)} clamped to 0 (moved away)"
    return shown


def _course(kr: AnyKeyResult) -> str:
    """Where a key result started, stands and aims: `250 → 235 → 200 ms`, `96.2% ≥ 95%`
    (a threshold), `0 → 2 → 3 milestones`, `not done`."""
    if isinstance(kr, MilestoneKR):
        done = sum(m.weight for m in kr.milestones if m.done)
        total = sum(m.weight for m in kr.milestones)
        what = "milestones" if all(m.weight == 1 for m in kr.milestones) else "by weight"
        return f"0 → {calc(done)} → {calc(total)} {what}"
    if isinstance(kr, Binary):
        return "done" if kr.done else "not done"
    if isinstance(kr, Metric):
        return " → ".join(_in_unit([kr.baseline, kr.value, kr.target], kr.unit))
    baseline, current, target = _in_unit([kr.baseline, kr.value, kr.target], kr.unit)
    start = f"{baseline} → " if kr.baseline is not None else ""
    least = kr.direction == "at_least"
    if kr.value is None:
        return f"{start}{current} ({'at least' if least else 'at most'} {target})"
    met = kr.value >= kr.target if least else kr.value <= kr.target
    sign = ("≥" if met else "<") if least else ("≤" if met else ">")
    return f"{start}{current} {sign} {target}"


def _in_unit(values: list[float | None], unit: str | None) -> list[str]:
    """Values as a line of them reads: `%` on each, another unit once, after the last."""
    shown = [
        "no data" if v is None else with_unit(v, unit if unit == "%" else None) for v in values
    ]
    if unit and unit != "%":
        shown[-1] = with_unit(shown[-1], unit)
    return shown


def expected_line(period: Period | None, as_of: dt.date) -> str:
    if period is None:
        return "none: no period, so no expected progress and no health"
    span = (period.end - period.start).days
    elapsed = min(max((as_of - period.start).days, 0), span)
    # (as_of - start) / (end - start): the share of the time from the first day to the
    # last, so a 92-day quarter spans 91 days of it
    return (
        f"{two(period.expected(as_of))}: {elapsed} of the {span} days from the first day of "
        f"{period.label} to its last ({period.start} → {period.end}) elapsed on {as_of}"
    )


def health_line(
    health: str | None,
    score: float,
    period: Period | None,
    as_of: dt.date,
    config: Config,
    *,
    committed: bool,
) -> str:
    """Which rule of SPEC §2 gave the health, with its numbers."""
    if period is None or health is None:
        return "none: no period"
    if as_of > period.end:
        green = 1.0 if committed else config.grading.green
        yellow = config.grading.green if committed else config.grading.yellow
        bands = "committed: green only at 1.00" if committed else f"green from {two(green)}"
        return (
            f"{health}: {period.label} ended {period.end}, final grade of {two(score)} "
            f"({bands}, yellow from {two(yellow)})"
        )
    if as_of < period.start:
        return f"{health}: {period.label} starts {period.start}"
    if health == "done":
        return "done: score 1.00"
    expected = period.expected(as_of)
    limits = config.health
    on_track = (
        f"{two(expected - limits.at_risk)} (expected {two(expected)} − at_risk "
        f"{two(limits.at_risk)})"
    )
    at_risk = (
        f"{two(expected - limits.off_track)} (expected {two(expected)} − off_track "
        f"{two(limits.off_track)})"
    )
    if health == "on-track":
        return f"on-track: score {two(score)} ≥ {on_track}"
    if health == "at-risk":
        return f"at-risk: score {two(score)} < {on_track}, but ≥ {at_risk}"
    return f"off-track: score {two(score)} < {at_risk}"


def forecast_line(result: KeyResultScore, period: Period | None) -> str:
    kr = result.key_result
    if not isinstance(kr, Metric):
        return "none: only metric key results are forecast"
    if period is None:
        return "none: no period to project to"
    points = trend_points(kr, period)
    at_end = projected_value(kr, period)
    if at_end is None or result.forecast is None:
        return "none: fewer than two dated values (the baseline counts at the period start)"
    return (
        f"→ {two(result.forecast)}: a least-squares line through {len(points)} dated values "
        f"(baseline and {len(points) - 1} check-ins) reaches "
        f"{with_unit(_readable(at_end), kr.unit)} on {period.end}"
    )


def stale_line(
    result: KeyResultScore, period: Period | None, as_of: dt.date, config: Config
) -> str:
    kr = result.key_result
    days = config.checkins.stale_after_days
    if not goes_stale(kr, config):
        return (
            "never: milestone and binary key results are never stale "
            "(unless itokr.yaml sets checkins.stale_projects)"
        )
    if isinstance(kr, Metric | Threshold) and kr.tracked is not None:
        return _tracking_stale_line(result, kr.tracked, period, as_of, days)
    since = result.last_checkin or (period.start if period else None)
    what = f"last check-in {result.last_checkin}" if result.last_checkin else "no check-in"
    if result.stale and since is not None:
        return f"yes: {what}, {(as_of - since).days} days before {as_of} (stale after {days})"
    if period is None or not period.contains(as_of):
        return "no: the period is not running"
    if result.score >= 1:
        return "no: score 1.00"
    return f"no: {what}" + (
        f", {(as_of - since).days} days ago (stale after {days})" if since else ""
    )


def _tracking_stale_line(
    result: KeyResultScore, kpi: Kpi, period: Period | None, as_of: dt.date, days: int
) -> str:
    """SPEC §6: a key result tracking a KPI is stale when its KPI is."""
    every = every_of(kpi, days)
    due = next_due(result.last_checkin, every) if result.last_checkin else None
    when = f"next reading due {due} (every {every})" if due else "no reading yet"
    verdict = "yes" if result.stale else "no"
    if not result.stale and (period is None or not period.contains(as_of)):
        return "no: the period is not running"
    if not result.stale and result.score >= 1:
        return "no: score 1.00"
    return f"{verdict}: it tracks the KPI {kpi.id}, {when}"


def confidence_line(confidence: float | None) -> str:
    return "none stated" if confidence is None else two(confidence)


def _tracks(result: KeyResultScore) -> str:
    kpi = getattr(result.key_result, "kpi", None)
    return f", tracking the KPI {kpi}: its check-ins are the KPI's readings" if kpi else ""


def key_result_lines(
    result: KeyResultScore, objective: ObjectiveScore, config: Config, as_of: dt.date
) -> Lines:
    entry = objective.entry
    total = sum(kr.weight for kr in entry.objective.key_results)
    committed = entry.objective.type == "committed"
    return [
        ("kind", kind_label(result.key_result) + _tracks(result)),
        ("weight", f"{number(result.key_result.weight)} of {number(total)} in {entry.id}"),
        ("progress", progress_line(result)),
        ("score", score_line(result)),
        ("expected", expected_line(entry.period, as_of)),
        (
            "health",
            health_line(
                result.health, result.score, entry.period, as_of, config, committed=committed
            ),
        ),
        ("forecast", forecast_line(result, entry.period)),
        ("stale", stale_line(result, entry.period, as_of, config)),
        ("confidence", confidence_line(result.confidence)),
        ("last check-in", last_checkin_line(result)),
        *source_lines(result.key_result),
    ]


def last_checkin_line(result: KeyResultScore) -> str:
    if result.last_checkin is None:
        return "none"
    measured = f", measured by {result.measured_by}" if result.measured_by else ""
    return f"{result.last_checkin}{measured}"


def source_lines(kr: AnyKeyResult) -> Lines:
    """Where `itokr measure` reads this key result, when it has a `source:`."""
    source = kr.source if isinstance(kr, Metric | Threshold) else None
    return [] if source is None else [("source", source.summary)]


def objective_lines(objective: ObjectiveScore, config: Config, as_of: dt.date) -> Lines:
    entry = objective.entry
    weights = [r.key_result.weight for r in objective.key_results]
    terms = " + ".join(
        f"{two(r.score)}×{number(w)}" for r, w in zip(objective.key_results, weights, strict=True)
    )
    weighted = sum(r.score * w for r, w in zip(objective.key_results, weights, strict=True))
    committed = entry.objective.type == "committed"
    period = entry.period
    return [
        ("type", entry.objective.type + (" (must reach 1.00)" if committed else "")),
        ("owner", entry.owner or "none"),
        ("area", entry.area or "none"),
        ("period", f"{period.label} ({period.start} → {period.end})" if period else "none"),
        ("aligns to", ", ".join(entry.objective.aligns_to) or "nothing"),
        (
            "score",
            f"Σ score×weight / Σ weight = ({terms}) / {calc(sum(weights))} = "
            f"{two(weighted)} / {calc(sum(weights))} = {two(objective.score)}",
        ),
        ("expected", expected_line(period, as_of)),
        (
            "health",
            health_line(
                objective.health, objective.score, period, as_of, config, committed=committed
            ),
        ),
        ("confidence", confidence_line(objective.confidence) + " (newest stated by a key result)"),
        ("last check-in", str(objective.last_checkin or "none")),
    ]
