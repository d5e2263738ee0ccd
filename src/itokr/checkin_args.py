"""A check-in as asked for, on the command line, in a batch file or in the walk:
everything about it that can be checked before the root is read (exit 2)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import partial
from typing import TYPE_CHECKING

from itokr import answers, dates
from itokr.errors import UsageError
from itokr.model.keyresults import MilestoneKR

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


def checkin_request(
    ref: str,
    value: str | None,
    *,
    date: str | None,
    confidence: str | None,
    note: str | None,
    as_of: dt.date,
    names: Mapping[str, str] = OPTIONS,
    by: str | None = None,
) -> Request:
    """`make_request` for a check-in: a value, or a status update; no flag. `by` says
    who measured it (a batch file's `by` column, as `itokr export --checkins` writes)."""
    request = make_request(
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
    if by is None:
        return request
    try:
        return replace(request, by=answers.note(by, "by"))
    except answers.Invalid as error:
        raise UsageError(str(error)) from None


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
