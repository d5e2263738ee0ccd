"""Record a check-in (or a milestone, or done) in an objective file, safely.

The order is the contract's: arguments are checked first (exit 2), then the
whole root must be valid (exit 1); the edit is a splice (`roundtrip`), read
back and checked to hold exactly the intended data, the root re-validated
with it, and only then written: a temporary file beside the original,
flushed and fsynced, renamed over it. A lock on the root directory makes
concurrent check-ins wait for each other, so none is lost.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from itokr import editsource
from itokr.checkin_args import OPTIONS, Request
from itokr.checkin_plan import Misfits, Planned, check_fit, find_kpi, plan
from itokr.checkin_splice import (
    edit_file,
    expected_data,
    expected_kpi,
    insert_checkin,
    kpi_splice,
    splice_request,
)
from itokr.checkin_verify import (
    Root,
    locked,
    problem_count,
    to_edit,
    unified_diff,
    valid_root,
    verify,
)
from itokr.errors import ItokrError, UsageError
from itokr.kpis import KpiEntry, score_kpi
from itokr.loader import Tree
from itokr.model.checkins import Checkin
from itokr.model.keyresults import Metric, Threshold
from itokr.refs import resolve
from itokr.rootfiles import Document
from itokr.safewrite import LOCK_TIMEOUT, replace_file
from itokr.scoring import score_key_result


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a check-in did (or, with `--dry-run`, would do)."""

    ref: str
    path: str
    action: str  # checkin | status | milestone | done | kpi
    date: dt.date | None
    value: str | None
    milestone: str | None
    done: bool | None
    replaced_current: str | None  # the `current:` value that gave way to `checkins:`
    changed: bool  # False: it already was so, nothing to write
    written: bool
    diff: str
    score_before: float | None  # None for a KPI, which has a band instead
    score_after: float | None
    band: tuple[str | None, str | None] | None = None  # a KPI's, before and after
    moved: tuple[Moved, ...] = ()  # the key results tracking the KPI


@dataclass(frozen=True, slots=True)
class Moved:
    """A key result that tracks the KPI checked in: its score before and after."""

    ref: str
    score_before: float
    score_after: float


def record(
    request: Request,
    root: Path,
    cwd: Path,
    *,
    dry_run: bool = False,
    lock_timeout: float = LOCK_TIMEOUT,
) -> Outcome:
    """Do the check-in `request` asks for in the root, or say why not."""
    return locked(root, cwd, dry_run, lock_timeout, partial(_record, request, dry_run=dry_run))


def _record(request: Request, files: Root, *, dry_run: bool) -> Outcome:
    tree = files.load()
    if "/" not in request.ref:
        return _record_kpi(request, files, tree, dry_run=dry_run)
    try:
        entry, kr = resolve(tree.entries, request.ref)
    except UsageError as error:
        if tree.ok:
            raise
        raise UsageError(
            f"{error}; the root has {problem_count(tree)}, so an objective may be missing: "
            "run `itokr validate`"
        ) from None
    assert kr is not None
    milestone = check_fit(request, kr, entry)
    original, expected = to_edit(files, tree, entry.path)
    target = expected_data(expected, entry.index, kr.id)
    try:
        source = editsource.Source.decode(original)
        body, replaced, changed = splice_request(
            request, kr, milestone, entry.index, source, target
        )
    except editsource.EditError as error:
        raise ItokrError(
            f"{entry.path}: cannot edit this file in place ({error}); nothing written"
        ) from None
    new_data = source.encode(body)
    after = verify(files, [(Document(entry.path, new_data), expected)], request.ref)
    if changed and not dry_run:
        replace_file(files.files[entry.path], original, new_data)
    before_score = score_key_result(entry, kr, tree.config, request.as_of).score
    new_entry, new_kr = resolve(after.entries, request.ref)
    assert new_kr is not None
    return Outcome(
        ref=request.ref,
        path=entry.path,
        action=_action(request, milestone),
        date=request.date if request.flag is None else None,
        value=request.value,
        milestone=request.milestone,
        done=None if request.flag is None else not request.undo,
        replaced_current=replaced,
        changed=changed,
        written=changed and not dry_run,
        diff=unified_diff(entry.path, original, new_data) if changed else "",
        score_before=before_score,
        score_after=score_key_result(new_entry, new_kr, after.config, request.as_of).score,
    )


def _record_kpi(request: Request, files: Root, tree: Tree, *, dry_run: bool) -> Outcome:
    """A KPI reading: one check-in in the KPI's file; every key result tracking it moves."""
    kpi_entry = find_kpi(tree, request.ref)
    if request.value is None:
        raise UsageError(
            f"{request.ref} is a KPI: give the VALUE read, as in itokr checkin {request.ref} 4.2"
        )
    original, expected = to_edit(files, tree, kpi_entry.path)
    try:
        source = editsource.Source.decode(original)
        target = expected_kpi(expected, kpi_entry.index)
        body, _ = insert_checkin(request, target, kpi_splice(source, kpi_entry.index))
    except editsource.EditError as error:
        raise ItokrError(
            f"{kpi_entry.path}: cannot edit this file in place ({error}); nothing written"
        ) from None
    new_data = source.encode(body)
    after = verify(files, [(Document(kpi_entry.path, new_data), expected)], request.ref)
    if not dry_run:
        replace_file(files.files[kpi_entry.path], original, new_data)
    new_kpi = next(entry for entry in after.kpis if entry.id == request.ref)
    return Outcome(
        ref=request.ref,
        path=kpi_entry.path,
        action="kpi",
        date=request.date,
        value=request.value,
        milestone=None,
        done=None,
        replaced_current=None,
        changed=True,
        written=not dry_run,
        diff=unified_diff(kpi_entry.path, original, new_data),
        score_before=None,
        score_after=None,
        band=(_band(kpi_entry, tree, request.as_of), _band(new_kpi, after, request.as_of)),
        moved=_moved(request, tree, after),
    )


def _band(entry: KpiEntry, tree: Tree, as_of: dt.date) -> str | None:
    return score_kpi(entry, tree.config, as_of).band


def _moved(request: Request, before: Tree, after: Tree) -> tuple[Moved, ...]:
    """The key results tracking the KPI, scored before and after the reading."""

    def scores(tree: Tree) -> dict[str, float]:
        return {
            f"{entry.id}/{kr.id}": score_key_result(entry, kr, tree.config, request.as_of).score
            for entry in tree.entries
            for kr in entry.objective.key_results
            if getattr(kr, "kpi", None) == request.ref
        }

    old, new = scores(before), scores(after)
    return tuple(Moved(ref, old[ref], new[ref]) for ref in new if ref in old)


@dataclass(frozen=True, slots=True)
class FileChange:
    """The check-ins a batch made in one file: written together, or not at all."""

    path: str
    requests: tuple[Request, ...]
    written: bool
    diff: str
    error: str | None = None  # why nothing was written to this file
    data: bytes | None = None  # the file's bytes once written (None: not written)


@dataclass(frozen=True, slots=True)
class Batch:
    """What `record_checkins` did, file by file."""

    files: tuple[FileChange, ...]
    kept: tuple[Request, ...]  # a check-in on that date was there already, and stays


def record_checkins(
    requests: Sequence[Request],
    root: Path,
    cwd: Path,
    *,
    dry_run: bool = False,
    lock_timeout: float = LOCK_TIMEOUT,
) -> Batch:
    """Record value check-ins of many key results and KPIs (a KPI's ref is its id): per
    file, one verified, atomic write, by the splices and quoting of `itokr checkin`.

    Under the lock the root is read again, so a check-in made meanwhile is seen: a
    request whose key result or KPI already has a check-in on its date is kept out (the
    one there wins). A file that cannot be edited in place is reported, not written; the
    other files are. While the root is invalid nothing is written (`ItokrError`).
    (`record_changes` is the all-or-nothing writer of people's check-ins.)
    """
    work = partial(_record_checkins, requests, dry_run=dry_run)
    return locked(root, cwd, dry_run, lock_timeout, work)


def _record_checkins(requests: Sequence[Request], files: Root, *, dry_run: bool) -> Batch:
    tree = valid_root(files)
    kpis = {entry.id: entry for entry in tree.kpis}
    by_path: dict[str, list[Planned]] = {}
    kept = []
    for request in requests:
        item, checkins = _measured(tree, kpis, request)
        if any(checkin.date == request.date for checkin in checkins or ()):
            kept.append(request)
        else:
            by_path.setdefault(item.path, []).append(item)
    changes = [_write_checkins(files, path, items, dry_run) for path, items in by_path.items()]
    return Batch(tuple(changes), tuple(kept))


def _measured(
    tree: Tree, kpis: dict[str, KpiEntry], request: Request
) -> tuple[Planned, Sequence[Checkin] | None]:
    """Where a measured value goes, and the check-ins there; an `ItokrError` when the
    ref no longer names a key result or KPI that takes values of its own."""
    ref = request.ref
    if "/" not in ref and ref in kpis:
        kpi = kpis[ref]
        return Planned(request, kpi.path, kpi.index, None, None), kpi.kpi.checkins
    try:
        entry, kr = resolve(tree.entries, ref)
    except UsageError:
        kr = None
    if not isinstance(kr, Metric | Threshold) or kr.kpi is not None:
        raise ItokrError(f"{ref} changed while it was measured; nothing written: run again")
    return Planned(request, entry.path, entry.index, kr, None), kr.checkins


def _write_checkins(files: Root, path: str, items: Sequence[Planned], dry_run: bool) -> FileChange:
    """Splice every check-in for one file, verify the result once, write it once."""
    requests = tuple(item.request for item in items)
    try:
        original, new_data, expected = edit_file(files, path, items)
        verify(files, [(Document(path, new_data), expected)], requests[0].ref)
        if not dry_run:
            replace_file(files.files[path], original, new_data)
    except ItokrError as error:
        return FileChange(path, requests, written=False, diff="", error=str(error))
    diff = unified_diff(path, original, new_data)
    return FileChange(path, requests, not dry_run, diff, data=None if dry_run else new_data)


@dataclass(frozen=True, slots=True)
class Recorded:
    """One request of `record_changes`, as recorded."""

    request: Request
    path: str
    action: str  # checkin | status | milestone | done | kpi
    score: tuple[float, float] | None  # a key result's, before and after
    band: tuple[str | None, str | None] | None = None  # a KPI's, before and after
    moved: tuple[Moved, ...] = ()  # the key results tracking the KPI


@dataclass(frozen=True, slots=True)
class Changes:
    """What `record_changes` did (or, with `dry_run`, would do)."""

    recorded: tuple[Recorded, ...]
    diffs: dict[str, str]  # by file, as shown: its unified diff
    files: tuple[Path, ...]  # the files changed, as on disk
    written: bool


def record_changes(
    requests: Sequence[Request],
    root: Path,
    cwd: Path,
    *,
    dry_run: bool = False,
    lock_timeout: float = LOCK_TIMEOUT,
    names: Mapping[str, str] = OPTIONS,
) -> Changes:
    """Record many check-ins at once (values, KPI readings, status updates, milestones
    and done flags): all or nothing.

    Under the lock, every request is checked against the root as `itokr checkin` checks
    one (`Misfits` lists those that do not fit, and nothing is written); then each file
    gets its splices, each must read back as intended and the root, with all of them,
    validate; only then is each file replaced atomically.
    """
    work = partial(_record_changes, requests, names=names, dry_run=dry_run)
    return locked(root, cwd, dry_run, lock_timeout, work)


def misfits(
    requests: Sequence[Request], root: Path, cwd: Path, names: Mapping[str, str] = OPTIONS
) -> list[tuple[int, str]]:
    """The requests that do not fit the root as it is now, by their place, with why (to
    name every bad row of a batch at once; `record_changes` checks again, locked)."""
    try:
        plan(requests, Root.read(root, cwd).load(), names)
    except Misfits as found:
        return list(found.problems)
    return []


def _record_changes(
    requests: Sequence[Request], files: Root, *, names: Mapping[str, str], dry_run: bool
) -> Changes:
    tree = valid_root(files)
    planned = plan(requests, tree, names)
    by_path: dict[str, list[Planned]] = {}
    for item in planned:
        by_path.setdefault(item.path, []).append(item)
    edits = {path: edit_file(files, path, items) for path, items in by_path.items()}
    documents = [(Document(path, new), expected) for path, (_, new, expected) in edits.items()]
    what = ", ".join(dict.fromkeys(item.request.ref for item in planned))
    after = verify(files, documents, what)
    if not dry_run:
        for path, (original, new, _) in edits.items():
            replace_file(files.files[path], original, new)
    return Changes(
        recorded=tuple(_recorded(item, tree, after) for item in planned),
        diffs={
            path: unified_diff(path, original, new) for path, (original, new, _) in edits.items()
        },
        files=tuple(files.files[path] for path in edits),
        written=bool(edits) and not dry_run,
    )


def _recorded(item: Planned, before: Tree, after: Tree) -> Recorded:
    request = item.request
    if item.kr is None:
        old = next(entry for entry in before.kpis if entry.id == request.ref)
        new = next(entry for entry in after.kpis if entry.id == request.ref)
        bands = (_band(old, before, request.as_of), _band(new, after, request.as_of))
        return Recorded(request, item.path, "kpi", None, bands, _moved(request, before, after))
    scores = []
    for tree in (before, after):
        entry, kr = resolve(tree.entries, request.ref)
        assert kr is not None
        scores.append(score_key_result(entry, kr, tree.config, request.as_of).score)
    action = _action(request, item.milestone)
    return Recorded(request, item.path, action, (scores[0], scores[1]))


def _action(request: Request, milestone: int | None) -> str:
    """checkin (a value), status (a status update), milestone or done."""
    if request.flag is None:
        return "checkin" if request.value is not None else "status"
    return "milestone" if milestone is not None else "done"
