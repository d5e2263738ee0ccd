"""What `itokr measure` says: lines for people and CI logs, one JSON document, or
GitHub annotations at each failing key result's `source:`."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from itokr.render.plain import iso
from itokr.render.workflow import annotation
from itokr.wording import plural

if TYPE_CHECKING:
    from itokr.measure import Outcome


def _lines(outcome: Outcome) -> list[str]:
    """What was recorded (or would be) and kept, then one summary line."""
    verb = "would record" if outcome.dry_run else "recorded"
    lines = [
        f"{verb} {r.text} for {r.target.ref} on {r.day} "
        f"(by {r.target.source.from_}) in {r.target.path}"
        for r in outcome.recorded
    ]
    lines += [
        f"kept {ref} on {day}: a check-in of that day is there already" for ref, day in outcome.kept
    ]
    return [*lines, summary(outcome)]


def summary(outcome: Outcome) -> str:
    if not outcome.targets:
        return "no key result or KPI has a `source:`: nothing to measure"
    files = len({r.target.path for r in outcome.recorded})
    verb = "would be recorded" if outcome.dry_run else "recorded"
    parts = [f"{plural(len(outcome.recorded), 'reading')} {verb} in {plural(files, 'file')}"]
    if outcome.kept:
        parts.append(f"{len(outcome.kept)} kept (checked in already)")
    if outcome.problems:
        parts.append(f"{len(outcome.problems)} failed")
    if outcome.outside:
        parts.append(f"{plural(len(outcome.outside), 'key result')} outside its period")
    days = outcome.dates
    span = f"{days[0]}" if len(days) == 1 else f"{len(days)} days, {days[0]} to {days[-1]}"
    return f"measure {span}: " + ", ".join(parts)


def _finding_lines(outcome: Outcome) -> list[str]:
    return [
        f"{f.path}:{f.line}:{f.col}: {f.code} {f.message}"
        for f in (problem.finding for problem in outcome.problems)
    ]


def text(outcome: Outcome) -> tuple[str, str]:
    """(stdout, stderr): the report, failures on stderr; a dry run's diff on stdout."""
    findings = "".join(line + "\n" for line in _finding_lines(outcome))
    report = "".join(line + "\n" for line in _lines(outcome))
    if outcome.dry_run:
        diff = "".join(change.diff for change in outcome.files)
        return diff, findings + "dry run, nothing written:\n" + report
    return report, findings


def github(outcome: Outcome) -> str:
    """An `::error` annotation per failure, then the report lines, all for the job log."""
    errors = "".join(
        annotation(
            "error",
            f"{f.code} {f.message}",
            file=f.path,
            line=f.line,
            col=f.col,
            title="itokr measure",
        )
        for f in (problem.finding for problem in outcome.problems)
    )
    return errors + "".join(line + "\n" for line in _lines(outcome))


def as_json(outcome: Outcome) -> str:
    written = {change.path: change.written for change in outcome.files}
    document: dict[str, Any] = {
        "as_of": iso(outcome.as_of),
        "dates": [iso(day) for day in outcome.dates],
        "dry_run": outcome.dry_run,
        "ok": outcome.ok,
        "checkins": [
            {
                "ref": r.target.ref,
                "date": iso(r.day),
                "value": json.loads(r.text),
                "by": r.target.source.from_,
                "path": r.target.path,
                "written": written.get(r.target.path, False),
            }
            for r in outcome.recorded
        ],
        "kept": [{"ref": ref, "date": iso(day)} for ref, day in outcome.kept],
        "outside_period": list(outcome.outside),
        "errors": [
            problem.finding.as_dict()
            | {"ref": problem.ref, "source": problem.source, "date": iso(problem.day)}
            for problem in outcome.problems
        ],
        "files": [
            {"path": change.path, "written": change.written, "diff": change.diff}
            for change in outcome.files
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
