"""`itokr measure`: key results that read their own numbers from their `source:`.

The run has three steps. Plan: every source-backed key result (or the refs
asked for) gets one reading per date, dates outside its period left out, and a
date that already has a check-in kept as it is (a person's number wins). Read:
the readings are taken concurrently, a bounded pool of threads; a source that
fails is a finding for that key result, which then gets nothing. Write: the
numbers go through `checkin.record_checkins`, the verified, locked, atomic path of
`itokr checkin`, once per file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from itokr import yamlio
from itokr.checkin import FileChange, Request, record_checkins
from itokr.crosscheck import Entry
from itokr.errors import ItokrError, UsageError
from itokr.findings import Finding
from itokr.loader import Document, Tree, load_documents, read_root
from itokr.model import Metric, SourceRef, Threshold
from itokr.refs import resolve
from itokr.sources import CODES as SOURCE_CODES
from itokr.sources import Reader, SourceFailure
from itokr.sources.numbers import as_text

WORKERS = 8  # readings in flight at once: quick for a run, gentle on a monitoring server
CODES = SOURCE_CODES | {"E610": "a file could not be edited in place; nothing written to it"}


@dataclass(frozen=True, slots=True)
class Target:
    """A source-backed key result: where it is, and what it reads."""

    ref: str
    entry: Entry
    number: int  # its place in the objective's `key_results`
    key_result: Metric | Threshold
    source: SourceRef

    @property
    def loc(self) -> tuple[str | int, ...]:
        """Where its `source:` is in the file, for findings."""
        return ("objectives", self.entry.index, "key_results", self.number, "source")


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
    """The source-backed key results of the root, or of `refs` (`UsageError` for a ref
    that names nothing, or nothing with a `source:`)."""
    chosen: dict[str, Target] = {}
    if not refs:
        for entry in tree.entries:
            chosen.update((t.ref, t) for t in _of(entry))
        return list(chosen.values())
    for ref in refs:
        entry, key_result = resolve(tree.entries, ref)
        found = [t for t in _of(entry) if key_result is None or t.key_result is key_result]
        if not found:
            what = (
                f"objective {ref} has no key result with a `source:`"
                if key_result is None
                else f"{ref} has no `source:`"
            )
            raise UsageError(
                f'{what} to measure: add one (README: "Key results that measure themselves"), '
                "or record the number with `itokr checkin`"
            )
        chosen.update((t.ref, t) for t in found)
    return list(chosen.values())


def _of(entry: Entry) -> list[Target]:
    return [
        Target(f"{entry.id}/{kr.id}", entry, number, kr, kr.source)
        for number, kr in enumerate(entry.objective.key_results)
        if isinstance(kr, Metric | Threshold) and kr.source is not None
    ]


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
        period = target.entry.period
        inside = [day for day in days if period is None or period.contains(day)]
        if not inside:
            outside.append(target.ref)
        checked = {checkin.date for checkin in target.key_result.checkins or ()}
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
        by_path.setdefault(item[0].entry.path, []).append(item)
    found = []
    for path, items in by_path.items():
        spots = yamlio.locate_all(data[path] or b"", [(target.loc, True) for target, _, _ in items])
        for (target, day, failure), spot in zip(items, spots, strict=True):
            name = target.source.from_
            when = None if failure.code == "E609" else day  # unset all run long
            on = f" on {when}" if when else ""
            message = f"{target.ref}{on}: source {name}: {failure.message}"
            finding = Finding(path, spot.line, spot.col, failure.code, message)
            found.append(Problem(finding, target.ref, name, when))
    return sorted(found, key=lambda problem: problem.finding)
