"""The text of a check-in's edits: each spliced into the file (`roundtrip`), with
the plain data the file must read back as once it is."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from itokr import editsource, roundtrip, yamlio
from itokr.checkin_args import Request
from itokr.checkin_plan import Planned
from itokr.checkin_verify import Root
from itokr.errors import ItokrError
from itokr.model.keyresults import AnyKeyResult, Binary, MilestoneKR


def splice_request(
    request: Request,
    kr: AnyKeyResult,
    milestone: int | None,
    index: int,
    source: editsource.Source,
    target: dict[str, Any],
) -> tuple[str, str | None, bool]:
    """Splice what `request` asks of the key result `kr` (of the file's objective number
    `index`) into `source`, and say in `target` (its plain data) what the file must read
    back as. The new text, the `current:` value a check-in replaced, whether anything
    changed (marking done what is done already changes nothing)."""
    if request.flag is None:  # a check-in: a value, or a status update
        body, replaced = insert_checkin(
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


def kpi_splice(
    source: editsource.Source, index: int
) -> Callable[[roundtrip.NewCheckin, int], tuple[str, str | None]]:
    """The splice of a reading into the KPI number `index` of `source`, for `insert_checkin`."""

    def splice(new: roundtrip.NewCheckin, at: int) -> tuple[str, str | None]:
        return roundtrip.add_kpi_checkin(source.body, source.newline, index, new, at), None

    return splice


def edit_file(files: Root, path: str, items: Sequence[Planned]) -> tuple[bytes, bytes, Any]:
    """Every splice of one file: its bytes before and after, and the data it must hold."""
    original = next(doc.data for doc in files.documents if doc.path == path)
    assert original is not None
    expected = yamlio.read(original)
    source = editsource.Source.decode(original)
    body = source.body
    try:
        for item in items:
            edited = editsource.Source(body, source.bom, source.newline, source.cr_only)
            if item.kr is None:
                target = expected_kpi(expected, item.index)
                body, _ = insert_checkin(item.request, target, kpi_splice(edited, item.index))
            else:
                target = expected_data(expected, item.index, item.kr.id)
                body, _, _ = splice_request(
                    item.request, item.kr, item.milestone, item.index, edited, target
                )
    except editsource.EditError as error:
        raise ItokrError(
            f"{path}: cannot edit this file in place ({error}); nothing written"
        ) from None
    return original, source.encode(body), expected


def insert_checkin(
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


def expected_kpi(data: Any, index: int) -> dict[str, Any]:
    """The KPI's mapping inside plain data read by `yamlio.read`."""
    item = data["kpis"][index]
    if not isinstance(item, dict):
        raise editsource.EditError("a KPI that is not a mapping")
    return item


def expected_data(data: Any, objective: int, kr_id: str) -> dict[str, Any]:
    """The key result's mapping inside plain data read by `yamlio.read`."""
    for item in data["objectives"][objective]["key_results"]:
        if isinstance(item, dict) and item.get("id") == kr_id:
            return item
    raise editsource.EditError(f"no key result {kr_id!r}")
