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
import difflib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from itokr import answers, dates, roundtrip, yamlio
from itokr.crosscheck import Entry
from itokr.errors import ItokrError, UsageError
from itokr.kpis import KpiEntry, score_kpi
from itokr.loader import (
    Document,
    FileLoads,
    Tree,
    display_path,
    load_documents,
    objective_files,
    read_root,
)
from itokr.model import AnyKeyResult, Binary, Checkin, Metric, MilestoneKR, Threshold
from itokr.refs import resolve
from itokr.safewrite import LOCK_TIMEOUT, replace_file, root_lock
from itokr.scoring import score_key_result

if TYPE_CHECKING:  # the walk's types: a plain check-in need not import the walk
    from itokr.ritual import Answer, Stop


@dataclass(frozen=True, slots=True)
class Request:
    """What the user asked for, its syntax already checked."""

    ref: str
    value: str | None
    date: dt.date
    confidence: str | None
    note: str | None
    milestone: str | None
    done: bool
    undo: bool
    as_of: dt.date
    by: str | None = None  # who measured it: `itokr measure` names its source

    @property
    def flag(self) -> str | None:
        """`--milestone` or `--done` when the request marks something done."""
        return "--milestone" if self.milestone is not None else "--done" if self.done else None


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


# How make_request names each part of a check-in in its messages: the command's
# arguments, unless the caller (a batch file) says otherwise.
OPTIONS = {
    "value": "VALUE",
    "date": "--date",
    "confidence": "--confidence",
    "note": "--note",
    "update": "record a status update with --confidence C and/or --note TEXT",
    "mark": "mark it with {flag}",
}
BATCH_NAMES = {
    "value": "value",
    "date": "date",
    "confidence": "confidence",
    "note": "note",
    "update": "leave the value empty and give a confidence and/or a note: a status update",
    "mark": "mark it with `itokr checkin {ref} {flag}`",
}
_NEGATIVE = " (a negative one after --, as in `itokr checkin REF -- -3`)"


def checkin_date(date: str | None, as_of: dt.date, name: str = "--date") -> dt.date:
    """The day a check-in is dated: `date`, else `as_of`; never after `as_of`."""
    day = dates.parse(date, name) if date is not None else as_of
    if day > as_of:
        raise UsageError(
            f"{name} {day} is after {as_of} (--as-of, default today): "
            "a check-in records what was measured"
        )
    return day


def _is_utf8(argument: str) -> bool:
    """False for an argument Python could not decode: its bytes are kept as surrogates."""
    try:
        argument.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def make_request(
    ref: str,
    value: str | None,
    *,
    date: str | None,
    confidence: str | None,
    note: str | None,
    milestone: str | None,
    done: bool,
    undo: bool,
    as_of: dt.date,
    names: Mapping[str, str] = OPTIONS,
) -> Request:
    """Check what can be checked without the root; `UsageError` (exit 2) otherwise.
    `names` are what the messages call the value, date, confidence and note."""
    for name, given in (("REF", ref), ("--note", note), ("--milestone", milestone)):
        if given is not None and not _is_utf8(given):
            raise UsageError(
                f"{name} is not UTF-8 text (the terminal sent other bytes): "
                "set a UTF-8 locale, or retype it"
            )
    objective_id, slash, kr_id = ref.partition("/")
    if not objective_id or (slash and (not kr_id or "/" in kr_id)):
        raise UsageError(
            f"REF {ref!r}: name a key result as OBJECTIVE_ID/KR_ID, or a KPI by its id"
        )
    if not slash and (milestone is not None or done):
        raise UsageError(
            f"REF {ref!r}: --milestone and --done mark a key result, named OBJECTIVE_ID/KR_ID "
            "(a KPI takes a VALUE)"
        )
    if milestone is not None and done:
        raise UsageError("--milestone and --done exclude each other: give one")
    if undo and milestone is None and not done:
        raise UsageError("--undo reverses --milestone TITLE or --done: give one of them")
    flag = "--milestone" if milestone is not None else "--done" if done else None
    if flag and value is not None:
        raise UsageError(f"{flag} takes no VALUE: it marks done, and records no check-in")
    extra = [
        name
        for name, given in (("--date", date), ("--confidence", confidence), ("--note", note))
        if given is not None
    ]
    if flag and extra:
        raise UsageError(f"{', '.join(extra)} describe a check-in; {flag} records none")
    try:
        value = None if value is None else answers.number(value, names["value"])
        note = None if note is None else answers.note(note, names["note"])
        if confidence is not None:
            confidence = answers.confidence(confidence, names["confidence"])
    except answers.Invalid as error:
        hint = _NEGATIVE if names is OPTIONS and "not a number" in str(error) else ""
        raise UsageError(f"{error}{hint}") from None
    day = checkin_date(date, as_of, names["date"])
    return Request(ref, value, day, confidence, note, milestone, done, undo, as_of)


@dataclass(frozen=True)
class _Root:
    documents: list[Document]
    config: Document | None
    files: dict[str, Path]  # shown path -> real path
    # what each load made of each file: verifying an edit reads the edited file alone,
    # then checks the root across files again (ids, alignment, KPIs) with it
    loads: FileLoads = field(default_factory=dict)

    @classmethod
    def read(cls, root: Path, cwd: Path) -> _Root:
        config, documents = read_root(root, cwd)
        files = {display_path(path, cwd): path for path in objective_files(root)}
        return cls(documents, config, files)

    def load(self, *replaced: Document) -> Tree:
        """The root, with `replaced` documents in place of those of their paths."""
        new = {doc.path: doc for doc in replaced}
        documents = [new.get(doc.path, doc) for doc in self.documents]
        return load_documents(documents, self.config, loads=self.loads)


def record(
    request: Request,
    root: Path,
    cwd: Path,
    *,
    dry_run: bool = False,
    lock_timeout: float = LOCK_TIMEOUT,
) -> Outcome:
    """Do the check-in `request` asks for in the root, or say why not."""
    return _locked(root, cwd, dry_run, lock_timeout, partial(_record, request, dry_run=dry_run))


_Done = TypeVar("_Done")


def _locked(
    root: Path, cwd: Path, dry_run: bool, timeout: float, work: Callable[[_Root], _Done]
) -> _Done:
    """`work` on the root as read under the lock (a dry run, which writes nothing, takes
    none), so a check-in made meanwhile is seen and none is lost."""
    if dry_run:
        return work(_Root.read(root, cwd))
    with root_lock(root, timeout):
        return work(_Root.read(root, cwd))


def _record(request: Request, files: _Root, *, dry_run: bool) -> Outcome:
    tree = files.load()
    if "/" not in request.ref:
        return _record_kpi(request, files, tree, dry_run=dry_run)
    try:
        entry, kr = resolve(tree.entries, request.ref)
    except UsageError as error:
        if tree.ok:
            raise
        raise UsageError(
            f"{error}; the root has {_problems(tree)}, so an objective may be missing: "
            "run `itokr validate`"
        ) from None
    assert kr is not None
    milestone = _check_fit(request, kr, entry)
    original, expected = _to_edit(files, tree, entry.path)
    target = roundtrip.expected_data(expected, entry.index, kr.id)
    try:
        source = roundtrip.Source.decode(original)
        body, replaced, changed = _splice(request, kr, milestone, entry.index, source, target)
    except roundtrip.EditError as error:
        raise ItokrError(
            f"{entry.path}: cannot edit this file in place ({error}); nothing written"
        ) from None
    new_data = source.encode(body)
    after = _verify(files, [(Document(entry.path, new_data), expected)], request.ref)
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
        diff=_diff(entry.path, original, new_data) if changed else "",
        score_before=before_score,
        score_after=score_key_result(new_entry, new_kr, after.config, request.as_of).score,
    )


def _splice(
    request: Request,
    kr: AnyKeyResult,
    milestone: int | None,
    index: int,
    source: roundtrip.Source,
    target: dict[str, Any],
) -> tuple[str, str | None, bool]:
    """Splice what `request` asks of the key result `kr` (of the file's objective number
    `index`) into `source`, and say in `target` (its plain data) what the file must read
    back as. The new text, the `current:` value a check-in replaced, whether anything
    changed (marking done what is done already changes nothing)."""
    if request.flag is None:  # a check-in: a value, or a status update
        body, replaced = _add(
            request,
            target,
            lambda new, at: roundtrip.add_checkin(
                source.body, source.newline, index, kr.id, new, at
            ),
        )
        return body, replaced, True
    done = not request.undo
    if isinstance(kr, MilestoneKR) and milestone is not None:
        changed = kr.milestones[milestone].done != done
        target["milestones"][milestone]["done"] = done
    else:
        assert isinstance(kr, Binary)
        changed = kr.done != done
        target["done"] = done
    return roundtrip.set_done(source.body, index, kr.id, milestone, done), None, changed


def _to_edit(files: _Root, tree: Tree, path: str) -> tuple[bytes, Any]:
    """The file to edit, once the whole root is valid: its bytes, and its data, to
    change as the edit must read back."""
    if not tree.ok:
        raise ItokrError(
            f"refusing to write while the OKR root has {_problems(tree)}: run `itokr validate`"
        )
    document = next(doc for doc in files.documents if doc.path == path)
    assert document.data is not None
    return document.data, yamlio.read(document.data)


def _find_kpi(tree: Tree, ref: str) -> KpiEntry:
    """The KPI `ref` names; `UsageError` (exit 2) naming what it could have meant."""
    found = next((entry for entry in tree.kpis if entry.id == ref), None)
    if found is not None:
        return found
    objective = next((entry for entry in tree.entries if entry.id == ref), None)
    if objective is not None:
        refs = ", ".join(f"{ref}/{kr.id}" for kr in objective.objective.key_results)
        raise UsageError(
            f"{ref!r} is an objective: name one of its key results as OBJECTIVE_ID/KR_ID "
            f"({refs}), or a KPI by its id"
        )
    close = difflib.get_close_matches(ref, [entry.id for entry in tree.kpis], n=3, cutoff=0.5)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    problems = f"; the root has {_problems(tree)}: run `itokr validate`" if not tree.ok else ""
    raise UsageError(
        f"unknown KPI {ref!r}{hint}{problems} (a key result is named OBJECTIVE_ID/KR_ID)"
    )


def _record_kpi(request: Request, files: _Root, tree: Tree, *, dry_run: bool) -> Outcome:
    """A KPI reading: one check-in in the KPI's file; every key result tracking it moves."""
    kpi_entry = _find_kpi(tree, request.ref)
    if request.value is None:
        raise UsageError(
            f"{request.ref} is a KPI: give the VALUE read, as in itokr checkin {request.ref} 4.2"
        )
    original, expected = _to_edit(files, tree, kpi_entry.path)
    try:
        source = roundtrip.Source.decode(original)
        target = roundtrip.expected_kpi(expected, kpi_entry.index)
        body, _ = _add(request, target, _kpi_splice(source, kpi_entry.index))
    except roundtrip.EditError as error:
        raise ItokrError(
            f"{kpi_entry.path}: cannot edit this file in place ({error}); nothing written"
        ) from None
    new_data = source.encode(body)
    after = _verify(files, [(Document(kpi_entry.path, new_data), expected)], request.ref)
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
        diff=_diff(kpi_entry.path, original, new_data),
        score_before=None,
        score_after=None,
        band=(_band(kpi_entry, tree, request.as_of), _band(new_kpi, after, request.as_of)),
        moved=_moved(request, tree, after),
    )


def _kpi_splice(
    source: roundtrip.Source, index: int
) -> Callable[[roundtrip.NewCheckin, int], tuple[str, str | None]]:
    """The splice of a reading into the KPI number `index` of `source`, as `_add` takes it."""

    def splice(new: roundtrip.NewCheckin, at: int) -> tuple[str, str | None]:
        return roundtrip.add_kpi_checkin(source.body, source.newline, index, new, at), None

    return splice


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
    return _locked(root, cwd, dry_run, lock_timeout, work)


def _record_checkins(requests: Sequence[Request], files: _Root, *, dry_run: bool) -> Batch:
    tree = _valid(files)
    kpis = {entry.id: entry for entry in tree.kpis}
    by_path: dict[str, list[_Planned]] = {}
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
) -> tuple[_Planned, Sequence[Checkin] | None]:
    """Where a measured value goes, and the check-ins there; an `ItokrError` when the
    ref no longer names a key result or KPI that takes values of its own."""
    ref = request.ref
    if "/" not in ref and ref in kpis:
        kpi = kpis[ref]
        return _Planned(request, kpi.path, kpi.index, None, None), kpi.kpi.checkins
    try:
        entry, kr = resolve(tree.entries, ref)
    except UsageError:
        kr = None
    if not isinstance(kr, Metric | Threshold) or kr.kpi is not None:
        raise ItokrError(f"{ref} changed while it was measured; nothing written: run again")
    return _Planned(request, entry.path, entry.index, kr, None), kr.checkins


def _write_checkins(
    files: _Root, path: str, items: Sequence[_Planned], dry_run: bool
) -> FileChange:
    """Splice every check-in for one file, verify the result once, write it once."""
    requests = tuple(item.request for item in items)
    try:
        original, new_data, expected = _edit(files, path, items)
        _verify(files, [(Document(path, new_data), expected)], requests[0].ref)
        if not dry_run:
            replace_file(files.files[path], original, new_data)
    except ItokrError as error:
        return FileChange(path, requests, written=False, diff="", error=str(error))
    diff = _diff(path, original, new_data)
    return FileChange(path, requests, not dry_run, diff, data=None if dry_run else new_data)


def checkin_request(
    ref: str,
    value: str | None,
    *,
    date: str | None,
    confidence: str | None,
    note: str | None,
    as_of: dt.date,
    names: Mapping[str, str] = OPTIONS,
) -> Request:
    """`make_request` for a check-in: a value, or a status update; no flag."""
    return make_request(
        ref,
        value,
        date=date,
        confidence=confidence,
        note=note,
        milestone=None,
        done=False,
        undo=False,
        as_of=as_of,
        names=names,
    )


def walk_requests(stop: Stop, answer: Answer, *, date: str | None, as_of: dt.date) -> list[Request]:
    """The requests an answer of the walk makes: a check-in (a value, or a status update
    with its confidence and note), and each milestone or the done flag it marks."""
    check = partial(make_request, stop.ref, date=None, undo=False, as_of=as_of)
    requests = []
    if answer.value is not None or answer.confidence is not None or answer.note is not None:
        requests.append(
            checkin_request(
                stop.ref,
                answer.value,
                date=date,
                confidence=answer.confidence,
                note=answer.note,
                as_of=as_of,
            )
        )
    if answer.milestones:
        kr = stop.key_result
        assert isinstance(kr, MilestoneKR)
        titles = [kr.milestones[index].title for index in answer.milestones]
        requests += [
            check(None, confidence=None, note=None, milestone=title, done=False) for title in titles
        ]
    if answer.done:
        requests.append(check(None, confidence=None, note=None, milestone=None, done=True))
    return requests


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


class Misfits(ItokrError):
    """Requests that do not fit the root, by their place in the batch; nothing written."""

    def __init__(self, problems: Sequence[tuple[int, str]]) -> None:
        super().__init__(f"{len(problems)} check-ins do not fit the OKR files; nothing written")
        self.problems = tuple(problems)


@dataclass(frozen=True, slots=True)
class _Planned:
    request: Request
    path: str
    index: int  # the objective's, or the KPI's, place in its file
    kr: AnyKeyResult | None  # None: a KPI's reading
    milestone: int | None


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
    return _locked(root, cwd, dry_run, lock_timeout, work)


def misfits(
    requests: Sequence[Request], root: Path, cwd: Path, names: Mapping[str, str] = OPTIONS
) -> list[tuple[int, str]]:
    """The requests that do not fit the root as it is now, by their place, with why (to
    name every bad row of a batch at once; `record_changes` checks again, locked)."""
    try:
        _plan(requests, _Root.read(root, cwd).load(), names)
    except Misfits as found:
        return list(found.problems)
    return []


def _valid(files: _Root) -> Tree:
    """The root as loaded, when it is valid: nothing is written to an invalid one."""
    tree = files.load()
    if not tree.ok:
        raise ItokrError(
            f"refusing to write while the OKR root has {_problems(tree)}: run `itokr validate`"
        )
    return tree


def _plan(
    requests: Sequence[Request], tree: Tree, names: Mapping[str, str] = OPTIONS
) -> list[_Planned]:
    """Where each request goes, once every one fits (`Misfits` otherwise)."""
    planned, problems = [], []
    for place, request in enumerate(requests):
        try:
            if "/" not in request.ref:
                kpi = _find_kpi(tree, request.ref)
                if request.value is None:
                    raise UsageError(f"{request.ref} is a KPI: give the value read")
                planned.append(_Planned(request, kpi.path, kpi.index, None, None))
                continue
            entry, kr = resolve(tree.entries, request.ref)
            assert kr is not None
            milestone = _check_fit(request, kr, entry, names)
            planned.append(_Planned(request, entry.path, entry.index, kr, milestone))
        except UsageError as error:
            problems.append((place, str(error)))
    if problems:
        raise Misfits(problems)
    return planned


def _edit(files: _Root, path: str, items: Sequence[_Planned]) -> tuple[bytes, bytes, Any]:
    """Every splice of one file: its bytes before and after, and the data it must hold."""
    original = next(doc.data for doc in files.documents if doc.path == path)
    assert original is not None
    expected = yamlio.read(original)
    source = roundtrip.Source.decode(original)
    body = source.body
    try:
        for item in items:
            edited = roundtrip.Source(body, source.bom, source.newline, source.cr_only)
            if item.kr is None:
                target = roundtrip.expected_kpi(expected, item.index)
                body, _ = _add(item.request, target, _kpi_splice(edited, item.index))
            else:
                target = roundtrip.expected_data(expected, item.index, item.kr.id)
                body, _, _ = _splice(
                    item.request, item.kr, item.milestone, item.index, edited, target
                )
    except roundtrip.EditError as error:
        raise ItokrError(
            f"{path}: cannot edit this file in place ({error}); nothing written"
        ) from None
    return original, source.encode(body), expected


def _record_changes(
    requests: Sequence[Request], files: _Root, *, names: Mapping[str, str], dry_run: bool
) -> Changes:
    tree = _valid(files)
    planned = _plan(requests, tree, names)
    by_path: dict[str, list[_Planned]] = {}
    for item in planned:
        by_path.setdefault(item.path, []).append(item)
    edits = {path: _edit(files, path, items) for path, items in by_path.items()}
    documents = [(Document(path, new), expected) for path, (_, new, expected) in edits.items()]
    what = ", ".join(dict.fromkeys(item.request.ref for item in planned))
    after = _verify(files, documents, what)
    if not dry_run:
        for path, (original, new, _) in edits.items():
            replace_file(files.files[path], original, new)
    return Changes(
        recorded=tuple(_recorded(item, tree, after) for item in planned),
        diffs={path: _diff(path, original, new) for path, (original, new, _) in edits.items()},
        files=tuple(files.files[path] for path in edits),
        written=not dry_run,
    )


def _recorded(item: _Planned, before: Tree, after: Tree) -> Recorded:
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


def _problems(tree: Tree) -> str:
    count = len(tree.findings)
    return f"{count} problem{'s' if count != 1 else ''}"


def _check_fit(
    request: Request, kr: AnyKeyResult, entry: Entry, names: Mapping[str, str] = OPTIONS
) -> int | None:
    """That the request fits the key result's kind and period; the milestone's index,
    if it marks one. `names` are how messages name a check-in's parts."""
    ref = request.ref
    if isinstance(kr, Metric | Threshold) and kr.kpi is not None:
        raise UsageError(
            f"{ref} tracks the KPI {kr.kpi}: its values are that KPI's readings; record one "
            f"with `itokr checkin {kr.kpi} VALUE` (every key result tracking it moves)"
        )
    period = entry.period
    if period is not None and request.flag is None and request.date < period.start:
        raise UsageError(
            f"{names['date']} {request.date} is before {entry.id}'s period {period.label} starts "
            f"({period.start}); a check-in dates progress within the period"
        )
    if isinstance(kr, Metric | Threshold):
        if request.flag:
            raise UsageError(
                f"{ref} is a {kr.kind} key result: {request.flag} is for milestone and "
                f"done/not-done ones; record a value instead: itokr checkin {ref} VALUE"
            )
        if request.value is None:
            raise UsageError(
                f"{ref} is a {kr.kind} key result: give the {names['value']} to record"
            )
        return None
    status = request.flag is None and request.value is None
    if status and (request.confidence is not None or request.note is not None):
        return None  # a status update
    if request.value is not None:
        flag = "--milestone TITLE" if kr.kind == "milestone" else "--done"
        raise UsageError(
            f"{ref} is a {kr.kind} key result: it takes no {names['value']} (its "
            f"{'milestones say' if kr.kind == 'milestone' else '`done` says'} how far it is); "
            f"{names['mark'].format(ref=ref, flag=flag)}, or {names['update']}"
        )
    update = f"or {names['update']}"
    if isinstance(kr, Binary):
        if not request.done:
            raise UsageError(
                f"{ref} is a done/not-done key result: mark it with --done "
                f"(--done --undo reverses it), {update}; it takes no VALUE"
            )
        return None
    titles = [milestone.title for milestone in kr.milestones]
    listed = "; ".join(titles)
    if request.milestone is None:
        raise UsageError(
            f"{ref} is a milestone key result: mark one with --milestone TITLE, {update}; "
            f"its milestones: {listed}"
        )
    matches = [i for i, title in enumerate(titles) if title == request.milestone] or [
        i for i, title in enumerate(titles) if title.casefold() == request.milestone.casefold()
    ]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise UsageError(f"{ref} has {len(matches)} milestones titled {request.milestone!r}")
    close = difflib.get_close_matches(request.milestone, titles, n=1, cutoff=0.5)
    hint = f"did you mean {close[0]!r}? " if close else ""
    raise UsageError(
        f"{ref} has no milestone {request.milestone!r}: {hint}its milestones: {listed}"
    )


def _add(
    request: Request,
    target: dict[str, Any],
    splice: Callable[[roundtrip.NewCheckin, int], tuple[str, str | None]],
) -> tuple[str, str | None]:
    """Splice the new check-in (a value, or a status update without one) after those
    of its date or before, and say in `target` (the holder's plain data) what the
    file must read back as."""
    new = roundtrip.NewCheckin(
        str(request.date), request.value, request.confidence, request.note, request.by
    )
    written = list(target.get("checkins") or [])
    # counted in `target`, which also holds the check-ins a batch added before this one
    # (dates as the reader gives them: YYYY-MM-DD text, so text order is date order)
    position = sum(1 for checkin in written if checkin["date"] <= new.date)
    # the value as the reader will give it back: 9007199254740993 stays an exact int
    entry: dict[str, Any] = {"date": new.date}
    if request.value is not None:
        entry["value"] = _as_read(request.value)
    if request.confidence is not None:
        entry["confidence"] = _as_read(request.confidence)
    if request.note is not None:
        entry["note"] = request.note
    if request.by is not None:
        entry["by"] = request.by
    target.pop("current", None)
    written.insert(position, entry)
    target["checkins"] = written
    return splice(new, position)


def _as_read(number: str) -> Any:
    """A number typed on the command line as the YAML reader reads it from the file."""
    return yamlio.read(f"v: {number}\n".encode())["v"]


def _verify(files: _Root, edits: Sequence[tuple[Document, Any]], what: str) -> Tree:
    """Each edited file must hold exactly its intended data, and the root, with all of
    them, stay valid; the root so loaded."""
    for document, expected in edits:
        assert document.data is not None
        try:
            holds = yamlio.read(document.data) == expected
        except yamlio.YamlProblem:
            holds = False
        if not holds:
            raise _unread(document.path, what)
    tree = files.load(*(document for document, _ in edits))
    if not tree.ok:
        raise _unread(tree.findings[0].path, what, f": {tree.findings[0].message}")
    return tree


def _unread(path: str, what: str, why: str = "") -> ItokrError:
    return ItokrError(
        f"{path}: the edit for {what} did not read back as intended{why}; "
        "nothing written (please report this, with the file)"
    )


def _diff(path: str, old: bytes, new: bytes) -> str:
    before = old.decode("utf-8").splitlines(keepends=True)
    after = new.decode("utf-8").splitlines(keepends=True)
    name = path.lstrip("/")
    lines = difflib.unified_diff(before, after, f"a/{name}", f"b/{name}")
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)
