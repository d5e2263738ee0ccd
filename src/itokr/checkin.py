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
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from itokr import answers, roundtrip, yamlio
from itokr.crosscheck import Entry
from itokr.errors import ItokrError, UsageError
from itokr.kpis import KpiEntry, score_kpi
from itokr.loader import Document, Tree, display_path, load_documents, objective_files, read_root
from itokr.model import AnyKeyResult, Binary, Metric, MilestoneKR, Threshold
from itokr.refs import resolve
from itokr.safewrite import LOCK_TIMEOUT, replace_file, root_lock
from itokr.scoring import score_key_result


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
OPTIONS = {"value": "VALUE", "date": "--date", "confidence": "--confidence", "note": "--note"}
_NEGATIVE = " (a negative one after --, as in `itokr checkin REF -- -3`)"


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
        day = answers.date(date, names["date"]) if date is not None else as_of
    except answers.Invalid as error:
        hint = _NEGATIVE if names is OPTIONS and "not a number" in str(error) else ""
        raise UsageError(f"{error}{hint}") from None
    if day > as_of:
        raise UsageError(
            f"{names['date']} {day} is after {as_of} (--as-of, default today): "
            "a check-in records what was measured"
        )
    return Request(ref, value, day, confidence, note, milestone, done, undo, as_of)


@dataclass(frozen=True)
class _Root:
    documents: list[Document]
    config: Document | None
    files: dict[str, Path]  # shown path -> real path

    @classmethod
    def read(cls, root: Path, cwd: Path) -> _Root:
        config, documents = read_root(root, cwd)
        files = {display_path(path, cwd): path for path in objective_files(root)}
        return cls(documents, config, files)

    def load(self, replaced: Document | None = None) -> Tree:
        documents = [
            replaced if replaced is not None and doc.path == replaced.path else doc
            for doc in self.documents
        ]
        return load_documents(documents, self.config)


def record(
    request: Request,
    root: Path,
    cwd: Path,
    *,
    dry_run: bool = False,
    lock_timeout: float = LOCK_TIMEOUT,
) -> Outcome:
    """Do the check-in `request` asks for in the root, or say why not."""
    if dry_run:
        return _record(request, _Root.read(root, cwd), dry_run=True)
    with root_lock(root, lock_timeout):
        return _record(request, _Root.read(root, cwd), dry_run=False)


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
    after = _verify(files, Document(entry.path, new_data), expected, request)
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
        body, _ = _add(
            request,
            target,
            lambda new, at: (
                roundtrip.add_kpi_checkin(source.body, source.newline, kpi_entry.index, new, at),
                None,
            ),
        )
    except roundtrip.EditError as error:
        raise ItokrError(
            f"{kpi_entry.path}: cannot edit this file in place ({error}); nothing written"
        ) from None
    new_data = source.encode(body)
    after = _verify(files, Document(kpi_entry.path, new_data), expected, request)
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


def _action(request: Request, milestone: int | None) -> str:
    """checkin (a value), status (a status update), milestone or done."""
    if request.flag is None:
        return "checkin" if request.value is not None else "status"
    return "milestone" if milestone is not None else "done"


def _problems(tree: Tree) -> str:
    count = len(tree.findings)
    return f"{count} problem{'s' if count != 1 else ''}"


def _check_fit(request: Request, kr: AnyKeyResult, entry: Entry) -> int | None:
    """That the request fits the key result's kind and period; the milestone's index,
    if it marks one."""
    ref = request.ref
    if isinstance(kr, Metric | Threshold) and kr.kpi is not None:
        raise UsageError(
            f"{ref} tracks the KPI {kr.kpi}: its values are that KPI's readings; record one "
            f"with `itokr checkin {kr.kpi} VALUE` (every key result tracking it moves)"
        )
    period = entry.period
    if period is not None and request.flag is None and request.date < period.start:
        raise UsageError(
            f"--date {request.date} is before {entry.id}'s period {period.label} starts "
            f"({period.start}); a check-in dates progress within the period"
        )
    if isinstance(kr, Metric | Threshold):
        if request.flag:
            raise UsageError(
                f"{ref} is a {kr.kind} key result: {request.flag} is for milestone and "
                f"done/not-done ones; record a value instead: itokr checkin {ref} VALUE"
            )
        if request.value is None:
            raise UsageError(f"{ref} is a {kr.kind} key result: give the VALUE to record")
        return None
    status = request.flag is None and request.value is None
    if status and (request.confidence is not None or request.note is not None):
        return None  # a status update
    update = "or record a status update with --confidence C and/or --note TEXT"
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
    new = roundtrip.NewCheckin(str(request.date), request.value, request.confidence, request.note)
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
    target.pop("current", None)
    written.insert(position, entry)
    target["checkins"] = written
    return splice(new, position)


def _as_read(number: str) -> Any:
    """A number typed on the command line as the YAML reader reads it from the file."""
    return yamlio.read(f"v: {number}\n".encode())["v"]


def _verify(files: _Root, document: Document, expected: Any, request: Request) -> Tree:
    """The edited file must hold exactly the intended data, and the root stay valid."""
    assert document.data is not None
    try:
        holds = yamlio.read(document.data) == expected
    except yamlio.YamlProblem:
        holds = False
    tree = files.load(document) if holds else None
    if tree is None or not tree.ok:
        why = f": {tree.findings[0].message}" if tree is not None and tree.findings else ""
        raise ItokrError(
            f"{document.path}: the edit for {request.ref} did not read back as intended{why}; "
            "nothing written (please report this, with the file)"
        )
    return tree


def _diff(path: str, old: bytes, new: bytes) -> str:
    before = old.decode("utf-8").splitlines(keepends=True)
    after = new.decode("utf-8").splitlines(keepends=True)
    name = path.lstrip("/")
    lines = difflib.unified_diff(before, after, f"a/{name}", f"b/{name}")
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)
