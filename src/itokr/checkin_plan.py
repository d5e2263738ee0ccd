"""Where each check-in goes: the key result or KPI its ref names, and whether the
request fits its kind and period (exit 2 naming what would)."""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from itokr.checkin_args import OPTIONS, Request
from itokr.checkin_verify import problem_count
from itokr.crosscheck import Entry
from itokr.errors import ItokrError, UsageError
from itokr.kpis import KpiEntry
from itokr.loader import Tree
from itokr.model.keyresults import AnyKeyResult, Binary, Metric, Threshold
from itokr.refs import resolve


def find_kpi(tree: Tree, ref: str) -> KpiEntry:
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
    problems = f"; the root has {problem_count(tree)}: run `itokr validate`" if not tree.ok else ""
    raise UsageError(
        f"unknown KPI {ref!r}{hint}{problems} (a key result is named OBJECTIVE_ID/KR_ID)"
    )


class Misfits(ItokrError):
    """Requests that do not fit the root, by their place in the batch; nothing written."""

    def __init__(self, problems: Sequence[tuple[int, str]]) -> None:
        super().__init__(f"{len(problems)} check-ins do not fit the OKR files; nothing written")
        self.problems = tuple(problems)


@dataclass(frozen=True, slots=True)
class Planned:
    request: Request
    path: str
    index: int  # the objective's, or the KPI's, place in its file
    kr: AnyKeyResult | None  # None: a KPI's reading
    milestone: int | None


def plan(
    requests: Sequence[Request], tree: Tree, names: Mapping[str, str] = OPTIONS
) -> list[Planned]:
    """Where each request goes, once every one fits (`Misfits` otherwise)."""
    planned, problems = [], []
    for place, request in enumerate(requests):
        try:
            if "/" not in request.ref:
                kpi = find_kpi(tree, request.ref)
                if request.value is None:
                    raise UsageError(f"{request.ref} is a KPI: give the value read")
                planned.append(Planned(request, kpi.path, kpi.index, None, None))
                continue
            entry, kr = resolve(tree.entries, request.ref)
            assert kr is not None
            milestone = check_fit(request, kr, entry, names)
            planned.append(Planned(request, entry.path, entry.index, kr, milestone))
        except UsageError as error:
            problems.append((place, str(error)))
    if problems:
        raise Misfits(problems)
    return planned


def check_fit(
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
