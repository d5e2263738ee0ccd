"""What `itokr checkin` says: a line for people per check-in, one JSON document, and
the message of the commit `--commit` makes."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from itokr.checkin import Changes, Outcome, Recorded


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


def _recorded_what(item: Recorded) -> str:
    """What one request of a batch recorded, as `itokr checkin` says it of one."""
    request = item.request
    if item.action in ("checkin", "kpi"):
        return f"{request.value} on {request.date}"
    if item.action == "status":
        return f"a status update on {request.date}"
    if item.action == "milestone":
        return f"milestone {request.milestone!r} done"
    return "done"


def _recorded_effect(item: Recorded) -> str:
    """The new score of a key result, or the new band of a KPI and what it moves: after
    every change of the batch."""
    if item.band is not None:
        before, after = (band or "no data" for band in item.band)
        moved = "".join(
            f"; {m.ref} {m.score_after:.2f} (was {m.score_before:.2f})" for m in item.moved
        )
        return f"band {after} (was {before}){moved}"
    assert item.score is not None
    return f"score {item.score[1]:.2f} (was {item.score[0]:.2f})"


def changes_text(changes: Changes) -> list[tuple[str, str]]:
    """A line per key result or KPI, with its ref: all that was recorded for it, where,
    and its new score (or band)."""
    verb = "recorded" if changes.written else "would record"
    by_ref: dict[str, list[Recorded]] = {}
    for item in changes.recorded:
        by_ref.setdefault(item.request.ref, []).append(item)
    lines = []
    for ref, items in by_ref.items():
        kpi = "the KPI " if items[0].action == "kpi" else ""
        what = ", ".join(_recorded_what(item) for item in items)
        lines.append(
            (
                ref,
                f"{verb} {what} for {kpi}{ref} in {items[0].path}; {_recorded_effect(items[-1])}\n",
            )
        )
    return lines


def changes_json(changes: Changes, commit: str | None) -> str:
    """One document: each check-in with its effect, each file's diff, the commit."""
    document = {
        "written": changes.written,
        "commit": commit,
        "checkins": [
            {
                "ref": item.request.ref,
                "path": item.path,
                "action": item.action,
                "date": None if item.request.flag else item.request.date.isoformat(),
                "value": None if item.request.value is None else _number(item.request.value),
                "confidence": (
                    None if item.request.confidence is None else float(item.request.confidence)
                ),
                "note": item.request.note,
                "milestone": item.request.milestone,
                "done": True if item.request.flag else None,
                "score": None if item.score is None else [_rounded(s) for s in item.score],
                "band": None if item.band is None else list(item.band),
                "moved": [
                    {"ref": m.ref, "score": [round(m.score_before, 2), round(m.score_after, 2)]}
                    for m in item.moved
                ],
            }
            for item in changes.recorded
        ],
        "files": [{"path": path, "diff": diff} for path, diff in changes.diffs.items()],
    }
    return json.dumps(document, ensure_ascii=False) + "\n"


def commit_message(lines: Sequence[tuple[str, str]]) -> str:
    """`itokr checkin: uptime, p95 (+3 more)` and, below, what each recorded."""
    refs = list(dict.fromkeys(ref for ref, _ in lines))
    subject = "itokr checkin: "
    shown: list[str] = []
    for ref in refs:
        rest = len(refs) - len(shown) - 1
        more = f" (+{rest} more)" if rest else ""
        if shown and len(subject + ", ".join([*shown, ref]) + more) > 72:
            break
        shown.append(ref)
    hidden = len(refs) - len(shown)
    subject += ", ".join(shown) + (f" (+{hidden} more)" if hidden else "")
    body = "".join(f"- {line}" for _, line in lines)
    return f"{subject}\n\n{body}"
