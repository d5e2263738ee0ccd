"""Rules that need the whole root: unique ids, alignment, periods, areas."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from itokr.model.config import Config
from itokr.model.keyresults import Metric, Threshold
from itokr.model.objectives import Objective, ObjectiveFile
from itokr.model.sources import SOURCE_FIELDS, SOURCE_NEEDS, SourceRef
from itokr.periods import Period, resolve
from itokr.problems import Loc, Problem

if TYPE_CHECKING:
    from itokr.kpis import KpiEntry


@dataclass(frozen=True, slots=True)
class Entry:
    """An objective as loaded, with its file's defaults applied."""

    objective: Objective
    path: str
    index: int  # its place in the file's `objectives`, to locate it again
    owner: str | None
    area: str | None
    period: Period | None

    @property
    def id(self) -> str:
        return self.objective.id

    def matches(
        self, *, owner: str | None = None, area: str | None = None, period: str | None = None
    ) -> bool:
        """The filters of every view: the objective's own value, exactly; a period by name."""
        return (
            (owner is None or self.owner == owner)
            and (area is None or self.area == area)
            and (period is None or (self.period is not None and self.period.name == period))
        )


def unmatched_filter(
    entries: Sequence[Entry],
    *,
    owner: str | None = None,
    area: str | None = None,
    period: str | None = None,
    kpis: Sequence[KpiEntry] = (),
    defined: Collection[str] = (),
) -> str | None:
    """Why a filter is a typo (naming what exists), else None.

    Each filter is checked on its own: `--owner a --area b` may well be empty
    together, but an owner or area that no objective has is a typo. In a view that
    lists KPIs beside objectives (`due`), `kpis` count too: an owner of KPIs alone is
    no typo there. A period is a typo only when it is no period at all (2031-Q9, a
    name itokr.yaml does not define, among the names it does: `defined`); a real one
    that no objective has is an empty answer, which `empty_period` words.
    """
    noun = "objective or KPI" if kpis else "objective"
    filters: list[tuple[str, str | None, set[str | None]]] = [
        ("owner", owner, {e.owner for e in entries} | {k.owner for k in kpis}),
        ("area", area, {e.area for e in entries} | {k.area for k in kpis}),
    ]
    problem = _unmatched(filters, noun)
    if problem is None and period is not None and not _is_period(period, defined):
        return (
            f"--period {period}: no such period (write YYYY-Qn, YYYY-Hn, YYYY, or a name "
            f"defined under `periods:` in itokr.yaml){_periods_in(entries)}"
        )
    return problem


def empty_period(entries: Sequence[Entry], period: str | None) -> str | None:
    """A note for a real period that no objective has (naming the periods that some
    have), else None: an empty answer, worth a word to a person but no misuse."""
    if period is None or any(e.period is not None and e.period.name == period for e in entries):
        return None
    return f"--period {period}: no objective has this period{_periods_in(entries)}"


def _is_period(name: str, defined: Collection[str]) -> bool:
    return name in defined or resolve(name, {}) is not None


def _periods_in(entries: Sequence[Entry]) -> str:
    names = sorted({e.period.name for e in entries if e.period is not None and e.period.name})
    return f"; the periods in this root: {', '.join(names)}" if names else ""


def unmatched_kpi_filter(
    kpis: Sequence[KpiEntry], *, owner: str | None = None, area: str | None = None
) -> str | None:
    """`unmatched_filter` for a view of KPIs alone (`kpis`): an owner or area no KPI has."""
    filters: list[tuple[str, str | None, set[str | None]]] = [
        ("owner", owner, {k.owner for k in kpis}),
        ("area", area, {k.area for k in kpis}),
    ]
    return _unmatched(filters, "KPI", of="of KPIs ")


def _unmatched(
    filters: Sequence[tuple[str, str | None, set[str | None]]], noun: str, *, of: str = ""
) -> str | None:
    for what, value, held in filters:
        names = sorted(name for name in held if name)
        if value is not None and value not in names:
            known = f"; the {what}s {of}in this root: {', '.join(names)}" if names else ""
            return f"--{what} {value}: no {noun} has this {what}{known}"
    return None


@dataclass(frozen=True, slots=True)
class ParsedFile:
    """A file's defaults and its valid objectives, each with its index in the file."""

    defaults: ObjectiveFile
    objectives: tuple[tuple[int, Objective], ...]


@dataclass(frozen=True, slots=True)
class Located:
    """A problem in the file at `path`; across files, the others it `involves`."""

    path: str
    problem: Problem
    involves: tuple[str, ...] = ()


def _period_of(
    objective: Objective,
    document: ObjectiveFile,
    index: int,
    named: Mapping[str, tuple[dt.date, dt.date]],
) -> tuple[Period | None, Problem | None]:
    if objective.start is not None and objective.end is not None:
        return Period(None, objective.start, objective.end), None
    loc: Loc = ("objectives", index, "period")
    spec = objective.period
    if spec is None:
        spec, loc = document.period, ("period",)
    if spec is None:
        return None, None
    period = resolve(spec, named)
    if period is not None:
        return period, None
    defined = f" (defined there: {', '.join(named)})" if named else ""
    return None, Problem(
        loc,
        "E304",
        f"unknown period {spec!r}: write YYYY-Qn, YYYY-Hn or YYYY, or define it under "
        f"`periods:` in itokr.yaml{defined}",
    )


def area_problem(loc: Loc, area: str, config: Config) -> Problem:
    """E305: `area` is not one of the configured areas."""
    return Problem(
        loc,
        "E305",
        f"area {area!r} is not one of the configured areas ({', '.join(config.areas)}): "
        "use one of them, or add it to `areas` in itokr.yaml",
    )


def entries_of(
    documents: Sequence[tuple[str, ParsedFile]], config: Config, *, config_ok: bool
) -> tuple[list[Entry], list[Located]]:
    """Apply file defaults and resolve periods; report unknown periods and areas."""
    named = {name: (dates.start, dates.end) for name, dates in config.periods.items()}
    entries: list[Entry] = []
    problems: dict[tuple[str, Loc], Located] = {}  # a file-level mistake is told once
    for path, parsed in documents:
        document = parsed.defaults
        for index, objective in parsed.objectives:
            period, problem = _period_of(objective, document, index, named)
            if problem is not None and config_ok:
                problems.setdefault((path, problem.loc), Located(path, problem))
            area = objective.area or document.area
            if config.areas and area is not None and area not in config.areas and config_ok:
                loc = ("objectives", index, "area") if objective.area else ("area",)
                problems.setdefault((path, loc), Located(path, area_problem(loc, area, config)))
            entries.append(
                Entry(objective, path, index, objective.owner or document.owner, area, period)
            )
    return entries, list(problems.values())


def check_ids(entries: Sequence[Entry], known_elsewhere: set[str]) -> Iterator[Located]:
    """Duplicate ids (after the first, in path order) and `aligns_to` that names nothing."""
    first: dict[str, str] = {}
    for entry in entries:
        if entry.id in first:
            where = "above" if first[entry.id] == entry.path else f"in {first[entry.id]}"
            yield Located(
                entry.path,
                Problem(
                    ("objectives", entry.index, "id"),
                    "E301",
                    f"objective id {entry.id!r} is already used {where}: ids must be unique "
                    "in the root, rename one",
                ),
                elsewhere(entry.path, [first[entry.id]]),
            )
        else:
            first[entry.id] = entry.path
    for entry in entries:
        for position, parent in enumerate(entry.objective.aligns_to):
            if parent not in first and parent not in known_elsewhere:
                yield Located(
                    entry.path,
                    Problem(
                        ("objectives", entry.index, "aligns_to", position),
                        "E302",
                        f"`aligns_to` names {parent!r}, which is no objective in this root: "
                        "fix the id or remove it",
                    ),
                )


def check_cycles(entries: Sequence[Entry]) -> Iterator[Located]:
    """Each alignment cycle, once, at the first of its objectives in path order."""
    by_id: dict[str, Entry] = {}
    for entry in entries:
        by_id.setdefault(entry.id, entry)
    state: dict[str, int] = {}  # 1 on the current path, 2 finished
    for start in by_id:
        if state.get(start):
            continue
        path: list[str] = [start]
        state[start] = 1
        stack = [iter(by_id[start].objective.aligns_to)]
        while stack:
            parent = next(stack[-1], None)
            if parent is None:
                state[path.pop()] = 2
                stack.pop()
            elif parent in by_id and state.get(parent) == 1:
                cycle = [*path[path.index(parent) :], parent]
                head = min((by_id[node] for node in cycle[:-1]), key=lambda e: (e.path, e.index))
                step = cycle[cycle.index(head.id) + 1]
                yield Located(
                    head.path,
                    Problem(
                        (
                            "objectives",
                            head.index,
                            "aligns_to",
                            head.objective.aligns_to.index(step),
                        ),
                        "E303",
                        f"alignment cycle: {' -> '.join(_rotate(cycle, head.id))}: an objective "
                        "cannot align to itself, even through others; remove one link",
                    ),
                    elsewhere(head.path, [by_id[node].path for node in cycle]),
                )
            elif parent in by_id and not state.get(parent):
                state[parent] = 1
                path.append(parent)
                stack.append(iter(by_id[parent].objective.aligns_to))


def elsewhere(path: str, paths: Sequence[str]) -> tuple[str, ...]:
    """The files besides `path` that a problem across files involves, each once."""
    return tuple(dict.fromkeys(other for other in paths if other != path))


def _rotate(cycle: list[str], first: str) -> list[str]:
    ring = cycle[:-1]
    at = ring.index(first)
    ring = ring[at:] + ring[:at]
    return [*ring, first]


def source_problems(ref: SourceRef, config: Config) -> Iterator[Problem]:
    """What is wrong with a `source:` given the `sources` of itokr.yaml; each problem's
    loc is below the `source` mapping. For key results here, and for KPIs (SPEC §6)."""
    source = config.sources.get(ref.from_)
    if source is None:
        defined = ", ".join(config.sources) or "none yet"
        yield Problem(
            ("from",),
            "E308",
            f"no source named {ref.from_!r} in itokr.yaml (defined there: {defined}): "
            "fix the name, or define it under `sources:`",
        )
        return
    kind = source.type
    needs = SOURCE_NEEDS.get(kind)
    if needs is not None and needs not in ref.given:
        yield Problem(
            (),
            "E309",
            f"{ref.from_} is a {kind} source: say what to read with `{needs}` "
            f"({_WHAT_TO_READ[needs]})",
        )
    for key in ref.given:
        if SOURCE_FIELDS[key] != kind:
            instead = f", or use `{needs}`" if needs else ""
            yield Problem(
                (key,),
                "E309",
                f"`{key}` is for {SOURCE_FIELDS[key]} sources and {ref.from_} is a {kind} "
                f"source: remove it{instead}",
                at_key=True,
            )


_WHAT_TO_READ = {
    "query": "a PromQL expression that gives one number",
    "path": "a JMESPath expression into the JSON answer, such as stats.csat.average",
    "column": "the column of the CSV, or key of the JSON rows, to read",
}


def check_sources(entries: Sequence[Entry], config: Config) -> Iterator[Located]:
    """Every key result's `source:` against the `sources` of itokr.yaml."""
    for entry in entries:
        for number, kr in enumerate(entry.objective.key_results):
            if isinstance(kr, Metric | Threshold) and kr.source is not None:
                at: Loc = ("objectives", entry.index, "key_results", number, "source")
                for problem in source_problems(kr.source, config):
                    yield Located(
                        entry.path,
                        Problem(at + problem.loc, problem.code, problem.message, problem.at_key),
                    )
