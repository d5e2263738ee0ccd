"""`itokr measure`: key results and KPIs that read their own numbers from their `source:`.

The run has three steps. Plan: every source-backed key result and KPI (or the
refs asked for) gets one reading per date, dates outside a key result's period
left out (a KPI has none: every date counts), and a date that already has a
check-in kept as it is (a person's number wins). Read: the readings are taken
concurrently, a bounded pool of threads; a source that fails is a finding for that
key result or KPI, which then gets nothing. Write: the numbers go through
`checkin.record_checkins`, the verified, locked, atomic path of `itokr checkin`,
once per file; a KPI's reading moves every key result that tracks it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from itokr import yamlio
from itokr.checkin import FileChange, record_checkins
from itokr.checkin_args import Request
from itokr.crosscheck import Entry
from itokr.errors import ItokrError, UsageError
from itokr.findings import Finding
from itokr.inert import terminal
from itokr.kpis import KpiEntry
from itokr.loader import Tree, load_documents, read_root
from itokr.model.checkins import Checkin
from itokr.model.keyresults import Metric, Threshold
from itokr.model.sources import SourceRef
from itokr.periods import Period
from itokr.refs import resolve, unknown_id
from itokr.rootfiles import Document
from itokr.sources import CODES as SOURCE_CODES
from itokr.sources import Reader, SourceFailure
from itokr.sources.numbers import as_text

WORKERS = 8  # readings in flight at once: quick for a run, gentle on a monitoring server
CODES = SOURCE_CODES | {"E610": "a file could not be edited in place; nothing written to it"}


@dataclass(frozen=True, slots=True)
class Target:
    """A source-backed key result or KPI: where it is, and what it reads."""

    ref: str  # OBJECTIVE_ID/KR_ID, or a KPI's id
    path: str
    loc: tuple[str | int, ...]  # where its `source:` is in the file, for findings
    period: Period | None  # the days it is measured on; None: every day (a KPI)
    checkins: tuple[Checkin, ...]  # those in the file, whatever their date
    source: SourceRef


@dataclass(frozen=True, slots=True)
class Reading:
    """One number read for a key result on a day, or why none could be."""

    target: Target
    day: dt.date
    value: float | None
    failure: SourceFailure | None = None

    @property
    def text(self) -> str:
        """The number as the check-in writes it."""
        return "" if self.value is None else as_text(self.value)


@dataclass(frozen=True, slots=True)
class Problem:
    """A finding of the run, with what it is about (the day is None for the whole run)."""

    finding: Finding
    ref: str
    source: str
    day: dt.date | None


@dataclass(frozen=True)
class Outcome:
    """What a run measured, recorded, kept and could not do."""

    as_of: dt.date
    dates: tuple[dt.date, ...]
    dry_run: bool
    targets: int  # source-backed key results chosen
    recorded: tuple[Reading, ...]
    kept: tuple[tuple[str, dt.date], ...]  # (ref, day): a check-in on that day was there
    outside: tuple[str, ...]  # refs with none of the dates inside their period
    problems: tuple[Problem, ...]
    files: tuple[FileChange, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def dates(as_of: dt.date, since: dt.date | None, every: int) -> tuple[dt.date, ...]:
    """`since`, `since` + `every` days, ... up to `as_of`, and `as_of` itself."""
    if since is None:
        return (as_of,)
    steps = (as_of - since).days // every
    days = [since + dt.timedelta(days=every * step) for step in range(steps + 1)]
    return tuple(dict.fromkeys([*days, as_of]))


def targets(tree: Tree, refs: Sequence[str]) -> list[Target]:
    """The source-backed key results and KPIs of the root, or of `refs`: an objective
    (its key results), a key result, or a KPI; a key result that tracks a KPI is
    measured through that KPI. `UsageError` for a ref that names nothing, or nothing
    with a `source:`."""
    chosen: dict[str, Target] = {}
    kpis = {entry.id: entry for entry in reversed(tree.kpis)}  # the first one wins
    if not refs:
        for entry in tree.entries:
            chosen.update((t.ref, t) for t in _of(entry))
        chosen.update((t.ref, t) for t in map(_of_kpi, tree.kpis) if t is not None)
        return list(chosen.values())
    for ref in refs:
        chosen.update((t.ref, t) for t in _of_ref(tree, kpis, ref))
    return list(chosen.values())


def _of_ref(tree: Tree, kpis: Mapping[str, KpiEntry], ref: str) -> list[Target]:
    if "/" not in ref and ref in kpis:
        found = [t for t in [_of_kpi(kpis[ref])] if t is not None]
        what = f"KPI {ref} has no `source:`"
    elif "/" not in ref and all(entry.id != ref for entry in tree.entries):
        raise unknown_id(ref, [entry.id for entry in tree.entries], list(kpis))
    else:
        entry, key_result = resolve(tree.entries, ref)
        found = [t for t in _of(entry) if key_result is None or t.ref == ref]
        tracked = sorted(
            {
                kr.kpi
                for kr in (entry.objective.key_results if key_result is None else [key_result])
                if isinstance(kr, Metric | Threshold) and kr.kpi is not None
            }
        )
        found += [t for t in (_of_kpi(kpis[k]) for k in tracked if k in kpis) if t is not None]
        if key_result is None:
            what = f"objective {ref} has no key result with a `source:`"
        elif tracked:
            what = f"{ref} tracks the KPI {tracked[0]}, which has no `source:`"
        else:
            what = f"{ref} has no `source:`"
    if not found:
        raise UsageError(
            f'{what} to measure: add one (README: "Key results that measure themselves"), '
            "or record the number with `itokr checkin`"
        )
    return found


def _of(entry: Entry) -> list[Target]:
    return [
        Target(
            f"{entry.id}/{kr.id}",
            entry.path,
            ("objectives", entry.index, "key_results", number, "source"),
            entry.period,
            tuple(kr.checkins or ()),
            kr.source,
        )
        for number, kr in enumerate(entry.objective.key_results)
        if isinstance(kr, Metric | Threshold) and kr.source is not None
    ]


def _of_kpi(entry: KpiEntry) -> Target | None:
    """A KPI with a `source:`: no period, so every day is measured."""
    kpi = entry.kpi
    if kpi.source is None:
        return None
    loc = ("kpis", entry.index, "source")
    return Target(kpi.id, entry.path, loc, None, tuple(kpi.checkins or ()), kpi.source)


def measure(
    root: Path,
    cwd: Path,
    *,
    refs: Sequence[str],
    days: Sequence[dt.date],
    env: Mapping[str, str],
    now: dt.datetime,
    dry_run: bool = False,
) -> Outcome:
    """Measure the source-backed key results of `root` on each of `days` and record the
    numbers (not with `dry_run`). `env` expands `${VAR}` and runs commands; `now`
    (UTC) is when the run happens."""
    config, documents = read_root(root, cwd)
    tree = load_documents(documents, config)
    if not tree.ok:
        count = len(tree.findings)
        raise ItokrError(
            f"refusing to measure while the OKR root has {count} problem"
            f"{'s' if count != 1 else ''}: run `itokr validate`"
        )
    chosen = targets(tree, refs)
    wanted, kept, outside = _plan(chosen, days)
    reader = Reader(tree.config.sources, env=env, base=root, now=now, connections=WORKERS)
    with reader, reader.guard():
        readings = _read(reader, wanted)
        recorded, late, failed, files = _record(readings, root, cwd, dry_run=dry_run)
    failed += [(r.target, r.day, r.failure) for r in readings if r.failure is not None]
    return Outcome(
        as_of=days[-1],
        dates=tuple(days),
        dry_run=dry_run,
        targets=len(chosen),
        recorded=tuple(sorted(recorded, key=lambda r: (r.target.ref, r.day))),
        kept=tuple(sorted(kept + late)),
        outside=tuple(outside),
        problems=tuple(_findings(failed, documents, files)),
        files=files,
    )


def _record(
    readings: Sequence[Reading], root: Path, cwd: Path, *, dry_run: bool
) -> tuple[
    list[Reading],
    list[tuple[str, dt.date]],
    list[tuple[Target, dt.date, SourceFailure]],
    tuple[FileChange, ...],
]:
    """Write the numbers read: (recorded, kept after all, failed to write, files)."""
    numbers = {(r.target.ref, r.day): r for r in readings if r.value is not None}
    if not numbers:
        return [], [], [], ()
    requests = [
        Request(
            ref,
            reading.text,
            day,
            confidence=None,
            note=None,
            milestone=None,
            done=False,
            undo=False,
            as_of=day,
            by=reading.target.source.from_,
        )
        for (ref, day), reading in numbers.items()
    ]
    batch = record_checkins(requests, root, cwd, dry_run=dry_run)
    recorded, failed = [], []
    for change in batch.files:
        for request in change.requests:
            reading = numbers[(request.ref, request.date)]
            if change.error is None:
                recorded.append(reading)
            else:
                failed.append((reading.target, reading.day, SourceFailure("E610", change.error)))
    return recorded, [(r.ref, r.date) for r in batch.kept], failed, batch.files


def _plan(
    chosen: Sequence[Target], days: Sequence[dt.date]
) -> tuple[list[tuple[Target, dt.date]], list[tuple[str, dt.date]], list[str]]:
    """(target, day) to read; (ref, day) kept as checked in; refs with no day in period."""
    wanted, kept, outside = [], [], []
    for target in chosen:
        period = target.period
        inside = [day for day in days if period is None or period.contains(day)]
        if not inside:
            outside.append(target.ref)
        checked = {checkin.date for checkin in target.checkins}
        for day in inside:
            if day in checked:
                kept.append((target.ref, day))
            else:
                wanted.append((target, day))
    return wanted, kept, outside


def _read(reader: Reader, wanted: Sequence[tuple[Target, dt.date]]) -> list[Reading]:
    """Every reading, `WORKERS` at a time; a source whose `${VAR}` is unset is told once
    per key result, not once per day."""
    readings: list[Reading] = []
    ready: list[tuple[Target, dt.date]] = []
    unset: set[str] = set()
    for target, day in wanted:
        try:
            reader.prepare(target.source.from_)
            ready.append((target, day))
        except SourceFailure as failure:
            if target.ref not in unset:
                unset.add(target.ref)
                readings.append(Reading(target, day, None, failure))
    pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="itokr-measure")
    try:
        futures = [pool.submit(_one, reader, target, day) for target, day in ready]
        readings += [future.result() for future in futures]
    except BaseException:  # Ctrl-C: start nothing more; what runs ends at its timeout
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()
    return readings


def _one(reader: Reader, target: Target, day: dt.date) -> Reading:
    try:
        return Reading(target, day, reader.read(target.source.from_, target.source, day))
    except SourceFailure as failure:
        return Reading(target, day, None, failure)


def _findings(
    problems: Sequence[tuple[Target, dt.date, SourceFailure]],
    documents: Sequence[Document],
    files: Sequence[FileChange],
) -> list[Problem]:
    """Each failure at its key result's `source:` in the file as the run leaves it, in
    file order, then by date."""
    data = {document.path: document.data for document in documents}
    data |= {change.path: change.data for change in files if change.data is not None}
    by_path: dict[str, list[tuple[Target, dt.date, SourceFailure]]] = {}
    for item in problems:
        by_path.setdefault(item[0].path, []).append(item)
    found = []
    for path, items in by_path.items():
        spots = yamlio.locate_all(data[path] or b"", [(target.loc, True) for target, _, _ in items])
        for (target, day, failure), spot in zip(items, spots, strict=True):
            name = target.source.from_
            when = None if failure.code == "E609" else day  # unset all run long
            on = f" on {when}" if when else ""
            # what a source said (an HTTP reason, a command's stderr) is anyone's text
            message = terminal(f"{target.ref}{on}: source {name}: {failure.message}")
            finding = Finding(path, spot.line, spot.col, failure.code, message)
            found.append(Problem(finding, target.ref, name, when))
    return sorted(found, key=lambda problem: problem.finding)
