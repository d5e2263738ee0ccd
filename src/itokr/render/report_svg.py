"""Inline SVG charts for the HTML review: a score bar and a metric burn-up.

Plain strings, no library and no script: the page must open from a mail
attachment, print, and show on a phone. Every user string goes through
`html.escape`; numbers are formatted here, never taken as text from the files.
"""

from __future__ import annotations

import datetime as dt
import math
from html import escape

from itokr.render.plain import number, rounded, two, with_unit
from itokr.report import Burnup

# the colour of each health, as status colours it; print keeps them (see the CSS)
TONES = {
    "done": "#1a7f37",
    "on-track": "#1a7f37",
    "green": "#1a7f37",
    "at-risk": "#9a6700",  # white on it is 4.9:1, as WCAG AA asks of small text
    "yellow": "#9a6700",
    "off-track": "#c62828",
    "red": "#c62828",
}
GREY = "#6b7280"
_W, _H = 480, 220
_LEFT, _RIGHT, _TOP, _BOTTOM = 56, 16, 14, 34


def tone(health: str | None) -> str:
    return TONES.get(health or "", GREY)


def score_bar(score: float, expected: float | None, health: str | None, label: str) -> str:
    """A bar filled to the score, with a tick where the period says it should be."""
    width = 300
    filled = round(max(0.0, min(1.0, score)) * width, 1)
    tick = ""
    if expected is not None:
        x = round(expected * width, 1)
        tick = (
            f'<line x1="{x}" y1="1" x2="{x}" y2="23" stroke="#111827" stroke-width="2">'
            f"<title>expected {two(expected)}</title></line>"
        )
    described = f"{label}: score {two(score)}" + (
        f", expected {two(expected)}" if expected is not None else ""
    )
    return (
        f'<svg class="scorebar" viewBox="0 0 {width} 24" width="100%" height="24" '
        f'preserveAspectRatio="none" role="img" aria-label="{escape(described)}">'
        f'<rect x="0" y="4" width="{width}" height="16" rx="3" fill="#e5e7eb"/>'
        f'<rect x="0" y="4" width="{filled}" height="16" rx="3" fill="{tone(health)}"/>'
        f"{tick}</svg>"
    )


def _ticks(low: float, high: float) -> list[float]:
    """Round values (steps of 1, 2 or 5 times a power of ten) between low and high."""
    raw = (high - low) / 4
    power = 10 ** math.floor(math.log10(raw))
    step = next(power * f for f in (1, 2, 5, 10) if power * f >= raw)
    value = math.ceil(low / step) * step
    ticks: list[float] = []
    while value <= high and len(ticks) < 6:
        ticks.append(round(value, 10))
        value += step
    return ticks


def burnup(chart: Burnup) -> str:
    """Values over the period against the straight line from baseline to target."""
    values = [v for _, v in chart.points] + [chart.baseline, chart.target]
    if chart.projected is not None:
        values.append(chart.projected)
    low, high = min(values), max(values)
    pad = (high - low) * 0.08 or abs(high) * 0.1 or 1.0
    low, high = low - pad, high + pad
    days = max(1, (chart.end - chart.start).days)
    plot_w, plot_h = _W - _LEFT - _RIGHT, _H - _TOP - _BOTTOM

    def x(day: dt.date) -> float:
        return round(_LEFT + (day - chart.start).days / days * plot_w, 1)

    def y(value: float) -> float:
        return round(_TOP + (high - value) / (high - low) * plot_h, 1)

    unit = chart.unit
    described = f"{chart.ref}: from {number(chart.baseline)} towards {number(chart.target)}"
    parts = [
        f'<svg class="burnup" viewBox="0 0 {_W} {_H}" width="100%" role="img" '
        f'aria-label="{escape(described)}">',
        f"<title>{escape(chart.ref)}</title>",
        f'<rect x="{_LEFT}" y="{_TOP}" width="{plot_w}" height="{plot_h}" fill="#f9fafb" '
        'stroke="#d1d5db"/>',
    ]
    for value in _ticks(low, high):
        parts.append(
            f'<line x1="{_LEFT}" y1="{y(value)}" x2="{_LEFT + plot_w}" y2="{y(value)}" '
            'stroke="#e5e7eb"/>'
            f'<text x="{_LEFT - 6}" y="{y(value) + 4}" text-anchor="end" class="axis">'
            f"{escape(number(value))}</text>"
        )
    target_y = y(chart.target)
    parts.append(
        f'<line x1="{_LEFT}" y1="{target_y}" x2="{_LEFT + plot_w}" y2="{target_y}" '
        f'stroke="{TONES["green"]}" stroke-dasharray="2 3"/>'
        f'<text x="{_LEFT + 4}" y="{target_y - 4}" class="axis">'
        f"target {escape(with_unit(chart.target, unit))}</text>"
    )
    parts.append(
        f'<line class="expected" x1="{x(chart.start)}" y1="{y(chart.baseline)}" '
        f'x2="{x(chart.end)}" y2="{target_y}" stroke="{GREY}" stroke-width="1.5" '
        'stroke-dasharray="6 4"><title>expected: baseline to target, evenly</title></line>'
    )
    if chart.start <= chart.as_of <= chart.end:
        today = x(chart.as_of)
        parts.append(
            f'<line x1="{today}" y1="{_TOP}" x2="{today}" y2="{_TOP + plot_h}" '
            'stroke="#9ca3af" stroke-width="1"/>'
            f'<text x="{today}" y="{_TOP - 3}" text-anchor="middle" class="axis">'
            f"{chart.as_of.isoformat()}</text>"
        )
    last_day, last_value = chart.points[-1]
    if chart.projected is not None and last_day < chart.end:
        parts.append(
            f'<line class="forecast" x1="{x(last_day)}" y1="{y(last_value)}" '
            f'x2="{x(chart.end)}" y2="{y(chart.projected)}" stroke="#2563eb" '
            'stroke-width="1.5" stroke-dasharray="2 3">'
            "<title>trend at the end: "
            f"{escape(with_unit(rounded(chart.projected), unit))}</title></line>"
        )
    line = " ".join(f"{x(day)},{y(value)}" for day, value in chart.points)
    parts.append(
        f'<polyline class="actual" points="{line}" fill="none" stroke="#2563eb" '
        'stroke-width="2.5" stroke-linejoin="round"/>'
    )
    for day, value in chart.points:
        parts.append(
            f'<circle cx="{x(day)}" cy="{y(value)}" r="3.5" fill="#2563eb">'
            f"<title>{day.isoformat()}: {escape(with_unit(value, unit))}</title></circle>"
        )
    parts.append(
        f'<text x="{_LEFT}" y="{_H - 6}" class="axis">{chart.start.isoformat()}</text>'
        f'<text x="{_LEFT + plot_w}" y="{_H - 6}" text-anchor="end" class="axis">'
        f"{chart.end.isoformat()}</text></svg>"
    )
    return "".join(parts)
