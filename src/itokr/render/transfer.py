"""What `itokr import` and `itokr export` tell the user: summaries, files, findings."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from itokr.findings import Finding
from itokr.transfer.configedit import entry
from itokr.transfer.exporting import Export
from itokr.transfer.newfiles import NewFile, Plan


@dataclass(frozen=True)
class Outcome:
    """An import as it ended: the plan, where its files go, and whether they were written."""

    source: str
    label: str
    plan: Plan
    paths: Sequence[str]  # each new file as the user would type its path
    config: str  # itokr.yaml, as the user would type its path
    written: bool
    findings: Sequence[Finding] = ()

    @property
    def files(self) -> list[tuple[str, NewFile]]:
        return list(zip(self.paths, self.plan.files, strict=True))


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _totals(files: Sequence[NewFile]) -> str:
    kpis = sum(f.kpis for f in files)
    return ", ".join(
        (
            _count(sum(f.objectives for f in files), "objective"),
            _count(sum(f.key_results for f in files), "key result"),
            *([_count(kpis, "KPI")] if kpis else []),
            _count(sum(f.checkins for f in files), "check-in"),
        )
    )


def export_summary(
    shown: str,
    export: Export,
    day: dt.date,
    *,
    checkins: str | None,
    kpis: str | None,
    csv: bool,
) -> str:
    """What `export` wrote to `shown`, as of `day`; for `csv`, what had no --checkins
    or --kpis file to go to."""
    counts = [_count(export.objectives, "objective"), _count(len(export.rows), "key result")]
    counts += [_count(len(export.kpis), "KPI")] if export.kpis else []
    written = _count(len(export.checkins), "check-in")
    also = [f"check-ins in {checkins}"] if checkins else []
    also += [f"KPIs in {kpis}"] if kpis else []
    where = f" ({', '.join(also)})" if also else ""
    lines = [f"Wrote {shown}: {', '.join(counts)}, {written} as of {day}{where}."]
    if export.left_out:
        verb = "is" if export.left_out == 1 else "are"
        lines.append(f"{_count(export.left_out, 'check-in')} dated after {day} {verb} left out.")
    if csv and checkins is None and export.checkins:
        lines.append(f"{written} not written: add --checkins FILE.")
    if csv and kpis is None and export.kpis:
        lines.append(f"{_count(len(export.kpis), 'KPI')} not written: add --kpis FILE.")
    return "\n".join(lines) + "\n"


def summary(outcome: Outcome) -> str:
    """The files written (or that would be), the periods defined, and what was left out."""
    files = outcome.plan.files
    verb = "Wrote" if outcome.written else "Would write"
    lines = [
        f"{verb} {_count(len(files), 'file')} from {outcome.source} ({outcome.label}): "
        f"{_totals(files)}."
    ]
    lines += [f"  {path}: {_totals([item])}" for path, item in outcome.files]
    if outcome.plan.periods:
        verb = "Defined" if outcome.written else "Would define"
        lines.append(f"{verb} in {outcome.config}:")
        lines += [f"  {entry(name, *dates)}" for name, dates in outcome.plan.periods.items()]
    if outcome.plan.notes:
        lines.append("Left out or changed:")
        lines += [f"  {note}" for note in outcome.plan.notes]
    if outcome.written:
        lines.append("Review them (owners, units, targets), then: itokr validate && itokr smart")
    return "\n".join(lines) + "\n"


def files_text(outcome: Outcome) -> str:
    """The new files, each under a `# ==> path <==` line (`--dry-run`)."""
    return "".join(f"# ==> {path} <==\n{item.text}" for path, item in outcome.files)


def findings_text(findings: Sequence[Finding], why: str) -> str:
    lines = [f"{f.path}:{f.line}:{f.col}: {f.code} {f.message}" for f in findings]
    lines.append(f"Nothing written: {_count(len(findings), 'problem')} {why}.")
    return "\n".join(lines) + "\n"


def as_json(outcome: Outcome, *, dry_run: bool) -> str:
    periods: Mapping[str, object] = {
        name: {"start": start.isoformat(), "end": end.isoformat()}
        for name, (start, end) in outcome.plan.periods.items()
    }
    document = {
        "ok": not outcome.findings,
        "source": outcome.source,
        "from": outcome.label,
        "written": outcome.written,
        "files": [
            {
                "path": path,
                "objectives": item.objectives,
                "key_results": item.key_results,
                "kpis": item.kpis,
                "checkins": item.checkins,
                "text": item.text if dry_run else None,
            }
            for path, item in outcome.files
        ],
        "periods": periods,
        "notes": list(outcome.plan.notes),
        "errors": [finding.as_dict() for finding in outcome.findings],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
