"""What `itokr checkin` says: a line for people, or one JSON document."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from itokr.checkin import Outcome


def _number(text: str) -> float | int:
    """The value as the file now holds it (42 stays an integer)."""
    return int(text) if text.lstrip("+-").isdigit() else float(text)


def _what(outcome: Outcome) -> str:
    if outcome.action == "checkin":
        return f"{outcome.value} on {outcome.date} for {outcome.ref}"
    if outcome.action == "status":
        return f"a status update on {outcome.date} for {outcome.ref}"
    if outcome.action == "kpi":
        return f"{outcome.value} on {outcome.date} for the KPI {outcome.ref}"
    state = "done" if outcome.done else "not done"
    if outcome.action == "milestone":
        return f"milestone {outcome.milestone!r} of {outcome.ref} {state}"
    return f"{outcome.ref} {state}"


def text(outcome: Outcome) -> str:
    """One line of what was recorded where, the conversion note, the new score."""
    if not outcome.changed:
        return f"{_what(outcome)} already: nothing written\n"
    verb = "recorded" if outcome.written else "would record"
    lines = [f"{verb} {_what(outcome)} in {outcome.path}; {_effect(outcome)}"]
    lines += [
        f"  {moved.ref}: score {moved.score_after:.2f} (was {moved.score_before:.2f})"
        for moved in outcome.moved
    ]
    if outcome.replaced_current is not None:
        lines.append(
            f"`current: {outcome.replaced_current}` became `checkins:` holding this check-in "
            "(the old value stays in git history)"
        )
    return "\n".join(lines) + "\n"


def _effect(outcome: Outcome) -> str:
    """The new score of a key result, or the new band of a KPI and what it moves."""
    if outcome.band is not None:
        before, after = (band or "no data" for band in outcome.band)
        moves = len(outcome.moved)
        tracked = f"; {moves} key result{'s' if moves != 1 else ''} tracking it" if moves else ""
        return f"band {after} (was {before}){tracked}"
    return f"score {_two(outcome.score_after)} (was {_two(outcome.score_before)})"


def _two(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def as_json(outcome: Outcome) -> str:
    """The outcome with stable keys; `diff` is the unified diff of the file."""
    document = {
        "ref": outcome.ref,
        "path": outcome.path,
        "action": outcome.action,
        "date": None if outcome.date is None else outcome.date.isoformat(),
        "value": None if outcome.value is None else _number(outcome.value),
        "milestone": outcome.milestone,
        "done": outcome.done,
        "replaced_current": outcome.replaced_current,
        "changed": outcome.changed,
        "written": outcome.written,
        "score": (
            None
            if outcome.band is not None
            else [_rounded(outcome.score_before), _rounded(outcome.score_after)]
        ),
        "band": None if outcome.band is None else list(outcome.band),
        "moved": [
            {"ref": m.ref, "score": [round(m.score_before, 2), round(m.score_after, 2)]}
            for m in outcome.moved
        ],
        "diff": outcome.diff,
    }
    return json.dumps(document, ensure_ascii=False) + "\n"
