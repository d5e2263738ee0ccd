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
    state = "done" if outcome.done else "not done"
    if outcome.action == "milestone":
        return f"milestone {outcome.milestone!r} of {outcome.ref} {state}"
    return f"{outcome.ref} {state}"


def text(outcome: Outcome) -> str:
    """One line of what was recorded where, the conversion note, the new score."""
    score = f"score {outcome.score_after:.2f} (was {outcome.score_before:.2f})"
    if not outcome.changed:
        return f"{_what(outcome)} already: nothing written\n"
    verb = "recorded" if outcome.written else "would record"
    lines = [f"{verb} {_what(outcome)} in {outcome.path}; {score}"]
    if outcome.replaced_current is not None:
        lines.append(
            f"`current: {outcome.replaced_current}` became `checkins:` holding this check-in "
            "(the old value stays in git history)"
        )
    return "\n".join(lines) + "\n"


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
        "score": [round(outcome.score_before, 2), round(outcome.score_after, 2)],
        "diff": outcome.diff,
    }
    return json.dumps(document, ensure_ascii=False) + "\n"
