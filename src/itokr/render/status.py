"""`itokr status` as JSON (SPEC §3 shape) or a markdown pipe table; the rich table is
in `render.status_table`, imported only when asked for, since rich costs start-up."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence

from itokr.acyclic import collector_paused
from itokr.findings import Finding
from itokr.inert import markdown
from itokr.render.plain import (
    forecast_text,
    iso,
    now_text,
    objective_dict,
    summary_lines,
    two,
)
from itokr.scoring import KeyResultScore, ObjectiveScore


def as_json(
    scores: Sequence[ObjectiveScore],
    as_of: dt.date,
    *,
    key_results: bool = True,
    findings: Sequence[Finding] = (),
) -> str:
    """One objective a line: readable, diff-friendly, and written by json's C encoder
    (`indent` would switch to its pure-Python one, which costs more than the loading).
    `findings` are the problems of the root read (on disk or at `--at`), one a line,
    in the shape `diff` and `history` give them."""
    encode = json.JSONEncoder(ensure_ascii=False).encode
    with collector_paused():  # a few dicts per key result, none cyclic
        lines = ",\n".join(encode(objective_dict(s, key_results=key_results)) for s in scores)
    problems = ",\n".join(encode(f.as_dict()) for f in findings)
    return (
        f'{{"as_of": {encode(as_of.isoformat())}, "objectives": [{_block(lines)}], '
        f'"findings": [{_block(problems)}]}}\n'
    )


def _block(lines: str) -> str:
    return f"\n{lines}\n" if lines else ""


def _health(health: str | None, stale: bool) -> str:
    text = health or "—"
    return f"{text}, stale" if stale else text


def _score(result: KeyResultScore) -> str:
    """The clamped score, and the raw progress when it went past the target."""
    over = result.progress is not None and result.progress > 1
    return f"{two(result.score)} (↑{result.progress:.2f})" if over else two(result.score)


def _last(result: KeyResultScore) -> str:
    """The newest check-in's date, and the source it was measured from."""
    day = iso(result.last_checkin) or ""
    return f"{day} by {markdown(result.measured_by)}" if result.measured_by else day


def _kr_row(result: KeyResultScore) -> str:
    kr = result.key_result
    cells = [
        f"↳ `{result.ref}` {markdown(kr.title)}",
        markdown(now_text(kr)),
        _score(result),
        "",
        _health(result.health, result.stale),
        forecast_text(result.forecast),
        two(result.confidence, ""),
        _last(result),
        "",
    ]
    return "| " + " | ".join(cells) + " |"


def as_markdown(
    scores: Sequence[ObjectiveScore], as_of: dt.date, *, key_results: bool = True, title: str = ""
) -> str:
    """A pipe table for wikis and pull-request comments."""
    heading = f"{title} — status as of {as_of}" if title else f"Status as of {as_of}"
    lines = [
        f"### {markdown(heading)}",
        "",
        "| Objective / key result | Now / target | Score | Expected | Health | Forecast "
        "| Confidence | Last check-in | Owner |",
        "|---|---:|---:|---:|---|---|---:|---:|---|",
    ]
    for score in scores:
        entry = score.entry
        stale = any(r.stale for r in score.key_results)
        period = f" ({entry.period.label})" if entry.period else ""
        lines.append(
            "| "
            + " | ".join(
                [
                    f"**`{entry.id}`** {markdown(entry.objective.title + period)}",
                    "",
                    f"**{two(score.score)}**",
                    two(score.expected),
                    _health(score.health, stale),
                    "",
                    two(score.confidence, ""),
                    iso(score.last_checkin) or "",
                    markdown(entry.owner or ""),
                ]
            )
            + " |"
        )
        if key_results:
            lines.extend(_kr_row(result) for result in score.key_results)
    lines += ["", *(f"{line}  " for line in summary_lines(scores)), ""]
    return "\n".join(lines)
