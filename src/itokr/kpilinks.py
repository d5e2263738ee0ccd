"""KPIs across the root: their defaults, their ids, and the key results that track them.

This is the one place where `kpi: ID` on a key result is resolved: each tracking
key result gets its KPI's readings as its check-ins (and the KPI's unit when it
names none), so every command scores it without knowing about KPIs. The as-of
rule then applies to those check-ins as to any others.
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from itokr.crosscheck import Entry, Located, area_problem, elsewhere, source_problems
from itokr.kpis import KpiEntry
from itokr.model.config import Config
from itokr.model.keyresults import Metric, Threshold, tracking
from itokr.model.kpi import Kpi
from itokr.model.objectives import ObjectiveFile
from itokr.problems import Loc, Problem

_MEASURED = (Metric, Threshold)  # a tuple: faster than a union in the loop over every key result


@dataclass(frozen=True, slots=True)
class FileKpis:
    """The KPIs of one file: those valid alone, and the ids of those that are not."""

    path: str
    defaults: ObjectiveFile  # owner and area apply to its KPIs too
    kpis: tuple[tuple[int, Kpi], ...]
    broken: tuple[tuple[int, str], ...]  # (index, id) of invalid KPIs that name an id
    first: bool  # `kpis:` comes before `objectives:` in the file


def _first(data: Any) -> bool:
    keys = list(data) if isinstance(data, dict) else []
    return "kpis" in keys and (
        "objectives" not in keys or keys.index("kpis") < keys.index("objectives")
    )


def of_file(path: str, parsed: ObjectiveFile, data: Any) -> FileKpis | None:
    """The KPIs of a valid file; None when it has none."""
    if not parsed.kpis:
        return None
    return FileKpis(path, parsed, tuple(enumerate(parsed.kpis)), (), _first(data))


def salvage(path: str, data: Any, defaults: ObjectiveFile) -> FileKpis | None:
    """The KPIs of an invalid file that are valid alone, so that the key results
    tracking them still move and their ids still count."""
    items = data.get("kpis") if isinstance(data, dict) else None
    if not isinstance(items, list):
        return None
    good: list[tuple[int, Kpi]] = []
    broken: list[tuple[int, str]] = []
    for index, item in enumerate(items):
        try:
            good.append((index, Kpi.model_validate(item)))
        except ValidationError:
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                broken.append((index, item["id"]))
    return FileKpis(path, defaults, tuple(good), tuple(broken), _first(data))


def entries_of(
    files: Sequence[FileKpis], config: Config, *, config_ok: bool
) -> tuple[list[KpiEntry], list[Located]]:
    """Each valid KPI with its file's owner and area; E305 for an area not configured."""
    entries: list[KpiEntry] = []
    located: list[Located] = []
    for file in files:
        for index, kpi in file.kpis:
            area = kpi.area or file.defaults.area
            if config.areas and area is not None and area not in config.areas and config_ok:
                loc: Loc = ("kpis", index, "area") if kpi.area else ("area",)
                located.append(Located(file.path, area_problem(loc, area, config)))
            owner = kpi.owner or file.defaults.owner
            entries.append(KpiEntry(kpi, file.path, index, owner, area))
    return entries, located


def check_sources(kpis: Sequence[KpiEntry], config: Config) -> Iterator[Located]:
    """Every KPI's `source:` against the `sources` of itokr.yaml (E308, E309), as a key
    result's is checked."""
    for entry in kpis:
        if entry.kpi.source is not None:
            at: Loc = ("kpis", entry.index, "source")
            for problem in source_problems(entry.kpi.source, config):
                yield Located(
                    entry.path,
                    Problem(at + problem.loc, problem.code, problem.message, problem.at_key),
                )


@dataclass(frozen=True, slots=True)
class _Named:
    """An objective or KPI id where it is written, for the shared namespace."""

    order: tuple[int, int, int]  # file, objectives-or-KPIs first, index
    id: str
    path: str
    loc: Loc
    kpi: bool


def check_ids(
    objectives: Sequence[Entry], files: Sequence[FileKpis], paths: Sequence[str]
) -> Iterator[Located]:
    """E301 where an id is used again by a KPI, or by an objective after a KPI.

    Objectives and KPIs share one namespace: every occurrence after the first, in
    path order, is reported. Objectives repeating objectives are `crosscheck`'s.
    """
    if not files:  # no KPI: objectives repeating objectives are all there is
        return
    rank = {path: position for position, path in enumerate(paths)}
    first = {file.path for file in files if file.first}
    named = [
        _Named(
            (rank.get(e.path, 0), int(e.path in first), e.index),
            e.id,
            e.path,
            ("objectives", e.index, "id"),
            kpi=False,
        )
        for e in objectives
    ]
    for file in files:
        written = [(index, kpi.id) for index, kpi in file.kpis] + list(file.broken)
        named += [
            _Named(
                (rank.get(file.path, 0), int(file.path not in first), index),
                kpi_id,
                file.path,
                ("kpis", index, "id"),
                kpi=True,
            )
            for index, kpi_id in written
        ]
    seen: dict[str, list[_Named]] = {}
    for item in sorted(named, key=lambda n: n.order):
        earlier = seen.setdefault(item.id, [])
        told = not item.kpi and any(not e.kpi for e in earlier)  # by `crosscheck.check_ids`
        if earlier and not told:
            before = earlier[0]
            where = "above" if before.path == item.path else f"in {before.path}"
            what = "a KPI" if before.kpi else "an objective"
            yield Located(
                item.path,
                Problem(
                    item.loc,
                    "E301",
                    f"id {item.id!r} is already used by {what} {where}: objectives and KPIs "
                    "share one namespace, rename one",
                ),
                elsewhere(item.path, [before.path]),
            )
        earlier.append(item)


def link(
    entries: Sequence[Entry], kpis: Sequence[KpiEntry], broken: set[str]
) -> tuple[list[Entry], list[Located]]:
    """Each key result that writes `kpi:` given its KPI's readings; E306 for a KPI
    that does not exist, E307 for a unit that differs from the KPI's.

    `broken` holds the ids of KPIs that exist but are invalid: their own findings
    say what is wrong, and the key results tracking them have no data until fixed.
    """
    by_id: dict[str, Kpi] = {}
    written_in: dict[str, str] = {}  # the file of each KPI, which a unit mismatch involves
    for kpi_entry in kpis:
        by_id.setdefault(kpi_entry.id, kpi_entry.kpi)
        written_in.setdefault(kpi_entry.id, kpi_entry.path)
    objective_ids = {entry.id for entry in entries}
    linked: list[Entry] = []
    located: list[Located] = []
    for entry in entries:
        key_results = entry.objective.key_results
        tracking_ones = [
            i for i, kr in enumerate(key_results) if isinstance(kr, _MEASURED) and kr.kpi
        ]
        if not tracking_ones:  # most objectives: nothing to copy
            linked.append(entry)
            continue
        key_results = list(key_results)
        for position in tracking_ones:
            kr = key_results[position]
            assert isinstance(kr, Metric | Threshold) and kr.kpi is not None
            at: Loc = ("objectives", entry.index, "key_results", position)
            kpi = by_id.get(kr.kpi)
            if kpi is None:
                if kr.kpi not in broken:
                    located.append(Located(entry.path, _unknown(kr.kpi, at, by_id, objective_ids)))
                continue
            if kr.unit is not None and kr.unit != kpi.unit:
                involves = elsewhere(entry.path, [written_in[kpi.id]])
                located.append(Located(entry.path, _unit(kr.unit, kpi, at), involves))
            key_results[position] = tracking(kr, kpi)
        if key_results != entry.objective.key_results:
            objective = entry.objective.model_copy(update={"key_results": key_results})
            entry = dataclasses.replace(entry, objective=objective)
        linked.append(entry)
    return linked, located


def _unknown(name: str, at: Loc, kpis: Mapping[str, Kpi], objectives: set[str]) -> Problem:
    if name in objectives:
        hint = f"{name!r} is an objective; a key result tracks a KPI (listed under `kpis:`)"
    else:
        close = difflib.get_close_matches(name, list(kpis), n=1, cutoff=0.6)
        hint = f"did you mean {close[0]!r}?" if close else "define it under `kpis:` in any file"
    return Problem(
        (*at, "kpi"), "E306", f"`kpi` names {name!r}, which is no KPI in this root: {hint}"
    )


def _unit(unit: str, kpi: Kpi, at: Loc) -> Problem:
    theirs = f"is {kpi.unit!r}" if kpi.unit is not None else "is not given"
    return Problem(
        (*at, "unit"),
        "E307",
        f"unit {unit!r} differs from the unit of the KPI {kpi.id!r}, which {theirs}: the key "
        "result's values are the KPI's readings; write the KPI's unit, or drop `unit:` to take it",
    )
